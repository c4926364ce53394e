import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/**
 * The server's heap once it has started (issue 16: an idle server's RSS). Start-up allocates
 * far more than it keeps (modules compiled, the config parsed and validated, the database
 * migrated), and V8 keeps what that touched: it doubles the young generation (its new space, two
 * semi-spaces) whenever most objects survive a scavenge, as nearly all do while modules load
 * (2 × 16 MB, ~12 MB of idle RSS), and leaves the old generation's pages half empty.
 * So the young generation is held at its initial size while the server starts, and once it
 * serves, one compacting collection (the one V8 runs before giving up on memory: it also shrinks
 * the young generation) gives the start-up's garbage back, ~6 MB, then V8's default growth comes
 * back, so that a busy server's young generation grows to fit its load as before (no more CPU per
 * invocation). Node flags of the user's own (`node --max-semi-space-size=...`) are left alone.
 */
const userSetsYoungGeneration = [...process.execArgv, process.env.NODE_OPTIONS ?? ""].some((a) => a.includes("semi-space"));

/** Before the server's modules load: the young generation does not grow (read at each scavenge). */
export function holdYoungGeneration(): void {
  if (!userSetsYoungGeneration) setFlagsFromString("--semi-space-growth-factor=1");
}

/** Once the server serves: the compacting collection, then V8's default growth factor (2). */
export function settleHeap(): void {
  // V8 gives `gc` only to contexts made after --expose-gc is set; this one lives for one call.
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as (options: { type: "major"; execution: "sync"; flavor: "last-resort" }) => void;
  gc({ type: "major", execution: "sync", flavor: "last-resort" });
  setFlagsFromString("--no-expose-gc");
  if (!userSetsYoungGeneration) setFlagsFromString("--semi-space-growth-factor=2");
}
