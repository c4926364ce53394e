// The dashboard's state of SNS topics and EventBridge buses (model.js keeps it in `m.fanout`).
// The sampled `topics` and `buses` views (packages/sources/src/sns/index.ts, events/buses-view.ts)
// carry each topic, subscription, bus, rule and target with its counts since the simulator
// started, exactly as of the frame's seq; the events after it add to those counts until the next
// sample, so the page is live between samples and never counts an event twice.

const KEEP_SAMPLES = 120;
const KEEP_RECENT = 40;

/** The event types this state reads (telemetry schema, packages/core/src/telemetry/events.ts). */
export const FANOUT_EVENTS = ["sns.published", "sns.delivered", "sns.delivery-failed", "events.routed", "events.delivered", "events.delivery-failed"];

export function createFanout() {
  // topics: arn -> topic; buses: name -> bus; `countedTo`: the seq the views' counts stand at.
  return { countedTo: 0, topics: new Map(), buses: new Map(), recent: [] };
}

const ZERO = { delivered: 0, failed: 0, retrying: 0, deadLettered: 0, dropped: 0 };

/** A `views` or `snapshot` frame: topics and buses as the server counts them at `seq`. */
export function applyFanoutViews(f, views, seq, time) {
  if (views.topics === undefined && views.buses === undefined) return;
  if (typeof seq === "number") f.countedTo = seq;
  if (Array.isArray(views.topics)) {
    const seen = new Map();
    for (const t of views.topics) {
      const prev = f.topics.get(t.arn);
      seen.set(t.arn, { ...t, subscriptions: new Map(t.subscriptions.map((s) => [s.arn, s])), history: sample(prev?.history, time, t.published ?? 0) });
    }
    f.topics = seen;
  }
  if (Array.isArray(views.buses?.list)) {
    const seen = new Map();
    for (const b of views.buses.list) {
      const prev = f.buses.get(b.name);
      const rules = new Map(b.rules.map((r) => [r.arn, { ...r, targets: new Map(r.targets.map((t) => [t.id, t])) }]));
      seen.set(b.name, { ...b, rules, history: sample(prev?.history, time, b.accepted ?? 0) });
    }
    f.buses = seen;
  }
}

/** Adds a sample of a running total: the curve shows how many arrived since the sample before. */
function sample(history = [], t, total) {
  const last = history[history.length - 1];
  history.push({ t, total, perSample: last === undefined ? 0 : Math.max(0, total - last.total) });
  if (history.length > KEEP_SAMPLES) history.shift();
  return history;
}

/**
 * One event; true when it changed what the Event sources section shows. `history`: from the
 * snapshot's recent list, already counted in its views (it only fills the recent deliveries).
 */
export function applyFanoutEvent(f, e, history) {
  if (!FANOUT_EVENTS.includes(e.type)) return false;
  const count = !history && e.seq !== undefined && e.seq > f.countedTo;
  switch (e.type) {
    case "sns.published": {
      if (!count) return false;
      const t = topic(f, e.topicArn);
      t.published = (t.published ?? 0) + 1;
      for (const arn of e.filteredOut ?? []) subscription(t, arn).filteredOut++;
      return true;
    }
    case "sns.delivered":
    case "sns.delivery-failed": {
      if (count) tally(subscription(topic(f, e.topicArn), e.subscriptionArn), e);
      remember(f, { kind: "sns", time: e.time, requestId: e.requestId, id: e.messageId, via: e.topicArn, toArn: e.subscriptionArn, outcome: outcome(e) });
      return true;
    }
    case "events.routed": {
      if (!count) return false;
      const b = bus(f, e.busName);
      b.accepted = (b.accepted ?? 0) + 1;
      for (const arn of e.rules) {
        const r = b.rules.get(arn);
        if (r) r.matched = (r.matched ?? 0) + 1;
      }
      return true;
    }
    case "events.delivered":
    case "events.delivery-failed": {
      const target = ruleOf(f, e.ruleArn)?.targets.get(e.targetId);
      if (count && target) tally(target, e);
      remember(f, { kind: "events", time: e.time, requestId: e.requestId, id: e.eventId, via: e.ruleArn, toArn: e.targetArn, targetId: e.targetId, outcome: outcome(e) });
      return true;
    }
    default:
      return false;
  }
}

/** delivered, failed (retried: the `retrying` gauge comes with the next sample), to the DLQ, dropped. */
function tally(c, e) {
  if (e.type.endsWith(".delivered")) c.delivered++;
  else {
    c.failed++;
    if (e.retryInMs === undefined && e.deadLetterArn !== undefined) c.deadLettered++;
    else if (e.retryInMs === undefined) c.dropped++;
  }
}

function outcome(e) {
  if (e.type.endsWith(".delivered")) return { what: "delivered", ok: true, detail: e.attempt > 1 ? `at attempt ${e.attempt}` : "" };
  if (e.retryInMs !== undefined) return { what: "failed, retrying", retryInMs: e.retryInMs, detail: e.error };
  if (e.deadLetterArn !== undefined) return { what: "sent to DLQ", deadLetterArn: e.deadLetterArn, detail: e.error };
  return { what: "dropped", detail: e.error };
}

function remember(f, d) {
  f.recent.unshift(d);
  if (f.recent.length > KEEP_RECENT) f.recent.pop();
}

/** A topic the last sample did not have yet (created since): named from its ARN until the next. */
function topic(f, arn) {
  let t = f.topics.get(arn);
  if (t === undefined) {
    t = { arn, name: arn.slice(arn.lastIndexOf(":") + 1), fifo: arn.endsWith(".fifo"), published: 0, subscriptions: new Map(), history: [] };
    f.topics.set(arn, t);
  }
  return t;
}

function subscription(t, arn) {
  let s = t.subscriptions.get(arn);
  if (s === undefined) {
    s = { arn, protocol: "?", endpoint: arn, filteredOut: 0, ...ZERO };
    t.subscriptions.set(arn, s);
  }
  return s;
}

function bus(f, name) {
  let b = f.buses.get(name);
  if (b === undefined) {
    b = { name, accepted: 0, rules: new Map(), history: [] };
    f.buses.set(name, b);
  }
  return b;
}

function ruleOf(f, arn) {
  for (const b of f.buses.values()) {
    const r = b.rules.get(arn);
    if (r) return r;
  }
  return undefined;
}
