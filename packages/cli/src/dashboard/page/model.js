// The dashboard's state: built from the snapshot and the sampled `views` frames (state-views.js), then
// from each event (telemetry schema, packages/core/src/telemetry/events.ts). Plain data, no DOM.
import { successOutcome } from "./async-finished.js";
import { applyAsyncEvent, finishAsync, pendingAsync } from "./async-model.js";
import { applyFanoutEvent, createFanout, FANOUT_EVENTS } from "./fanout-model.js";
import { applyMappingEvent } from "./mapping-model.js";
import { scheduleLabel, sourceLabel } from "./invocation-via.js";
import { markStory, request, row, rowKey } from "./invocation-rows.js";

const KEEP_RETIRED = 6;
const KEEP_CHIPS = 24;
export const KEEP_SAMPLES = 120;
const KEEP_WARNINGS = 4;

/** The event types applyEvent uses: what the page subscribes to (function logs come with an invocation's details). */
export const SHOWN_EVENTS = [
  "environment.state-changed", "invocation.started", "invocation.finished", "invocation.throttled", "invocation.recursive-loop", "fault.fired", "function.changed",
  "async.enqueued", "async.attempt.started", "async.attempt.failed", "async.retry.scheduled", "async.given-up", "async.delivered", "async.delivery-failed",
  "mapping.batch", "mapping.batch-given-up", "mapping.scaled", "message.moved-to-dlq", "clock.advanced", "clock.paused", "clock.resumed", "http.integration-failed", "schedule.delivered",
  "simulator.warning",
  ...FANOUT_EVENTS,
];

/**
 * What the page asks /_sim/events for (HubSubscription): the events it shows, without payloads and
 * log lines (fetched when an invocation is opened, GET /_sim/invocations/:id), and without what a
 * frame's later events hide (`coalesce`: a lane's busy/frozen flips before its last, a warm start
 * finished in the same frame; a frame is applied whole before the page draws, and an invocation's
 * `invocation.finished` tells it cold or warm), and the high-rate events as arrays (`compact`,
 * decoded by compact-events.js), and a busy frame's routine invocations summed (`summarize`: an
 * `invocations.summarized` item, core's invocation-summary.ts): watching costs the simulator less
 * (issue 15's bench), and the page's work follows its frames, not the invocation rate.
 */
export const PAGE_SUBSCRIPTION = { kind: "subscribe", types: SHOWN_EVENTS, previews: false, coalesce: true, compact: true, summarize: true };

export function createModel() {
  return {
    seq: 0, time: 0, costSeq: 0, playback: false,
    // This start of the simulator (the `started` view: { at, id }): what every count and the cost is since.
    started: undefined,
    // How service time runs (the `clock` view): { clock: "virtual" | "system" | "scaled" | "playback", scale, paused, speed, ended }.
    clock: undefined,
    functions: new Map(), envs: new Map(), account: {},
    // functionName -> the template logical id it was created for (the snapshot's `logicalIds` view, start-config.ts).
    logicalIds: new Map(),
    // The same for its queues, streams, topics and buses: { queue: Map(name -> logical id), ... } (resource-names.js).
    resourceIds: {},
    throttles: new Map(), // functionName -> { count, reason, caller, time }
    loops: new Map(), // functionName -> { count, caller, time }: invocations stopped in a recursive loop
    // The faults added (the `faults` view: spec, window, matched, fired), and per function what they injected.
    faults: [], injected: new Map(), // functionName -> { throttle, delay, other }
    queues: new Map(), mappings: new Map(), shards: new Map(), schedules: [], streams: [],
    // SNS topics and EventBridge buses (fanout-model.js).
    fanout: createFanout(),
    // Async events not finished yet (requestId -> when accepted, if known), kept apart from the
    // stories: a busy function's invocations push those out long before a throttled event succeeds.
    waiting: new Map(), pendingAsync: new Map(), finished: [], dlqMoves: [],
    // The invocation list's rows (row key -> row: one per invocation, each attempt of an async event
    // its own), and what belongs to a request id whatever its attempt (invocation-rows.js).
    invocations: new Map(), requests: new Map(), selected: undefined,
    // What the faults did to each request (fault.fired naming it), for its story; the latest 1,000 requests'.
    requestFaults: new Map(),
    // The simulator's latest warnings (its console's `lambda-sim: warning:` lines), newest last, each once.
    warnings: [],
    cost: { functions: {}, total: 0, prices: undefined },
    // functionName -> invocations the stream summed rather than sent one by one (a busy frame's routine ones): counted in the cost, not listed.
    summarized: new Map(),
    // A playback's functions -> the most environments its events showed busy at once since the lanes were last drawn
    // (the page clears it then): at ×10 a 50 ms invocation is busy for 5 ms, between two redraws (newuser15b F6).
    busyPeak: new Map(),
    dirty: new Set(["functions", "sources", "async", "invocations", "story", "cost"]),
  };
}

/** Every section redrawn (a snapshot or a sampled frame changed what they show). */
export function markAll(m) {
  for (const s of ["functions", "sources", "async", "invocations", "story", "cost"]) m.dirty.add(s);
}


function env(m, e) {
  let x = m.envs.get(e.environmentId);
  if (x === undefined) {
    x = { id: e.environmentId, functionName: e.functionName, version: e.version, state: "initializing", provisioned: false, chips: [] };
    m.envs.set(e.environmentId, x);
  }
  return x;
}

/** One event. `history`: from the snapshot's recent list (already reflected in its state views). */
export function applyEvent(m, e, history = false) {
  if (!history) {
    if (e.seq !== undefined && e.seq <= m.seq) return;
    if (e.seq !== undefined) m.seq = e.seq;
  }
  if (e.time > m.time) m.time = e.time;
  switch (e.type) {
    case "environment.state-changed": {
      if (history) return;
      const x = env(m, e);
      x.state = e.to;
      x.reason = e.reason;
      x.provisioned = x.provisioned || e.provisioned === true;
      if (e.to === "retired") pruneRetired(m, e.functionName);
      // Live, the views' gauge says what is in use each second; a playback has only its events.
      if (e.to === "busy" && m.playback) {
        let inUse = 0;
        for (const other of m.envs.values()) if (other.functionName === e.functionName && other.state === "busy") inUse++;
        m.busyPeak.set(e.functionName, Math.max(m.busyPeak.get(e.functionName) ?? 0, inUse));
      }
      m.dirty.add("functions");
      return;
    }
    case "invocation.started": {
      const s = row(m, e.requestId, e.functionName);
      Object.assign(s, { version: e.version, environmentId: e.environmentId, coldStart: e.coldStart, startedAt: e.time });
      if (e.payload !== undefined) s.payload = e.payload;
      if (e.via !== undefined) s.via = e.via;
      m.dirty.add("invocations");
      markStory(m, e.requestId);
      return;
    }
    case "invocation.finished": {
      const s = row(m, e.requestId, e.functionName);
      Object.assign(s, { version: e.version, environmentId: e.environmentId, durationMs: e.durationMs, billedDurationMs: e.billedDurationMs, initDurationMs: e.initDurationMs, maxMemoryUsedMb: e.maxMemoryUsedMb, status: e.status, errorType: e.errorType, functionErrorType: e.functionErrorType, finishedAt: e.time });
      if (e.result !== undefined) s.result = e.result;
      if (e.via !== undefined) s.via = e.via;
      if (s.coldStart === undefined) s.coldStart = e.initDurationMs !== undefined;
      // The attempt that ran has ended (async.attempt.failed, which follows a failure, says more).
      const tries = m.requests.get(e.requestId)?.attempts;
      const ran = tries?.at(-1);
      if (ran !== undefined && ran.outcome === undefined) ran.outcome = { kind: e.status };
      // One chip per invocation: each attempt of an async event has its own (same request id).
      const x = m.envs.get(e.environmentId);
      if (x && !x.chips.some((c) => c.key === s.key)) {
        x.chips.push({ key: s.key, requestId: e.requestId, attempt: s.attempt, cold: s.coldStart, ok: e.status === "success", ms: e.durationMs, initMs: e.initDurationMs });
        if (x.chips.length > KEEP_CHIPS) x.chips.shift();
      }
      if (!history && e.seq > m.costSeq) addCost(m, e.functionName, e.version, e.environmentId, 1, e.billedDurationMs);
      // A success is where an event without an OnSuccess destination ends (one with it also gets async.delivered).
      if (m.pendingAsync.has(e.requestId) && !history && e.status === "success") finishAsync(m, e, ...successOutcome(tries?.at(-1)?.attempt));
      m.dirty.add("invocations").add("functions").add("cost");
      markStory(m, e.requestId);
      return;
    }
    case "invocations.summarized":
      // The routine invocations of a busy frame, per environment: their requests and billed time (invocation-summary.ts).
      for (const [environmentId, functionName, version, count, billedMs] of e.environments) {
        if (e.seq > m.costSeq) addCost(m, functionName, version, environmentId, count, billedMs);
        m.summarized.set(functionName, (m.summarized.get(functionName) ?? 0) + count);
      }
      m.dirty.add("invocations").add("cost");
      return;
    case "invocation.throttled": {
      // The snapshot's view, when the server has it, counted the recent ones already.
      if (history && m.throttlesFromView) return;
      const t = m.throttles.get(e.functionName) ?? { count: 0 };
      t.count++;
      Object.assign(t, { reason: e.reason, caller: e.caller ?? "sync", time: e.time });
      m.throttles.set(e.functionName, t);
      m.dirty.add("functions");
      return;
    }
    case "simulator.warning": {
      m.warnings = [...m.warnings.filter((w) => w.message !== e.message), { message: e.message, time: e.time }].slice(-KEEP_WARNINGS);
      m.dirty.add("functions");
      return;
    }
    case "fault.fired": {
      if (e.requestId !== undefined) {
        const list = m.requestFaults.get(e.requestId) ?? [];
        list.push({ faultId: e.faultId, kind: e.kind, detail: e.detail });
        m.requestFaults.delete(e.requestId);
        m.requestFaults.set(e.requestId, list);
        if (m.requestFaults.size > 1000) m.requestFaults.delete(m.requestFaults.keys().next().value);
        markStory(m, e.requestId);
      }
      if (e.functionName === undefined) return;
      const i = m.injected.get(e.functionName) ?? { throttle: 0, delay: 0, other: 0 };
      if (e.kind === "throttle") i.throttle++;
      else if (e.kind === "latency" || e.kind === "slow-cold-start") i.delay++;
      else i.other++;
      m.injected.set(e.functionName, i);
      m.dirty.add("functions");
      return;
    }
    case "invocation.recursive-loop": {
      const l = m.loops.get(e.functionName) ?? { count: 0 };
      l.count++;
      Object.assign(l, { caller: e.caller, time: e.time });
      m.loops.set(e.functionName, l);
      m.dirty.add("functions");
      return;
    }
    case "function.log": {
      if (e.requestId === undefined) return;
      // A trace's playback carries the lines: they go to the attempt running (its Init's before its start).
      const s = row(m, e.requestId, e.functionName);
      if (s.logs.length < 200) s.logs.push(e.text);
      markStory(m, e.requestId);
      return;
    }
    case "function.changed":
      if (e.change === "deleted") m.functions.delete(e.functionName);
      m.dirty.add("functions");
      return;
    case "clock.paused":
    case "clock.resumed":
      // Between two sampled frames: the header says it at once. A trace's are history (its clock is the playback's).
      if (m.clock !== undefined && m.clock.clock !== "playback" && m.clock.clock !== "virtual") m.clock = { ...m.clock, paused: e.type === "clock.paused" };
      m.dirty.add("header");
      return;
    case "http.integration-failed": {
      row(m, e.requestId, e.functionName).front = e;
      m.dirty.add("invocations");
      markStory(m, e.requestId);
      return;
    }
    case "message.moved-to-dlq":
      m.dlqMoves.unshift(e);
      if (m.dlqMoves.length > 20) m.dlqMoves.pop();
      m.dirty.add("sources");
      return;
    case "schedule.delivered":
    case "sns.delivered":
    case "events.delivered":
      // A delivery that invoked a function (asynchronously): its rows name the topic, rule or
      // schedule, as a mapping's name its queue or stream (`sns:alerts`, `events:rule/nightly`,
      // `schedule:nightly`). Before the event's first attempt: each of its rows takes it (invocation-rows.js).
      if (e.requestId !== undefined) {
        request(m, e.requestId, undefined).source = e.type === "schedule.delivered" ? scheduleLabel(e.scheduleArn) : sourceLabel(e.type === "sns.delivered" ? e.topicArn : e.ruleArn);
        m.dirty.add("invocations");
      }
      if (applyFanoutEvent(m.fanout, e, history)) m.dirty.add("sources");
      return;
    default:
      if (applyAsyncEvent(m, e, history)) return;
      if (applyMappingEvent(m, e, history) || applyFanoutEvent(m.fanout, e, history)) m.dirty.add("sources");
      return;
  }
}

/** GET /_sim/invocations/:id (`?attempt=N` for an attempt's row): what the stream leaves out (payload, result, log lines). */
export function applyDetails(m, d) {
  const s = m.invocations.get(rowKey(d.requestId, d.attempt));
  if (s === undefined) return;
  if (d.payload !== undefined) s.payload = d.payload;
  if (d.result !== undefined) s.result = d.result;
  if (d.logs.length >= s.logs.length) s.logs = d.logs.slice();
}

function pruneRetired(m, functionName) {
  const retired = [...m.envs.values()].filter((x) => x.functionName === functionName && x.state === "retired");
  for (const x of retired.slice(0, Math.max(0, retired.length - KEEP_RETIRED))) m.envs.delete(x.id);
}

/**
 * The memory and architecture `version` of a function runs with: a published version's own (the
 * functions view's versionConfigs), else the function's as the views last said (a trace's
 * playback has no versions); undefined when the page has not seen the function.
 */
export function versionConfig(m, functionName, version) {
  const f = m.functions.get(functionName);
  return f?.versionConfigs?.[version] ?? f;
}

/**
 * `count` requests of one environment, `billedMs` in all, and their GB-seconds at the memory and
 * architecture of the version it runs (prices from the server's view), at Provisioned
 * Concurrency's duration price on a provisioned environment: core's lambda-cost.ts's arithmetic,
 * which the page cannot import.
 */
function addCost(m, functionName, version, environmentId, count, billedMs) {
  const prices = m.cost.prices;
  if (prices === undefined) return;
  const seen = versionConfig(m, functionName, version);
  // Lambda's defaults for what the page has not been told.
  const f = { memorySize: seen?.memorySize ?? 128, architecture: seen?.architecture ?? "x86_64" };
  const gbs = (f.memorySize / 1024) * (billedMs / 1000);
  const provisioned = m.envs.get(environmentId)?.provisioned === true && prices.provisionedPerGbSecond !== undefined;
  const rates = provisioned ? prices.provisionedPerGbSecond : prices.perGbSecond;
  const cost = count * prices.perRequest + gbs * (rates[f.architecture] ?? rates.x86_64);
  const c = (m.cost.functions[functionName] ??= { requests: 0, provisionedRequests: 0, gbSeconds: 0, cost: 0, memorySize: f.memorySize, architecture: f.architecture });
  c.requests += count;
  if (provisioned) c.provisionedRequests = (c.provisionedRequests ?? 0) + count;
  c.gbSeconds += gbs;
  c.cost += cost;
  // As the simulator's cost view has it: the memory of the last invocation priced.
  c.memorySize = f.memorySize;
  c.architecture = f.architecture;
  m.cost.total += cost;
}
