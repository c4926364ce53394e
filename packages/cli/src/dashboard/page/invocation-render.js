// The invocation list and an invocation's story (START, its log, END, REPORT; payload, result, attempts), from the model (model.js).
import { clockTime, durationText, esc, short } from "./format.js";
import { rowVia, viaTitle } from "./invocation-via.js";
import { batchView } from "./batch-view.js";
import { attemptLabel, rowKey, selectedRow } from "./invocation-rows.js";
import { fnLabel, named, viaNamed } from "./resource-names.js";
import { versionConfig } from "./model.js";

export function renderInvocations(m) {
  const list = [...m.invocations.values()].filter((s) => s.startedAt !== undefined || s.finishedAt !== undefined).slice(-20).reverse();
  if (list.length === 0) return `<p class="empty">No invocations yet.</p>`;
  return `${summarizedNote(m)}<table><tr><th>request</th><th>function</th><th>via</th><th></th><th class="n">duration</th><th>status</th></tr>${list.map((s) => {
    const v = rowVia(s);
    const attempt = attemptLabel(m, s);
    const key = s.key ?? s.requestId;
    return `
    <tr class="clickable invocation ${m.selected === key ? "selected" : ""}" data-request-id="${esc(s.requestId)}"${key === s.requestId ? "" : ` data-key="${esc(key)}"`}${s.attempt === undefined ? "" : ` data-attempt="${s.attempt}"`}>
      <td class="request">${short(s.requestId)}${attempt ? ` <small class="attempt">${attempt}</small>` : ""}</td><td class="function">${named(m, "function", s.functionName)}</td><td class="via"${v.title ? ` title="${esc(v.title)}"` : ""}>${viaNamed(m, v.label)}</td>
      <td class="start ${s.coldStart ? "cold-start" : "warm-start"}">${s.coldStart === undefined ? "" : s.coldStart ? "cold" : "warm"}</td>
      <td class="n duration">${s.durationMs === undefined ? "running…" : durationText(s.durationMs, s.initDurationMs)}</td>
      <td class="status ${s.status === "success" ? "ok" : s.status ? "bad" : ""}"><span>${esc(s.status ?? "")}</span>${s.errorType ? ` <small>${esc(s.functionErrorType ?? s.errorType)}</small>` : ""}${s.front ? ` <small class="bad" title="${esc(s.front.reason)}">→ ${s.front.status}${s.front.cutOff ? " cut off" : ""}</small>` : ""}${batchView(s)}</td></tr>`;
  }).join("")}</table>`;
}

/** How many routine invocations the stream summed at high rates (model.js `summarized`): counted, not listed. */
function summarizedNote(m) {
  let n = 0;
  for (const c of m.summarized?.values() ?? []) n += c;
  if (n === 0) return "";
  return `<p class="summarized"><small title="Above 1,000 invocations a second the page is sent each environment's latest invocations and the count and billed time of the others (warm successes): they are in the cost, not in this list. lambda-sim tail prints every one.">${n.toLocaleString("en-US")} routine invocations counted but not listed (a busy stream is summed)</small></p>`;
}

/**
 * Whether REPORT has a Status: a timeout or a platform failure (Runtime.ExitError, ...) does; a
 * handler's own error (Runtime.Unknown, Function.Unknown after RIE's normalisation) does not (aws-facts §2.5).
 */
function reportsStatus(s) {
  return s.status !== undefined && s.status !== "success" && !(s.status === "error" && /^(Runtime|Function)\.Unknown$/.test(s.errorType ?? ""));
}

/** START / END / REPORT as CloudWatch shows them (aws-facts §2.5), around the function's own lines. */
export function renderStory(m) {
  const s = selectedRow(m);
  // What the request id's attempts share: its async tries and where it finished (invocation-rows.js).
  const r = m.requests?.get(s?.requestId ?? m.selected);
  if (s === undefined && r === undefined) return `<p class="empty">Click an invocation to see its story.</p>`;
  const attempts = r === undefined || r.attempts.length === 0 ? "" : `<h3>Attempts</h3><table>${r.attempts.map((a) => attemptRow(m, r.requestId, a, s?.attempt)).join("")}</table>`;
  const where = r?.async?.where ? `<p>Finished: <b>${esc(r.async.where)}</b> <small>${esc(r.async.detail)}</small></p>` : "";
  if (s === undefined) return `<p><b>${fnLabel(m, r.functionName)}</b> request <code>${esc(r.requestId)}</code> — not run yet</p>${attempts}${where}`;
  const report = s.durationMs === undefined ? "" : `REPORT RequestId: ${s.requestId}\tDuration: ${s.durationMs.toFixed(2)} ms\tBilled Duration: ${s.billedDurationMs} ms\tMemory Size: ${versionConfig(m, s.functionName, s.version)?.memorySize ?? "?"} MB\tMax Memory Used: ${s.maxMemoryUsedMb} MB\t${s.initDurationMs !== undefined ? `Init Duration: ${s.initDurationMs.toFixed(2)} ms\t` : ""}${reportsStatus(s) ? `Status: ${s.status}\t${s.errorType ? `Error Type: ${s.errorType}` : ""}` : ""}`;
  // Process runtimes log START/END/REPORT themselves; the model runtime has no log, so they are written here.
  const own = s.logs.map((l) => l.replace(/\n$/, ""));
  // Its platform lines are there as text (START) or, with LoggingConfig JSON, as platform.* records.
  const logged = own.some((l) => l.startsWith("START RequestId: ") || /^\{"time":"[^"]*","type":"platform\./.test(l));
  const log = (logged ? own : [`START RequestId: ${s.requestId} Version: ${s.version ?? "$LATEST"}`, ...own, ...(s.durationMs === undefined ? [] : [`END RequestId: ${s.requestId}`, report])]).join("\n");
  // The answer an HTTP front made itself from this invocation (a malformed answer, a function error).
  const front = s.front === undefined ? "" : `<p class="bad front-failure">${esc(frontText(s.front))}</p>`;
  const from = rowVia(s);
  const by = from.title || from.label;
  // An async event's attempt: this row's cold or warm start, duration and log are that attempt's (each is an invocation, aws-facts §5).
  const attempt = s.attempt === undefined ? "" : ` attempt <b class="attempt">${s.attempt}</b>`;
  // Why a fast handler answered late or failed: the faults that fired on this request (POST /_sim/faults, faults:).
  const faults = m.requestFaults?.get(s.requestId) ?? [];
  const injected = faults.length === 0 ? "" : `<p class="faults-injected">Injected by faults: ${faults.map((f) => `${esc(f.kind)}${f.detail ? ` ${esc(f.detail)}` : ""} <small>(${esc(f.faultId)})</small>`).join(", ")}</p>`;
  return `<p><b>${fnLabel(m, s.functionName)}</b> request <code>${esc(s.requestId)}</code>${attempt} ${s.environmentId === "fault-injected" ? "answered by a fault (no environment ran it)" : `in environment <code>${short(s.environmentId)}</code> — ${s.coldStart ? "cold start" : "warm"}`}${by ? `<br><small class="via">via ${esc(by)}</small>` : ""}</p>${injected}
    <h3>Log</h3><pre>${esc(log)}</pre>
    <h3>Payload</h3><pre>${esc(s.payload ?? "(not seen)")}</pre>
    <h3>Result</h3><pre>${esc(s.result ?? (s.durationMs === undefined ? "(running)" : ""))}</pre>${front}${attempts}${where}`;
}

/** One try of an async event (throttled ones repeat their number): the story's own attempt marked, another's a click away. */
function attemptRow(m, requestId, a, shown) {
  const key = rowKey(requestId, a.attempt);
  const open = a.attempt !== shown && m.invocations.has(key) ? ` class="clickable" data-request-id="${esc(requestId)}" data-key="${esc(key)}"` : a.attempt === shown ? ` class="selected"` : "";
  return `<tr${open}><td>attempt ${a.attempt}</td><td>${clockTime(a.time)}</td><td>${a.outcome ? esc(a.outcome.kind + (a.outcome.errorType ? ` ${a.outcome.functionErrorType ?? a.outcome.errorType}` : a.outcome.reason ? ` ${a.outcome.reason}` : "")) : "running…"}</td></tr>`;
}

/** An `http.integration-failed` event in the console's words (packages/cli/src/console/event-line.ts). */
function frontText(f) {
  return `${viaTitle(f)} answered ${f.status}${f.cutOff ? " and cut the body off" : ""}: ${f.reason}${f.detail ? ` (${f.detail})` : ""}`;
}
