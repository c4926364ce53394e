import { setFlagsFromString } from "node:v8";

/**
 * V8 doubles the young generation (its new space, two semi-spaces) whenever most objects survive a
 * scavenge, as nearly all do while modules load and the server starts: start-up alone grew it to
 * 2 × 16 MB, ~12 MB of an idle server's RSS (issue 16). It is held at its initial size while the
 * server starts and given V8's default growth back once it serves, so that a busy server's young
 * generation still grows to fit its load (and costs no more CPU per invocation than before).
 * `--semi-space-growth-factor` is read at each scavenge, so setting it at run time takes effect;
 * node flags of the user's own (`node --max-semi-space-size=...`) are left alone.
 */
const userSetsYoungGeneration = [...process.execArgv, process.env.NODE_OPTIONS ?? ""].some((a) => a.includes("semi-space"));

/** Before the server's modules load: the young generation does not grow. */
export function holdYoungGeneration(): void {
  if (!userSetsYoungGeneration) setFlagsFromString("--semi-space-growth-factor=1");
}

/** Once the server is serving: V8's default growth factor (2) again. */
export function releaseYoungGeneration(): void {
  if (!userSetsYoungGeneration) setFlagsFromString("--semi-space-growth-factor=2");
}
