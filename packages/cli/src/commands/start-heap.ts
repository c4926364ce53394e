import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/**
 * The server's heap once it has started (issue 16: an idle server's RSS). Start-up allocates far
 * more than it keeps (modules compiled, the config parsed and validated, the database migrated),
 * and V8 keeps the memory that touched: it doubles the young generation (its new space, two
 * semi-spaces) whenever most objects survive a scavenge, as nearly all do while modules load
 * (2 × 16 MB, ~12 MB of idle RSS), and it leaves the old generation's pages part empty and the
 * start-up's bytecode in place.
 *
 * So the young generation is held at its initial size while the server starts, and once it is
 * ready, before it says so, one collection of the kind V8 runs before giving up on memory (it
 * compacts, and drops the bytecode of functions not running, which are compiled again when next
 * called) gives the start-up's leftovers back: ~5 MB, for one pause (~80 ms quiet, up to 400 ms
 * loaded, on 2 cores) before the first request. Then V8's default growth comes back, so that a
 * busy server's young generation grows to fit its load as before. Not later, at the first idle
 * second as it once was: by then the invocation path's code was optimised, and dropping it made
 * the next few thousand invocations up to twice as slow while V8 compiled and optimised it again
 * (measured: p50 225 → 350 µs for ~4,000 warm invocations after the first pause in traffic).
 * Node flags of the user's own (`node --max-semi-space-size=...`) are left alone.
 */
const userSetsYoungGeneration = [...process.execArgv, process.env.NODE_OPTIONS ?? ""].some((a) => a.includes("semi-space"));
/** Before the server's modules load: the young generation does not grow (V8 reads the factor at each scavenge). */
export function holdYoungGeneration(): void {
  if (!userSetsYoungGeneration) setFlagsFromString("--semi-space-growth-factor=1");
}

/** Once the server is ready, before its first request: the start-up's garbage collected, and V8's default growth factor (2). */
export function settleHeap(): void {
  collectStartupGarbage();
  if (!userSetsYoungGeneration) setFlagsFromString("--semi-space-growth-factor=2");
}

function collectStartupGarbage(): void {
  // V8 gives `gc` only to contexts made after --expose-gc is set; this one lives for one call.
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as (options: { type: "major"; execution: "sync"; flavor: "last-resort" }) => void;
  setFlagsFromString("--no-expose-gc");
  gc({ type: "major", execution: "sync", flavor: "last-resort" });
}
