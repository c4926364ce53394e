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
  const laneCount = laneCountOf(e);
  const holds = nextHolds(base.laneCount === undefined || base.laneCount === laneCount ? base.holds : regrouped(base.holds, laneCount), e);
  let next;
  if (e.type === "mapping.batch-given-up") {
    const g = base.givenUp;
    const delivered = e.destination !== undefined && e.error === undefined;
    next = {
      ...base,
      // The shard moves on past the batch: no longer held on it (unless the held batch goes on past these records).
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
  delete next.holds;
  delete next.lane;
  next.laneCount = laneCount;
  if (holds === undefined) return next;
  // A held lane holds the shard's checkpoint whatever the other lanes do (review M5): the shard
  // shows the lane held longest, and its batch's outcome and age.
  const h = [...holds].sort((a, b) => a.since - b.since || (a.lane ?? 0) - (b.lane ?? 0))[0];
  return { ...next, holds, lane: h.lane, outcome: h.outcome, iteratorAgeMs: h.iteratorAgeMs, time: h.time };
}

/**
 * How many lanes the shard's consumer runs, as an event says: its `laneCount`; 1 without a lane
 * (ParallelizationFactor 1, or a tumbling window); 0 for several, number unknown (a trace recorded
 * before events carried the count).
 */
export function laneCountOf(e) {
  return e.laneCount ?? (e.lane === undefined ? 1 : 0);
}

/**
 * The holds when the lane count changed (an UpdateEventSourceMapping of ParallelizationFactor
 * restarts the shard from its checkpoint and deals the keys anew, so a lane's number names other
 * keys: review37 #7). One lane reads every record in order: the holds stay, each until a batch
 * passes its failed batch (`past`). Several: which new lane has the held records is not said, so
 * the holds end here, and the lane that fails on them holds again.
 */
function regrouped(holds, laneCount) {
  if (holds === undefined || laneCount !== 1) return undefined;
  return holds.map((h) => ({ ...h, past: true }));
}

/**
 * The holds after `e`: one per lane whose batch failed, in part failed or was throttled, until a
 * batch or a give-up in that lane passes the failed batch's last sequence number (`until`), as the
 * run report's stall story holds it (shard-stalls.ts; review37 #12): a bisected batch's first half
 * succeeding, or an expired prefix given up, leaves the rest of it holding the lane. Undefined: none.
 */
function nextHolds(prev, e) {
  const holds = [];
  let own;
  for (const h of prev ?? []) {
    if (!h.past && h.lane === e.lane) own = h;
    // A lane-less batch or give-up is the one lane reading every record: it passes the old lanes' holds in order.
    else if (!(h.past && e.lane === undefined && e.outcome !== "throttled" && passesHeld(e.lastSequenceNumber, h.until))) holds.push(h);
  }
  if (e.type === "mapping.batch" && isHeld(e.outcome)) {
    holds.push({ ...(e.lane === undefined ? {} : { lane: e.lane }), outcome: e.outcome, iteratorAgeMs: e.iteratorAgeMs, time: e.time, since: own?.since ?? e.time, until: laterOf(own?.until, e.lastSequenceNumber) });
  } else if (own !== undefined && !passesHeld(e.lastSequenceNumber, own.until)) holds.push(own);
  return holds.length === 0 ? undefined : holds;
}

const isHeld = (outcome) => outcome === "failed" || outcome === "partial" || outcome === "throttled";

/** Held on its last batch, which is retried: nothing after it is read (nothing after it in its lane). */
export const stalled = (x) => isHeld(x.outcome);

/**
 * Whether a batch (or a give-up) ending at `last` takes a held batch ending at `until` wholly
 * behind the checkpoint. Without sequence numbers (a trace recorded before events carried them) it
 * does, as any success or give-up did.
 */
export function passesHeld(last, until) {
  return last === undefined || until === undefined || compareSequenceNumbers(last, until) >= 0;
}

const laterOf = (a, b) => (a === undefined ? b : b === undefined || compareSequenceNumbers(a, b) >= 0 ? a : b);

/** Sequence numbers are decimal strings that grow within a shard (aws-facts §8.1): the longer is the greater. */
export function compareSequenceNumbers(a, b) {
  const digits = /^\d+$/;
  if (digits.test(a) && digits.test(b)) {
    const x = a.replace(/^0+(?=\d)/, "");
    const y = b.replace(/^0+(?=\d)/, "");
    if (x.length !== y.length) return x.length - y.length;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}
