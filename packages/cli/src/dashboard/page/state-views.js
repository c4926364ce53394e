// The server's state views into the model (model.js): a snapshot, which replaces what it covers,
// and the sampled `views` frames, which the page draws over time.
import { rowDetail, rowWhere } from "./async-finished.js";
import { pendingAsync } from "./async-model.js";
import { applyFanoutViews } from "./fanout-model.js";
import { applyMappingViews } from "./mapping-model.js";
import { resourceIdsOf } from "./resource-names.js";
import { applyEvent, createModel, KEEP_SAMPLES, markAll } from "./model.js";

/**
 * A snapshot replaces everything it covers; its `recent` events, and the server's `backlog` of the
 * last invocations, DLQ moves and lanes' chips (dashboard-views.ts), fill the lists (not the state).
 * True when it is another start's (the simulator restarted while the page was open): the page has
 * then started afresh, so its lists agree with the counters and the cost, which count since this
 * start (newuser14 F11: five DLQ rows beside "1 moved").
 */
export function applySnapshot(m, snap) {
  const started = snap.views.started;
  const restarted = started !== undefined && m.started !== undefined && started.id !== m.started.id;
  // The template's names stay: a restarted simulator publishes them once its template is applied,
  // which may be after the page's snapshot (snapshot-only views); a later snapshot corrects them.
  if (restarted) Object.assign(m, createModel(), { logicalIds: m.logicalIds, resourceIds: m.resourceIds });
  if (started !== undefined) m.started = started;
  m.seq = snap.seq;
  m.envs.clear();
  m.waiting.clear();
  applyViews(m, snap);
  for (const e of snap.views.environments ?? []) {
    m.envs.set(e.id, { id: e.id, functionName: e.functionName, version: e.version, state: e.state, reason: e.reason, provisioned: e.provisioned, chips: [] });
  }
  // Each function's throttles since the start, from the server's view (dashboard-views.ts): the page counts on from there.
  m.throttlesFromView = snap.views.throttles !== undefined;
  if (m.throttlesFromView) m.throttles = new Map(Object.entries(snap.views.throttles).map(([fn, t]) => [fn, { ...t }]));
  // Finished async events from the server's view, which saw them all: the snapshot's recent
  // events are too few to rebuild the list once anything busy ran.
  const done = snap.views.asyncFinished;
  m.finishedFromView = done !== undefined;
  if (done) {
    m.finished = done.rows.map((r) => ({ ...r, outcomes: r.outcomes.slice() }));
    for (const id of done.running) pendingAsync(m, id, undefined);
  }
  // The server's backlog holds the DLQ moves it kept: the list is rebuilt from it, not added to.
  if (snap.views.backlog !== undefined) m.dlqMoves = [];
  for (const e of historyOf(snap)) applyEvent(m, e, true);
  // Each queue's curve as the server sampled it (its last two minutes), then the snapshot's own point.
  const curves = snap.views.queueCurves;
  if (curves !== undefined) {
    for (const q of m.queues.values()) {
      const server = (curves[q.name] ?? []).map(([t, visible, inflight, delayed]) => ({ t, visible, inflight, delayed }));
      q.history = [...server, ...q.history.slice(-1)].slice(-KEEP_SAMPLES);
    }
  }
  for (const f of m.finished) {
    const s = m.requests.get(f.requestId);
    if (s) s.async = { ...(s.async ?? {}), where: rowWhere(f), detail: rowDetail(f) };
  }
  m.seq = snap.seq;
  markAll(m);
  return restarted;
}

/** The snapshot's backlog and recent events, each once (by seq), in the order they came. */
export function historyOf(snap) {
  const backlog = snap.views.backlog ?? [];
  const seen = new Set(backlog.map((e) => e.seq).filter((n) => n !== undefined));
  const all = [...backlog, ...(snap.recent ?? []).filter((e) => e.seq === undefined || !seen.has(e.seq))];
  // Stable: events the server kept from before it numbered any (seq absent) stay first, in their order.
  return all.sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
}

/** A sampled `views` frame: gauges (queues, lanes, retries waiting, cost) drawn over time. */
export function applyViews(m, frame) {
  const v = frame.views;
  if (typeof v.time === "number") m.time = v.time;
  if (v.playback) m.playback = true;
  if (v.clock) {
    m.clock = v.clock;
    m.dirty.add("header");
  }
  if (v.account) m.account = v.account;
  // In a snapshot, or a scenario trace's views line (lambda-sim ui --trace).
  if (v.logicalIds) m.logicalIds = new Map(Object.entries(v.logicalIds));
  if (v.resourceIds) m.resourceIds = resourceIdsOf(v.resourceIds);
  // Redrawn only when there are faults to show or to take away (every sampled frame carries the list).
  if (v.faults && (v.faults.length > 0 || m.faults.length > 0)) {
    m.faults = v.faults;
    m.dirty.add("functions");
  }
  for (const f of v.functions ?? []) m.functions.set(f.name, f);
  if (v.cost) { m.cost = v.cost; m.costSeq = frame.seq; }
  // The view lists every queue there is: a deleted one's row goes at the next frame.
  if (v.queues !== undefined) {
    const live = new Set(v.queues.map((q) => q.name));
    for (const name of m.queues.keys()) if (!live.has(name)) m.queues.delete(name);
  }
  for (const q of v.queues ?? []) {
    const prev = m.queues.get(q.name);
    const history = prev?.history ?? [];
    history.push({ t: m.time, visible: q.visible, inflight: q.inflight, delayed: q.delayed });
    if (history.length > KEEP_SAMPLES) history.shift();
    m.queues.set(q.name, { ...q, history });
  }
  applyMappingViews(m, v, frame.seq);
  if (v.schedules) m.schedules = v.schedules;
  applyFanoutViews(m.fanout, v, frame.seq, m.time);
  if (v.streams) m.streams = v.streams;
  if (v.asyncRetries) {
    m.waiting.clear();
    for (const r of v.asyncRetries) {
      m.waiting.set(r.requestId, r);
      pendingAsync(m, r.requestId, r.enqueuedAt);
    }
  }
  markAll(m);
}
