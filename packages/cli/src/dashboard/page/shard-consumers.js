// A stream shard's consumer as its batches left it, from `mapping.batch` and
// `mapping.batch-given-up` events: shared by the page (model.js) and the simulator's
// `shardConsumers` view (dashboard-views.ts), which seeds a page opened late; plain JS, served as it is.
//
// What a room watching "one poison record holds one shard" needs per shard (newuser7 F9.2): held
// and retrying, or moved on after giving a batch up; how many batches and records it gave up, and
// whether they reached the mapping's OnFailure destination; when it last failed; how far it read.

/** The consumer after one more event; `prev` undefined for the shard's first. Returns a new object. */
export function nextShard(prev, e) {
  const base = prev ?? { mappingId: e.mappingId, eventSourceArn: e.eventSourceArn, shardId: e.shardId, functionName: e.functionName, iteratorAgeMs: undefined, time: e.time, outcome: "succeeded" };
  const heldLanes = nextHeldLanes(base.heldLanes, e);
  let next;
  if (e.type === "mapping.batch-given-up") {
    const g = base.givenUp;
    const delivered = e.destination !== undefined && e.error === undefined;
    next = {
      ...base,
      // The shard moves on past the batch: no longer held on it.
      outcome: "given-up",
      givenUp: {
        batches: (g?.batches ?? 0) + 1,
        records: (g?.records ?? 0) + e.size,
        sent: (g?.sent ?? 0) + (delivered ? e.size : 0),
        last: { time: e.time, size: e.size, condition: e.condition, destination: e.destination, error: e.error },
      },
    };
  } else {
    next = {
      ...base,
      functionName: e.functionName,
      iteratorAgeMs: e.iteratorAgeMs,
      time: e.time,
      outcome: e.outcome,
      // Batches of parallel lanes end in any order: the furthest record read is the latest arrival seen.
      readToMs: e.lastArrivalMs === undefined ? base.readToMs : Math.max(base.readToMs ?? 0, e.lastArrivalMs),
      lastFailureAt: e.outcome === "failed" || e.outcome === "partial" ? e.time : base.lastFailureAt,
    };
  }
  delete next.heldLanes;
  delete next.lane;
  if (heldLanes === undefined) return next;
  // ParallelizationFactor > 1: a lane holds on its failing batch while the others go on (review
  // M5), so a healthy lane's batch does not end the shard's hold: it shows the lane held longest.
  const [lane, h] = Object.entries(heldLanes).sort((a, b) => a[1].since - b[1].since || Number(a[0]) - Number(b[0]))[0];
  return { ...next, heldLanes, lane: Number(lane), outcome: h.outcome, iteratorAgeMs: h.iteratorAgeMs, time: h.time };
}

/** The lanes held on a batch after `e` (each lane's last batch failed, in part failed or was throttled); undefined: none. */
function nextHeldLanes(prev, e) {
  // A lane-less event: the consumer runs one lane now (an update set ParallelizationFactor to 1);
  // its own outcome says whether the shard is held, and the lanes held before are read again in it.
  if (e.lane === undefined) return undefined;
  const lanes = { ...prev };
  if (e.type === "mapping.batch" && isHeld(e.outcome)) lanes[e.lane] = { outcome: e.outcome, iteratorAgeMs: e.iteratorAgeMs, time: e.time, since: lanes[e.lane]?.since ?? e.time };
  else delete lanes[e.lane];
  return Object.keys(lanes).length === 0 ? undefined : lanes;
}

const isHeld = (outcome) => outcome === "failed" || outcome === "partial" || outcome === "throttled";

/** Held on its last batch, which is retried: nothing after it is read (nothing after it in its lane). */
export const stalled = (x) => isHeld(x.outcome);
