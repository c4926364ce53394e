// HTML for SNS topics and EventBridge buses in the Event sources section (state: fanout-model.js):
// each topic with its subscriptions, each bus with its rules and their targets, what each
// delivered, filtered out, retried, dead-lettered or dropped, and the last deliveries (one that
// invoked a function opens its story when clicked).
import { clockTime, dur, esc, name, short, spark } from "./format.js";
import { named, sourceNamed } from "./resource-names.js";

const COUNTS = `<th class="n">delivered</th><th class="n">failed</th><th class="n" title="failed deliveries waiting for their next attempt now">retrying</th><th class="n">to DLQ</th><th class="n">dropped</th>`;

/** A subscription endpoint or rule target as a short name: `lambda:fn`, `sqs:queue`, `bus:name`, an URL's host and path. */
export function shortName(arnOrUrl) {
  const s = String(arnOrUrl ?? "");
  if (/^https?:\/\//.test(s)) {
    try {
      const u = new URL(s);
      return `${u.host}${u.pathname}`;
    } catch {
      return s;
    }
  }
  const p = s.split(":");
  if (p[0] === "arn" && p[2] === "lambda") return `lambda:${p[6] ?? p[5]}${p[7] ? `:${p[7]}` : ""}`;
  if (p[0] === "arn" && p[2] === "events") return `bus:${s.slice(s.lastIndexOf("/") + 1)}`;
  return name(s);
}

/** An event pattern in a line: `source = shop; detail.total > 100`; the whole pattern goes in the row's title. */
export function patternSummary(text) {
  let pattern;
  try {
    pattern = JSON.parse(text);
  } catch {
    return String(text ?? "");
  }
  const parts = [];
  const walk = (obj, path) => {
    for (const [k, v] of Object.entries(obj ?? {})) {
      if (k === "$or" && Array.isArray(v)) parts.push(`any of ${v.length} patterns`);
      else if (Array.isArray(v)) parts.push(`${[...path, k].join(".")} ${v.map(matcher).join(" | ")}`);
      else if (typeof v === "object" && v !== null) walk(v, [...path, k]);
    }
  };
  walk(pattern, []);
  return parts.join("; ");
}

function matcher(v) {
  if (typeof v !== "object" || v === null) return `= ${JSON.stringify(v)}`;
  const [op, arg] = Object.entries(v)[0] ?? ["?", ""];
  if (op === "numeric" && Array.isArray(arg)) return arg.join(" ");
  if (op === "exists") return arg ? "exists" : "does not exist";
  return `${op} ${typeof arg === "object" ? JSON.stringify(arg) : arg}`;
}

const n = (v, cls = "", bad = false) => `<td class="n ${cls} ${bad && v ? "bad" : ""}">${v ?? 0}</td>`;
const counts = (c) => `${n(c.delivered, "delivered")}${n(c.failed, "failed", true)}${n(c.retrying, "retrying")}${n(c.deadLettered, "dead-lettered", true)}${n(c.dropped, "dropped", true)}`;
const curve = (history, label) => {
  const max = Math.max(1, ...history.map((h) => h.perSample));
  return `<svg class="spark" viewBox="0 0 100 32" preserveAspectRatio="none" aria-label="${esc(label)}">${spark(history, "perSample", "#1d5fd1", max)}</svg>`;
};

export function renderTopics(m) {
  const f = m.fanout;
  if (f.topics.size === 0) return "";
  let html = `<h3>Topics</h3><table class="fanout"><tr><th>topic / subscription</th><th>options</th><th class="n">filtered out</th>${COUNTS}</tr>`;
  for (const t of f.topics.values()) {
    html += `<tr class="topic" data-topic="${esc(t.name)}"><td><b>${named(m, "topic", t.name)}</b> <small>${t.fifo ? "FIFO" : "standard"}</small></td>
      <td colspan="7">published <b class="published">${t.published ?? 0}</b> ${curve(t.history, "publishes per second")} <small>per second</small></td></tr>`;
    for (const s of t.subscriptions.values()) {
      const opts = [s.pending ? `<span class="warn">pending confirmation</span>` : "", s.filterPolicy ? "filter policy" : "", s.rawMessageDelivery ? "raw delivery" : "", s.deadLetterArn ? `DLQ ${sourceNamed(m, shortName(s.deadLetterArn))}` : ""].filter(Boolean).join(" · ");
      html += `<tr class="subscription" data-subscription="${esc(s.arn)}" data-endpoint="${esc(shortName(s.endpoint))}"><td>→ ${shortName(s.endpoint).startsWith(`${s.protocol}:`) ? "" : `${esc(s.protocol)} `}<b>${sourceNamed(m, shortName(s.endpoint))}</b></td><td><small>${opts}</small></td>${n(s.filteredOut, "filtered")}${counts(s)}</tr>`;
    }
  }
  return html + `</table>` + recent(m, "sns");
}

export function renderBuses(m) {
  const f = m.fanout;
  const scheduled = m.schedules.filter((s) => s.kind === "rule");
  const shown = [...f.buses.values()].filter((b) => b.rules.size > 0 || b.accepted > 0 || (b.name === "default" && scheduled.length > 0));
  if (shown.length === 0) return "";
  let html = `<h3>Event buses</h3><table class="fanout"><tr><th>bus / rule / target</th><th>pattern or schedule</th><th class="n">matched</th>${COUNTS}</tr>`;
  for (const b of shown) {
    html += `<tr class="bus" data-bus="${esc(b.name)}"><td><b>${named(m, "bus", b.name)}</b></td><td colspan="7">events accepted <b class="accepted">${b.accepted ?? 0}</b> ${curve(b.history, "events per second")} <small>per second</small></td></tr>`;
    for (const r of b.rules.values()) {
      html += `<tr class="rule" data-rule="${esc(r.name)}"><td>${named(m, "rule", r.name)} ${state(r.state)}</td><td title="${esc(r.eventPattern)}"><small>${esc(patternSummary(r.eventPattern))}</small></td>${n(r.matched, "matched")}<td colspan="5"></td></tr>`;
      for (const t of r.targets.values()) {
        const opts = [t.retryPolicy?.MaximumRetryAttempts !== undefined ? `${t.retryPolicy.MaximumRetryAttempts} retries` : "", t.retryPolicy?.MaximumEventAgeInSeconds !== undefined ? `max age ${dur(t.retryPolicy.MaximumEventAgeInSeconds * 1000)}` : "", t.deadLetterArn ? `DLQ ${sourceNamed(m, shortName(t.deadLetterArn))}` : ""].filter(Boolean).join(" · ");
        html += `<tr class="target" data-target="${esc(`${r.name}/${t.id}`)}"><td>→ <b>${sourceNamed(m, shortName(t.arn))}</b> <small>${esc(t.id)}</small></td><td><small>${opts}</small></td><td></td>${counts(t)}</tr>`;
      }
    }
    // Scheduled rules are the schedules source's: their expression and targets, no event counts.
    if (b.name === "default") {
      for (const s of scheduled) {
        html += `<tr class="rule scheduled" data-rule="${esc(s.name)}"><td>${named(m, "rule", s.name)} ${state(s.state)}</td><td><small>${esc(s.expression)}${s.nextFireAt ? ` · next ${clockTime(s.nextFireAt)}` : ""}</small></td><td colspan="6"><small>${(s.targets ?? []).map((a) => `→ ${sourceNamed(m, shortName(a))}`).join(" ")}</small></td></tr>`;
      }
    }
  }
  return html + `</table>` + recent(m, "events");
}

const state = (s) => `<small class="${s === "DISABLED" ? "warn" : "ok"}">${s === "DISABLED" ? "disabled" : "enabled"}</small>`;

/** The last deliveries of topics or buses; one that invoked a function opens its story. */
function recent(m, kind) {
  const list = m.fanout.recent.filter((d) => d.kind === kind).slice(0, 8);
  if (list.length === 0) return "";
  const rows = list.map((d) => {
    const via = kind === "sns" ? m.fanout.topics.get(d.via)?.name ?? shortName(d.via) : d.via.slice(d.via.lastIndexOf("/") + 1);
    const sub = kind === "sns" ? m.fanout.topics.get(d.via)?.subscriptions.get(d.toArn) : undefined;
    const to = kind === "sns" ? (sub ? shortName(sub.endpoint) : d.toArn.slice(d.toArn.lastIndexOf(":") + 1)) : shortName(d.toArn);
    const o = d.outcome;
    const what = o.retryInMs !== undefined ? `${o.what} in ${dur(o.retryInMs)}` : o.deadLetterArn ? `${o.what} ${shortName(o.deadLetterArn)}` : o.what;
    const story = d.requestId ? ` data-request-id="${esc(d.requestId)}"` : "";
    return `<tr class="delivery${d.requestId ? " clickable" : ""}"${story}><td>${short(d.id)}</td><td>${kind === "sns" ? named(m, "topic", via) : named(m, "rule", via)} → ${sourceNamed(m, to)}</td><td class="${o.ok ? "ok" : "bad"}">${esc(what)}${o.detail ? ` <small title="${esc(o.detail)}">${esc(o.detail.length > 60 ? `${o.detail.slice(0, 60)}…` : o.detail)}</small>` : ""}</td><td>${d.requestId ? `request ${short(d.requestId)}` : ""}</td></tr>`;
  });
  return `<h3>Last deliveries <small>(${kind === "sns" ? "topics" : "buses"}; click one that invoked a function)</small></h3><table>${rows.join("")}</table>`;
}
