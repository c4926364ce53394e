import { stopwatch } from "@lambda-sim/core";
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
 * So the young generation is held at its initial size while the server starts, and V8's default
 * growth comes back once it serves, so that a busy server's young generation grows to fit its load
 * as before (no more CPU per invocation). Then, the first time the event loop has been idle for a
 * whole second with no invocation in flight, one collection of the kind V8 runs before giving up on memory (it compacts, and
 * drops the bytecode of functions not running, which are compiled again when next called) gives
 * the start-up's leftovers back: ~5 MB, for one pause (~80 ms quiet, up to 400 ms loaded, on 2 cores) that
 * falls where no request is waiting. Node flags of the user's own
 * (`node --max-semi-space-size=...`) are left alone.
 */
const userSetsYoungGeneration = [...process.execArgv, process.env.NODE_OPTIONS ?? ""].some((a) => a.includes("semi-space"));
/** How often the event loop's utilisation is read until it has been idle, and what counts as idle. */
const IDLE_CHECK_MS = 1000;
const IDLE_UTILIZATION = 0.05;

/** Before the server's modules load: the young generation does not grow (V8 reads the factor at each scavenge). */
export function holdYoungGeneration(): void {
  if (!userSetsYoungGeneration) setFlagsFromString("--semi-space-growth-factor=1");
}

/**
 * Once the server serves: V8's default growth factor (2), and the collection at the first idle
 * second. `inFlight` counts the invocations running (a cold start leaves the event loop idle).
 */
export function settleHeapWhenIdle(inFlight: () => number): void {
  if (!userSetsYoungGeneration) setFlagsFromString("--semi-space-growth-factor=2");
  let last = performance.eventLoopUtilization();
  const check = () => {
    const now = performance.eventLoopUtilization();
    const busy = performance.eventLoopUtilization(now, last).utilization;
    last = now;
    if (busy < IDLE_UTILIZATION && inFlight() === 0) collectStartupGarbage();
    else stopwatch.after(IDLE_CHECK_MS, check);
  };
  stopwatch.after(IDLE_CHECK_MS, check);
}

function collectStartupGarbage(): void {
  // V8 gives `gc` only to contexts made after --expose-gc is set; this one lives for one call.
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as (options: { type: "major"; execution: "sync"; flavor: "last-resort" }) => void;
  setFlagsFromString("--no-expose-gc");
  gc({ type: "major", execution: "sync", flavor: "last-resort" });
}
