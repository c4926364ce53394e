// HTML for each section, from the model (model.js). Every string from the simulator is escaped.
import { renderBuses, renderTopics } from "./fanout-render.js";
import { clockTime, dur, durationText, esc, name, short, spark } from "./format.js";
import { plainSuccess, rowDetail, rowWhere } from "./async-finished.js";
import { stalled } from "./shard-consumers.js";
import { attemptLabel } from "./invocation-rows.js";
import { fnLabel, named, sourceNamed } from "./resource-names.js";
import { faultState } from "./fault-state.js";

export { renderInvocations, renderStory } from "./invocation-render.js";

/** Async events listed as finished; of them, at most this many that only succeeded (a schedule's ticks). */
const FINISHED_ROWS = 25;
const FINISHED_SUCCESS_ROWS = 10;

/** What a mapping's concurrent batches are, in AWS's words (aws-facts §6): the page's lanes are execution environments only. */
const CONCURRENT_BATCHES = "batches the mapping's pollers have in flight at once: an SQS mapping starts with 5 and adds up to 300 a minute while the queue has a backlog; ScalingConfig's MaximumConcurrency caps them";

/**
 * `since 11:08:24, this start`: every count and the cost are the simulator's since it started (a
 * restart begins them again: newuser14 F6), so the page says since when; "" when the simulator
 * does not say (a trace's playback).
 */
export function since(m) {
  if (m.started === undefined) return "";
  const at = clockTime(m.started.at);
  return `<small class="since" title="counted since the simulator started at ${esc(at)} (service time); a restart starts the counts, the cost and the lists again">since ${esc(at.slice(11))}, this start</small>`;
}

const dollars = (n) => `$${n < 0.01 ? n.toFixed(7) : n.toFixed(4)}`;
const STATE = { initializing: "initializing", busy: "busy", idle: "frozen", reset: "reset", retiring: "retiring", retired: "retired" };
/** Why an environment left service (RETIRE_REASONS in core's telemetry/events.ts), for the lane legend. */
const RETIRE_REASONS = {
  "idle-timeout": "idle for its lifetime",
  "code-updated": "code or configuration updated",
  "provisioned-released": "provisioned concurrency released (config deleted or lowered, alias moved)",
  "function-deleted": "function or version deleted",
  "init-failed": "Init failed",
  "init-timeout": "Init timed out",
  shutdown: "simulator stopped",
};
/**
 * Why an environment was reset (RESET_CAUSES in core's telemetry/events.ts): its runtime killed,
 * /tmp kept, the next invocation re-running Init in it (aws-facts §3), with the error AWS reports.
 */
const RESET_CAUSES = {
  timeout: "reset: the function's timeout ran out (Sandbox.Timedout)",
  crash: "reset: the runtime exited (Runtime.ExitError)",
  "out-of-memory": "reset: it went over its memory size (Runtime.OutOfMemory)",
  "extension-crash": "reset: one of its extensions died",
};
const WHY = { ...RETIRE_REASONS, ...RESET_CAUSES };
/**
 * What the lanes and a retired one's reason mean: drawn once, folded (a <details> outside the
 * redrawn body keeps its open state), so at 1280x720 the lanes and the event sources share the
 * first screen (newuser7 F9.4).
 */
export function laneLegend() {
  return `<summary>One lane per execution environment; a retired or reset one says why</summary>${Object.entries(WHY)
    .map(([reason, meaning]) => `<span data-reason="${reason}"><small>${reason}</small> ${meaning}</span>`)
    .join("")}`;
}

/**
 * What a function without a lane to draw says: it never had an environment, or (a page opened after
 * they went: the snapshot holds live environments only) they all retired, counted by reason.
 */
function noLanes(retired) {
  const reasons = Object.entries(retired ?? {});
  if (reasons.length === 0) return "no environment yet";
  const total = reasons.reduce((n, [, c]) => n + c, 0);
  return `all ${total} environment(s) retired (${reasons.map(([r, c]) => `${c} ${esc(RETIRE_REASONS[r] ?? r)}`).join(", ")})`;
}

/** What the simulator warned of (an un-bundled SDK client, a setting it ignores), as its console says it. */
function renderWarnings(m) {
  if (!m.warnings?.length) return "";
  return m.warnings.map((w) => `<p class="warning">lambda-sim: ${esc(w.message)} <small>${esc(clockTime(w.time))}</small></p>`).join("");
}

/** The faults added (POST /_sim/faults, `faults:`): what each does, its scope, window and counts. */
function renderFaults(m) {
  if (!m.faults?.length) return "";
  const item = (f) => {
    // The function by its logical id (the generated name in its title), as the lanes name it (newuser14 F2).
    const scope = [f.function && named(m, "function", f.function), f.qualifier && `:${esc(f.qualifier)}`, f.source && `from ${sourceNamed(m, f.source)}`, f.mapping && `mapping ${short(f.mapping)}`, f.target && `to ${sourceNamed(m, f.target)}`].filter(Boolean).join(" ");
    const { state, at } = faultState(f, m.time);
    const until = state === "used-up" ? "used up" : at === undefined ? state : `${state} ${clockTime(at)}`;
    const fired = f.times === undefined || f.times === null ? `fired ${f.fired} of ${f.matched} matched` : `<span title="${f.matched} invocation(s) matched its scope">fired ${f.fired} of ${f.times}</span>`;
    return `<span class="fault${state === "used-up" || state === "ended" ? " over" : ""}" data-fault="${esc(f.id)}" data-state="${state}"><b>${esc(f.id)}</b> ${esc(f.kind)}${scope ? ` on ${scope}` : ""} — ${fired}, ${esc(until)}</span>`;
  };
  return `<p class="faults">Faults: ${m.faults.map(item).join(" · ")}</p>`;
}

/**
 * The functions, their environments' lanes and each lane's latest invocations. `view.chips`: how
 * many chips a lane can show (the page measures its lanes: a lane's chips stay on one line, the
 * older ones cut off), so that the chips out of sight are not drawn at all: 60 lanes of 24 chips
 * were most of the page's work at 2,000 invocations a second (bench/page.ts, issue 15).
 */
export function renderFunctions(m, view = {}) {
  const names = new Set([...m.functions.keys(), ...[...m.envs.values()].map((e) => e.functionName)]);
  if (names.size === 0) return `${renderWarnings(m)}<p class="empty">No functions yet.</p>`;
  const acct = m.account;
  // A playback's views carry no gauge: what is in use is what its events show busy.
  const busyAll = [...m.envs.values()].filter((e) => e.state === "busy").length;
  const head = renderWarnings(m) + renderFaults(m) + (acct.ConcurrentExecutions ? `<p class="gauge">Account: <b>${acct.inFlight ?? busyAll}</b> in use of <b>${acct.ConcurrentExecutions}</b> (unreserved ${acct.UnreservedConcurrentExecutions})</p>` : "");
  return head + [...names].sort().map((fn) => {
    const f = m.functions.get(fn) ?? {};
    const envs = [...m.envs.values()].filter((e) => e.functionName === fn);
    const live = envs.filter((e) => e.state !== "retired");
    const busy = envs.filter((e) => e.state === "busy").length;
    const t = m.throttles.get(fn);
    const loop = m.loops?.get(fn);
    const injected = m.injected?.get(fn);
    const reserved = f.reservedConcurrency === undefined || f.reservedConcurrency === null ? "unreserved" : `reserved <b>${f.reservedConcurrency}</b>`;
    const lanes = envs.map((e) => `
      <div class="lane ${e.state === "retired" ? "retired" : ""}" data-env-id="${esc(e.id)}" data-state="${esc(e.state)}">
        <span class="id">${short(e.id)} <small>${esc(e.version)}</small></span>
        <span><span class="badge ${esc(e.state)}">${STATE[e.state] ?? esc(e.state)}</span>${e.provisioned ? `<span class="badge pc" title="provisioned concurrency">provisioned</span>` : ""}${(e.state === "retired" || e.state === "retiring" || e.state === "reset") && e.reason ? ` <small class="why" title="${esc(WHY[e.reason] ?? "")}">${esc(e.reason)}</small>` : ""}</span>
        <span class="chips">${latest(e.chips, view.chips).map((c) => chip(m, c)).join("")}</span>
      </div>`).join("");
    return `<div class="fn" data-function="${esc(fn)}">
      <div class="fn-head">
        <span class="fn-name">${fnLabel(m, fn)}</span>
        <small>${esc(f.runtime ?? "")} ${f.memorySize ?? ""} MB ${esc(f.architecture ?? "")}</small>
        <span class="gauge">concurrency <b class="in-use">${f.inFlight ?? Math.max(busy, m.busyPeak?.get(fn) ?? 0)}</b> in use, ${reserved}</span>
        <span class="gauge">${live.length} environment(s)</span>
        ${t ? `<span class="throttle"${m.started ? ` title="since the simulator started at ${esc(clockTime(m.started.at))}, this start"` : ""}>throttled ${t.count}× — ${esc(t.reason)} <small>(by ${sourceNamed(m, name(t.caller))})</small></span>` : ""}
        ${injected ? `<span class="throttle injected" title="what the faults (POST /_sim/faults, faults:) did to this function">${[injected.throttle ? `${injected.throttle} throttle(s)` : "", injected.delay ? `${injected.delay} delay(s)` : "", injected.other ? `${injected.other} outcome(s)` : ""].filter(Boolean).join(", ")} injected by faults</span>` : ""}
        ${loop ? `<span class="throttle" title="Lambda stops the 17th invocation of one chain of events (RecursiveLoop Terminate)">recursive loop stopped ${loop.count}× <small>(by ${sourceNamed(m, name(loop.caller))})</small></span>` : ""}
      </div>
      <div class="lanes">${lanes || `<span class="empty">${noLanes(f.retired)}</span>`}</div>
    </div>`;
  }).join("");
}

/** A lane's chips, newest first: at most `room` of them (at least one), or all. */
const latest = (chips, room) => (room === undefined ? chips : chips.slice(-Math.max(1, room))).toReversed();

/** One invocation on its environment's lane: cold or warm, its duration, and which attempt of a retried async event it was. */
function chip(m, c) {
  const attempt = attemptLabel(m, c);
  return `<span class="chip ${c.ok ? (c.cold ? "cold" : "warm") : "error"}" data-request-id="${esc(c.requestId)}" data-key="${esc(c.key ?? c.requestId)}"${c.attempt === undefined ? "" : ` data-attempt="${c.attempt}"`} title="${esc(c.requestId)}${attempt ? ` ${attempt}` : ""}">${c.cold ? "cold" : "warm"} ${durationText(c.ms, c.initMs)}${attempt ? ` · ${attempt}` : ""}</span>`;
}

export function renderSources(m) {
  let html = "";
  if (m.queues.size > 0) {
    html += `<h3>Queues</h3><table><tr><th>queue</th><th class="n">visible</th><th class="n">in flight</th><th class="n">delayed</th><th class="n" title="ApproximateAgeOfOldestMessage: how long the oldest message in the queue has waited (service time)">oldest</th><th>over time <span class="legend"><span style="color:#1d5fd1">visible</span><span style="color:#a85d00">in flight</span></span></th><th title="its redrive policy's dead-letter queue, and the messages moved there">DLQ ${since(m)}</th></tr>`;
    for (const q of m.queues.values()) {
      const max = Math.max(1, ...q.history.map((h) => Math.max(h.visible, h.inflight, h.delayed)));
      const dl = q.deadLetters ?? { moved: 0, neverReachedFunction: 0, stoppedInLoop: 0 };
      html += `<tr data-queue="${esc(q.name)}"><td class="nw">${named(m, "queue", q.name)}</td><td class="n visible">${q.visible}</td><td class="n inflight">${q.inflight}</td><td class="n delayed">${q.delayed}</td><td class="n age">${q.ageOfOldestMessageSeconds ? dur(q.ageOfOldestMessageSeconds * 1000) : "—"}</td>
        <td><svg class="spark" viewBox="0 0 100 32" preserveAspectRatio="none">${spark(q.history, "visible", "#1d5fd1", max)}${spark(q.history, "inflight", "#a85d00", max)}</svg></td>
        <td>${q.deadLetterQueue ? `${named(m, "queue", q.deadLetterQueue)}: <b class="moved">${dl.moved}</b> moved${dl.neverReachedFunction ? `, <span class="bad never">${dl.neverReachedFunction} never reached the function (throttled)</span>` : ""}${dl.stoppedInLoop ? `, <span class="bad loop">${dl.stoppedInLoop} stopped in a recursive loop</span>` : ""}` : `<small>none</small>`}</td></tr>`;
    }
    html += `</table>`;
  }
  if (m.dlqMoves.length > 0) {
    html += `<h3>Moved to a dead-letter queue ${since(m)}</h3><table>${m.dlqMoves.slice(0, 6).map((e) => `<tr class="dlq-move"><td>${short(e.messageId)}</td><td>${named(m, "queue", e.queue)} → ${named(m, "queue", e.deadLetterQueue)}</td><td>received ${e.receiveCount}× (max ${e.maxReceiveCount})${e.stoppedInLoop === true ? ` <span class="bad">stopped in a recursive loop (its chain had invoked the function 16 times)</span>` : e.reachedFunction === false ? ` <span class="bad">never reached the function: every receive was throttled</span>` : ""}</td></tr>`).join("")}</table>`;
  }
  if (m.mappings.size > 0) {
    html += `<h3>Event source mappings ${since(m)}</h3><table class="mappings"><tr><th>mapping</th><th class="n" title="${CONCURRENT_BATCHES}">concurrent batches</th><th class="n">batches</th><th class="n">last size</th><th class="n">errors</th><th class="n" title="batches whose response listed batchItemFailures (ReportBatchItemFailures): a success for Lambda, those records go back to their source">batch item failures</th><th class="n">throttled</th><th class="n" title="records of throttled batches: the function never ran with them">throttled records</th></tr>`;
    for (const mp of m.mappings.values()) {
      html += `<tr data-mapping="${esc(mp.uuid)}"><td><span class="nw">${sourceNamed(m, name(mp.eventSourceArn))}</span> → <span class="nw">${named(m, "function", mp.functionName)}</span>${mp.state && mp.state !== "Enabled" ? ` <small>${esc(mp.state)}</small>` : ""}</td><td class="n concurrency">${mp.lanes ?? "—"}</td><td class="n">${mp.batches}</td><td class="n">${mp.lastSize}${mp.batchSize ? `<small>/${mp.batchSize}</small>` : ""}</td><td class="n ${mp.errors ? "bad" : ""}">${mp.errors}</td><td class="n">${mp.partial}</td><td class="n ${mp.throttled ? "warn" : ""}">${mp.throttled}${mp.backoffMs && m.time < mp.backoffUntil ? ` <small class="backoff">backoff ${dur(mp.backoffMs)}</small>` : ""}</td><td class="n throttled-records ${mp.throttledRecords ? "warn" : ""}" title="records of throttled batches: the function never ran with them; SQS messages come back at their visibility timeout and each receive counts towards maxReceiveCount">${mp.throttledRecords ?? 0}</td></tr>`;
    }
    html += `</table>`;
  }
  const shards = [...m.shards.values()];
  if (m.streams.length > 0 || shards.length > 0) {
    html += `<h3>Streams</h3><table class="shards"><tr><th>stream / shard</th><th>consumer</th><th>given up → OnFailure</th><th class="n">iterator age</th></tr>`;
    for (const s of streamsOf(m, shards)) {
      html += `<tr class="stream" data-stream="${esc(s.name)}"><td colspan="4">${named(m, "stream", s.name)} <small>${s.shards.length} shard${s.shards.length === 1 ? "" : "s"}</small></td></tr>`;
      for (const sh of s.shards) {
      const seen = shards.filter((x) => name(x.eventSourceArn).endsWith(`:${s.name}`) && x.shardId === sh.shardId);
      // A mapping that has not sent this shard a batch yet (nothing to read) is its consumer all the same.
      const waiting = [...m.mappings.values()].filter((mp) => name(mp.eventSourceArn) === `kinesis:${s.name}` && !seen.some((x) => x.mappingId === mp.uuid));
      const consumers = [...seen.map(consumer), ...waiting.map((mp) => `<span class="nw">${esc(mp.functionName)}</span> <small>no batch yet</small>`)];
      // The simulator's `streams` view knows each shard's newest record (a trace's playback does not).
      const newest = s.seen ? false : sh.newestArrival;
      html += `<tr data-shard="${esc(s.name)} ${esc(sh.shardId)}"><td class="shard-id" title="${esc(s.name)} / ${esc(sh.shardId)}">${esc(sh.shardId)}</td><td class="consumer">${consumers.join("<br>") || "<small>—</small>"}</td><td class="given-up">${seen.map((x) => givenUp(x, m.time)).join("<br>") || "<small>—</small>"}</td><td class="n age">${seen.map((x) => iteratorAge(x, m.time, newest)).join("<br>") || "—"}</td></tr>`;
      }
    }
    html += `</table>`;
  }
  if (m.schedules.length > 0) {
    html += `<h3>Schedules</h3><table><tr><th>schedule</th><th>expression</th><th>next fire</th></tr>${m.schedules.map((s) => `<tr data-schedule="${esc(s.name)}"><td>${s.group && s.group !== "default" && s.kind !== "rule" ? `${esc(s.group)}/` : ""}${named(m, s.kind === "rule" ? "rule" : "schedule", s.name)}</td><td><small>${esc(s.expression)}</small></td><td class="next-fire">${nextFire(s, m.time)}</td></tr>`).join("")}</table>`;
  }
  // SNS topics and EventBridge buses with what fanned out through them (fanout-render.js).
  html += renderTopics(m) + renderBuses(m);
  return html || `<p class="empty">No queues, streams, schedules, topics or buses.</p>`;
}

/**
 * When a schedule fires next. One with no fire left (an at() whose time passed, an EndDate passed)
 * stays listed on AWS unless its ActionAfterCompletion is DELETE, and ENABLED (Scheduler's State
 * is only ENABLED or DISABLED, aws-facts §9.2): the page says it will not fire again, not its state.
 */
function nextFire(s, now) {
  // Service time may pass the fire's time before its event arrives (a sampled frame, a busy target): not "in -2792 ms" (newuser11 N3-2).
  if (s.nextFireAt) return `${clockTime(s.nextFireAt)} <small>(${s.nextFireAt - now <= 0 ? "due now" : `in ${dur(s.nextFireAt - now)}`})</small>`;
  if (s.state !== "ENABLED") return `<small>${esc(s.state)}</small>`;
  return `none: will not fire again <small>(${s.lastFireAt ? `last fired ${clockTime(s.lastFireAt)}` : "its time passed without a fire"}; still ENABLED, as on AWS)</small>`;
}

/**
 * The streams and their shards: the simulator's `streams` view, and the shards its batches name
 * that the view does not list (a trace's playback has no views: its `mapping.batch` events are all
 * it knows of the shards).
 */
function streamsOf(m, shards) {
  const streams = m.streams.map((s) => ({ name: s.name, shards: [...s.shards] }));
  for (const x of shards) {
    const streamName = name(x.eventSourceArn).replace(/^kinesis:/, "");
    let s = streams.find((y) => y.name === streamName);
    if (s === undefined) streams.push((s = { name: streamName, shards: [], seen: true }));
    if (!s.shards.some((sh) => sh.shardId === x.shardId)) s.shards.push({ shardId: x.shardId });
  }
  for (const s of streams) if (s.seen) s.shards.sort((a, b) => (a.shardId < b.shardId ? -1 : 1));
  return streams;
}

/** A shard's consumer; held on a batch that did not succeed (failed, throttled, in part failed), it is retried. */
const consumer = (x) => `<span class="nw">${esc(x.functionName)}</span>${stalled(x) ? ` <small class="bad" title="the shard waits on this batch: it is retried, nothing after it is read">retrying (last batch ${esc(x.outcome)}${x.lane === undefined ? "" : `, concurrent batch ${x.lane}`})</small>` : ""}`;

/**
 * AWS's IteratorAge: the age of the batch's last record when it was sent. While the shard is held
 * on that batch, that record only gets older between the retries (backed off up to a minute
 * apart): the age grows with service time. Otherwise the last batch's.
 */
function iteratorAge(x, now, newest) {
  if (x.iteratorAgeMs === undefined) return "—";
  if (stalled(x)) return dur(x.iteratorAgeMs + Math.max(0, now - x.time));
  // Nothing left to read: AWS publishes no IteratorAge without a batch; the last one's would look frozen.
  const last = `its last batch's iterator age was ${dur(x.iteratorAgeMs)}`;
  if (newest === undefined) return `<span class="idle" title="the shard holds no record now (${last})">idle</span>`;
  if (newest !== false && x.readToMs !== undefined && x.readToMs >= newest) return `<span class="caught-up" title="read to the shard's newest record (${last})">caught up</span>`;
  return dur(x.iteratorAgeMs);
}

/** A shard's batches given up (after MaximumRetryAttempts, or records past MaximumRecordAgeInSeconds) and where their records went; its last failure. */
function givenUp(x, now) {
  const g = x.givenUp;
  const when = (t) => `${clockTime(t).slice(11)}, ${dur(Math.max(0, now - t))} ago`;
  const failure = x.lastFailureAt === undefined ? "" : `<small class="last-failure">last failure ${when(x.lastFailureAt)}</small>`;
  if (g === undefined) return failure || "<small>—</small>";
  const where = g.last.destination === undefined ? "discarded (no OnFailure destination)" : `→ ${esc(name(g.last.destination))}`;
  const lost = g.records - g.sent;
  const head = `<span class="bad">${g.batches} batch${g.batches === 1 ? "" : "es"}, ${g.records} record${g.records === 1 ? "" : "s"}</span> ${where}${lost > 0 && g.sent > 0 ? ` <small class="bad">(${lost} not delivered)</small>` : g.last.error ? ` <small class="bad">not delivered: ${esc(g.last.error)}</small>` : ""}`;
  return `${head}<br><small>${esc(g.last.condition)}</small>${failure ? ` · ${failure}` : ""}`;
}

export function renderAsync(m) {
  const waiting = [...m.waiting.values()].sort((a, b) => a.nextAttemptAt - b.nextAttemptAt);
  let html = `<h3>Waiting for a retry (${waiting.length})</h3>`;
  html += waiting.length === 0 ? `<p class="empty">none</p>` : `<table><tr><th>request</th><th>function</th><th>next attempt</th><th class="n">age</th></tr>${waiting.slice(0, 15).map((w) => `<tr class="clickable" data-request-id="${esc(w.requestId)}"><td>${short(w.requestId)}</td><td>${fnLabel(m, w.functionName)}</td><td>in ${dur(Math.max(0, w.nextAttemptAt - m.time))}</td><td class="n">${w.enqueuedAt ? dur(m.time - w.enqueuedAt) : "—"}</td></tr>`).join("")}</table>`;
  html += `<h3>Finished</h3>`;
  // The latest successes without a destination, and every other outcome kept, up to FINISHED_ROWS.
  let successes = 0;
  const rows = m.finished.filter((f) => !plainSuccess(f) || successes++ < FINISHED_SUCCESS_ROWS).slice(0, FINISHED_ROWS);
  html += rows.length === 0 ? `<p class="empty">none yet</p>` : `<table>${rows.map((f) => `<tr class="clickable" data-request-id="${esc(f.requestId)}"><td>${short(f.requestId)}</td><td>${fnLabel(m, f.functionName)}</td><td class="${f.outcomes.every((o) => o.where === "success" || o.where === "OnSuccess") ? "ok" : "bad"}">${esc(rowWhere(f))}</td><td><small>${esc(rowDetail(f))}</small></td></tr>`).join("")}</table>`;
  return html;
}

export function renderCost(m) {
  const fns = Object.entries(m.cost.functions ?? {});
  const p = m.cost.prices;
  // Lambda's requests and GB-s only (not API Gateway, SQS, EventBridge); the durations are this machine's wall time (newuser14 F13).
  return `<p><span id="cost-total">${dollars(m.cost.total ?? 0)}</span> <small>total</small> ${since(m) || "<small>so far</small>"}</p>
    <p class="caption"><small>Durations, so GB-seconds, are measured on this machine: a burst of cold starts on a small machine runs slower, and costs more here, than on AWS.</small></p>
    <table><tr><th>function</th><th class="n">requests</th><th class="n">GB-seconds</th><th>memory</th><th class="n">cost</th></tr>
    ${fns.map(([n, c]) => `<tr data-cost="${esc(n)}"><td>${fnLabel(m, n)}</td><td class="n">${c.requests}${c.provisionedRequests ? ` <small title="ran on provisioned concurrency: at its duration price">(${c.provisionedRequests} provisioned)</small>` : ""}</td><td class="n">${c.gbSeconds.toFixed(4)}</td><td>${c.memorySize} MB ${esc(c.architecture)}</td><td class="n">${dollars(c.cost)}</td></tr>`).join("")}</table>
    ${p ? `<p><small>$${(p.perRequest * 1e6).toFixed(2)} per million requests; $${p.perGbSecond.x86_64} per GB-s (x86_64), $${p.perGbSecond.arm64} (arm64)${p.provisionedPerGbSecond ? `; on provisioned concurrency $${p.provisionedPerGbSecond.x86_64} (x86_64), $${p.provisionedPerGbSecond.arm64} (arm64), the concurrency configured not counted` : ""}</small></p>` : ""}`;
}

export { clockTime };
