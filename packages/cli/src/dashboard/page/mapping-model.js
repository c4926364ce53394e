// The dashboard's state of event source mappings and stream shards (model.js keeps them in
// `m.mappings`, uuid -> mapping, and `m.shards`, "<mappingId> <shardId>" -> consumer). The sampled
// `mappings` and `shardConsumers` views carry the server's counts since it started, as of the
// frame's seq; `mapping.*` events after it add to them, so no batch is counted twice.
import { nextShard } from "./shard-consumers.js";
import { markStory, row } from "./invocation-rows.js";

/** A `views` or `snapshot` frame's mappings and shard consumers, as the server counts them at `seq`. */
export function applyMappingViews(m, v, seq) {
  // The views list every mapping and shard consumer there is: a deleted mapping's row (and its
  // shards') goes at the next frame, not at the next reload.
  if (v.mappings !== undefined) {
    const live = new Set(v.mappings.map((mp) => mp.uuid));
    for (const uuid of m.mappings.keys()) if (!live.has(uuid)) m.mappings.delete(uuid);
  }
  if (v.shardConsumers !== undefined) {
    const live = new Set(v.shardConsumers.map((sh) => `${sh.mappingId} ${sh.shardId}`));
    for (const key of m.shards.keys()) if (!live.has(key)) m.shards.delete(key);
  }
  for (const mp of v.mappings ?? []) {
    const prev = m.mappings.get(mp.uuid) ?? newMapping(mp.uuid, mp.functionName, mp.eventSourceArn);
    // The server's counts (since it started) win over what this page saw since it opened: every
    // column counts since the start, whenever the page was opened (a trace's playback has none).
    const c = mp.events;
    const counted = c ? { batches: c.batches, records: c.polled, throttledRecords: c.throttled, errors: c.failedBatches ?? prev.errors, partial: c.partialBatches ?? prev.partial, throttled: c.throttledBatches ?? prev.throttled, lastSize: c.lastSize ?? prev.lastSize } : {};
    // `viewsSeq`: the last event these counts include; batches up to it are not counted again.
    m.mappings.set(mp.uuid, { ...prev, state: mp.state, batchSize: mp.batchSize, lanes: mp.lanes ?? prev.lanes, ...counted, viewsSeq: c ? seq : prev.viewsSeq });
  }
  // Each shard's consumer as its last batch left it (dashboard-views.ts): the server's is never
  // older than the page's; `viewsSeq`: the last event it includes, not applied again.
  for (const sh of v.shardConsumers ?? []) m.shards.set(`${sh.mappingId} ${sh.shardId}`, { ...sh, viewsSeq: seq });
}

/**
 * One `mapping.*` event (`history`: from a snapshot's recent list). True when it was one: the
 * Event sources section is to be drawn again.
 */
/**
 * The mapping's view of the invocation that ran a batch, on its row: a partial batch failure
 * (ReportBatchItemFailures) is a success for Lambda, but its failed records go back to the source
 * (newuser14 F5); a batch the mapping failed though the function succeeded (a refused answer) too.
 */
function batchOnRow(m, e) {
  if (e.requestId === undefined || (e.outcome !== "partial" && e.outcome !== "failed") || m.invocations === undefined || m.requests === undefined) return;
  const s = row(m, e.requestId, e.functionName);
  s.batch = { outcome: e.outcome, size: e.size, failed: e.failed, reason: e.reason, source: e.eventSourceArn };
  m.dirty?.add("invocations");
  markStory(m, e.requestId);
}

export function applyMappingEvent(m, e, history) {
  switch (e.type) {
    case "mapping.batch-given-up":
      shardEvent(m, e, history);
      return true;
    case "mapping.batch": {
      if (e.shardId !== undefined) shardEvent(m, e, history);
      const mp = m.mappings.get(e.mappingId) ?? newMapping(e.mappingId, e.functionName, e.eventSourceArn);
      mp.lastSize = e.size;
      mp.sizes.push(e.size);
      if (mp.sizes.length > 30) mp.sizes.shift();
      // Counted already when the server's counts (a snapshot's or a sampled frame's) include it
      // (a trace's playback has no such counts: its events are all there is).
      if (mp.viewsSeq === undefined || (!history && e.seq > mp.viewsSeq)) {
        mp.batches++;
        mp.records += e.size;
        if (e.outcome === "failed") mp.errors++;
        if (e.outcome === "partial") mp.partial++;
        if (e.outcome === "throttled") {
          mp.throttled++;
          mp.throttledRecords += e.size;
        }
      }
      if (e.lanes !== undefined) mp.lanes = e.lanes;
      m.mappings.set(e.mappingId, mp);
      batchOnRow(m, e);
      return true;
    }
    case "mapping.scaled": {
      const mp = m.mappings.get(e.mappingId) ?? newMapping(e.mappingId, e.functionName, e.eventSourceArn);
      mp.lanes = e.lanes;
      // The lane waits backoffMs of service time, then polls again: the label lasts that long
      // (render.js), not until the next throttle (newuser7 F9.3: shown minutes after the queue drained).
      if (e.change === "backoff") {
        mp.backoffMs = e.backoffMs;
        mp.backoffUntil = e.time + (e.backoffMs ?? 0);
      }
      m.mappings.set(e.mappingId, mp);
      return true;
    }
    default:
      return false;
  }
}

function newMapping(uuid, functionName, eventSourceArn) {
  return { uuid, functionName, eventSourceArn, lanes: undefined, batches: 0, records: 0, errors: 0, partial: 0, throttled: 0, throttledRecords: 0, lastSize: 0, sizes: [], viewsSeq: undefined };
}

/** A stream shard's batch or given-up batch, unless the server's view of the shard includes it already (a trace's playback has none). */
function shardEvent(m, e, history) {
  const key = `${e.mappingId} ${e.shardId}`;
  const prev = m.shards.get(key);
  if (prev?.viewsSeq !== undefined && (history || e.seq <= prev.viewsSeq)) return;
  m.shards.set(key, nextShard(prev, e));
}
