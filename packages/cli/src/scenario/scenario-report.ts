import { binaryOrder, type CostView } from "@lambda-sim/core";
import { answersText } from "./http-traffic.ts";
import type { ExpectationResult } from "./expectations.ts";
import type { EndState } from "./expectations.ts";
import type { DeadLetterMoves, Observations } from "./observations.ts";
import type { RealCodeFunction } from "./real-code-notes.ts";
import type { TrafficSent } from "./traffic.ts";
import { logicalIdOf, type LogicalNames, type NamedKind } from "../template/logical-names.ts";

export interface ReportInput {
  name: string;
  description?: string;
  seed: string;
  durationMs: number;
  wallMs: number;
  timersFired: number;
  sent: TrafficSent;
  obs: Observations;
  end: EndState;
  results: ExpectationResult[];
  traceFile?: string;
  /** Functions that ran real code with no `serviceTime:` where a throttle could depend on it (real-code-notes.ts). */
  realCode?: readonly RealCodeFunction[];
  /** The functions' log lines were printed as the run went (`--logs`). */
  logsShown?: boolean;
  /**
   * A template's logical ids (template/logical-names.ts): the report names the template's
   * resources by them, so a clone under another folder name prints the same report (newuser11 N2-3).
   */
  logicalNames?: LogicalNames;
  /** What the run would cost on AWS Lambda, as the dashboard's cost panel counts it. */
  cost?: CostView;
  /** Functions that ran real code (not `runtime: model`): their durations are this machine's wall time. */
  realCodeNames?: ReadonlySet<string>;
  /** Each function's configured timeout, seconds (stableTimeout). */
  timeouts?: ReadonlyMap<string, number>;
}

/** The readable report of a scenario run: what happened, a timeline, the expectations. */
export function formatReport(r: ReportInput): string {
  const out: string[] = [];
  const shown = (kinds: readonly NamedKind[], name: string) => logicalIdOf(r.logicalNames, kinds, name);
  const fn = (name: string) => shown(["function"], name);
  const queue = (name: string) => shown(["queue"], name);
  out.push(`scenario ${r.name} (seed ${r.seed})`);
  // Events but the functions' output (Observations.events): the header reads the same every run.
  out.push(`  ${human(r.durationMs)} of service time in ${(r.wallMs / 1000).toFixed(2)} s wall, ${r.timersFired} timers, ${r.obs.events} events`);
  const sent = [
    ...Object.entries(r.sent.messages).map(([q, n]) => `${n} messages to ${q}`),
    ...Object.entries(r.sent.records).map(([s, n]) => `${n} records to ${s}`),
    ...Object.entries(r.sent.invocations).map(([f, n]) => `${n} async invokes of ${f}`),
    ...Object.entries(r.sent.published).map(([t, n]) => `${n} messages published to ${t}`),
    ...Object.entries(r.sent.events).map(([b, n]) => `${n} events put on ${b}`),
    ...Object.entries(r.sent.requests).map(([label, n]) => `${n} HTTP requests ${label}`),
  ];
  out.push(`  traffic: ${sent.join(", ") || "none"}`);
  // Each http step's answers, by status (the client's view: what curl would have printed).
  for (const [label, a] of [...(r.end.httpAnswers ?? [])].sort(([x], [y]) => binaryOrder(x, y))) out.push(`  answers to ${label}: ${answersText(a)}`);
  for (const f of r.sent.failures.slice(0, 5)) out.push(`  traffic failed: ${f}`);
  out.push("");
  out.push("what happened");
  for (const [physical, name, s] of [...r.obs.functions].map(([n, s]) => [n, fn(n), s] as const).sort(([, a], [, b]) => binaryOrder(a, b))) {
    const parts = [`${s.invocations} invocations`, `${s.errors} errors`, `${s.throttles} throttles${reasons(s.throttleReasons)}`, `${s.coldStarts} cold starts`, `concurrency peak ${s.concurrencyPeak}`];
    if (s.retries > 0 || s.givenUp > 0 || s.maxEventAgeMs > 0) parts.push(`${s.retries} async retries`, `${s.givenUp} given up${s.lost === 0 ? "" : ` (${s.lost} with no OnFailure nor DLQ to take them)`}`, `oldest event ${human(s.maxEventAgeMs)}`);
    if (s.streamRetries > 0) parts.push(`${s.streamRetries} stream batch retries`);
    for (const [reason, n] of s.refused) parts.push(`${n} batch(es) failed though it succeeded: ${reason}`);
    if (s.loopStops > 0) parts.push(`${s.loopStops} invocation(s) stopped in a recursive loop`);
    out.push(`  ${name}: ${parts.join(", ")}`);
    // Which errors, and the first one's message: a CI log is diagnosed without a re-run (newuser9 P2-8).
    if (s.firstError !== undefined) {
      const types = [...s.errorTypes].sort(([, a], [, b]) => b - a).map(([t, n]) => `${t} ×${n}`);
      const message = stableTimeout(s.firstError.message, r.timeouts?.get(physical));
      out.push(`    errors: ${types.join(", ")}; first (request ${s.firstError.requestId}): ${s.firstError.type}${message === "" ? "" : `: ${message}`}`);
    }
  }
  for (const { name, shown } of r.realCode ?? []) {
    const s = r.obs.functions.get(name);
    if (s === undefined || s.invocations === 0) continue;
    const overlap = s.concurrencyPeak <= 1 ? "no two of its invocations overlapped" : "its invocations overlapped only when they started at the same instant";
    // Its throttles, if any, come from the wall time its handler held an environment while the
    // clock moved the rest on: they vary from machine to machine (newuser12 N2-5: "cannot show" beside 5 throttles).
    // Throttles a fault injected are the fault's, whatever the handler's time (newuser15b).
    const timing = s.throttles - s.injectedThrottles;
    const why =
      timing > 0
        ? `its ${timing} throttle(s)${s.injectedThrottles > 0 ? " not injected by a fault" : ""} come from the wall time its handler held an environment while other work moved service time on, and vary from machine to machine`
        : "a throttle storm driven by handler duration cannot show";
    out.push(`  note: ${shown} ran real code, which takes no service time here, so ${overlap}: ${why} (give it the time its handler takes: serviceTime: { ${shown}: 200ms })`);
  }
  if (r.obs.delivered.size > 0) out.push(`  delivered: ${[...r.obs.delivered].map(([t, n]) => `${n} to ${shown(["queue", "topic", "function", "bus"], t)}`).join(", ")}`);
  if (r.obs.faultsFired.size > 0) out.push(`  faults fired: ${[...r.obs.faultsFired].map(([k, n]) => `${n} ${k}`).join(", ")}`);
  const moves = [...r.obs.deadLetters].map(([q, d]) => ({ q: queue(q), d: { ...d, deadLetterQueue: queue(d.deadLetterQueue) }, consumers: [...(r.obs.consumers.get(q) ?? [])].map(fn) }));
  for (const { q, d, consumers } of moves.sort((x, y) => binaryOrder(x.q, y.q))) out.push(`  ${deadLetterLine(q, d, consumers)}`);
  // Each shard a failing batch held: for how long, how it ended, its iterator age (newuser13 N13-4).
  const start = r.obs.startTime;
  for (const line of r.obs.shards.lines(start, start + r.durationMs, human, clock, (s) => shown(["stream"], s))) out.push(`  ${line}`);
  const queues = Object.entries(r.end.messages);
  if (queues.length > 0) out.push(`  left in queues: ${queues.map(([q, n]) => `${queue(q)} ${n}${r.end.failedRecords[q] ? ` (${r.end.failedRecords[q]} failed records)` : ""}`).join(", ")}`);
  if (r.end.orderChecked !== undefined) {
    const bad = Object.values(r.end.outOfOrder).reduce((a, b) => a + b, 0);
    out.push(`  per-key order: ${r.end.orderChecked} processed records checked, ${bad} out of order`);
    for (const [source, f] of Object.entries(r.end.firstOutOfOrder ?? {})) {
      const noun = f.kind === "group" ? "message" : "record";
      out.push(`    first in ${shown(["stream", "queue"], source)}: ${f.kind} ${f.key}, ${noun} ${f.id} processed after ${noun} ${f.after}, a later one of its ${f.kind}`);
    }
  }
  if (r.cost !== undefined) out.push(...costLines(r.cost, fn, r.realCodeNames ?? new Set()));
  const failed = [...r.obs.functions.values()].some((s) => s.errors > 0);
  if (failed && r.obs.logLines > 0 && r.logsShown !== true) out.push(`  function output: ${r.obs.logLines} log line(s) not shown here (lambda-sim run --logs prints them)`);
  out.push("");
  out.push(`timeline (per ${human(r.obs.bucketSizeMs)}: invocations / errors / throttles / retries, async and stream)`);
  const peak = Math.max(1, ...r.obs.timeline.map((b) => b.invocations + b.throttles));
  r.obs.timeline.forEach((b, i) => {
    const bar = "#".repeat(Math.round((20 * b.invocations) / peak)) + "!".repeat(Math.round((20 * b.throttles) / peak));
    out.push(`  +${clock(i * r.obs.bucketSizeMs)}  ${String(b.invocations).padStart(6)} ${String(b.errors).padStart(6)} ${String(b.throttles).padStart(6)} ${String(b.retries).padStart(6)}  ${bar}`);
  });
  out.push("");
  out.push("expectations");
  if (r.results.length === 0) out.push("  (none)");
  for (const e of r.results) out.push(`  ${e.ok ? "✓" : "✗"} ${e.what}: ${e.actual} (expected ${e.expected})`);
  const unmet = r.results.filter((e) => !e.ok).length;
  out.push("");
  out.push(unmet === 0 ? `PASS: ${r.results.length} expectation(s) met` : `FAIL: ${unmet} of ${r.results.length} expectation(s) not met`);
  if (r.traceFile !== undefined) out.push(`trace: ${r.traceFile}`);
  return `${out.join("\n")}\n`;
}

/**
 * `Task timed out after 2.01 seconds` as `2.00`, the function's timeout. The function's answer,
 * its logs and the trace keep the seconds measured from the event's delivery to the kill (AWS's
 * wording, aws-facts §1.5, with two decimals); a real process's measure moves by a hundredth from
 * run to run, and the report is what two runs are compared by (newuser11 N2-2). Only a value
 * within a second past the timeout is that measure: an Init's 10 s limit is written as it is.
 */
function stableTimeout(message: string, timeoutSeconds: number | undefined): string {
  if (timeoutSeconds === undefined) return message;
  return message.replace(/Task timed out after (\d+\.\d\d) seconds/, (text, measured: string) => {
    const s = Number(measured);
    return s >= timeoutSeconds && s < timeoutSeconds + 1 ? `Task timed out after ${timeoutSeconds.toFixed(2)} seconds` : text;
  });
}

/** ` (ReservedFunctionConcurrentInvocationLimitExceeded)`, or each reason with its count when there are several. */
function reasons(byReason: ReadonlyMap<string, number>): string {
  if (byReason.size === 0) return "";
  if (byReason.size === 1) return ` (${[...byReason.keys()][0]})`;
  return ` (${[...byReason].sort(([a, x], [b, y]) => y - x || binaryOrder(a, b)).map(([reason, n]) => `${reason} ×${n}`).join(", ")})`;
}

/**
 * `jobs → jobs-dlq: 20 moved after 2 receives; 20 never reached worker (every receive a throttled
 * batch)`: the link between "0 errors" and a full DLQ that the queue counts alone do not make
 * (newuser11 N2-1); a throttled batch's receive counts towards maxReceiveCount (aws-facts §4).
 */
function deadLetterLine(queue: string, d: DeadLetterMoves, consumers: readonly string[]): string {
  const receives = d.minReceives === d.maxReceives ? `${d.maxReceives}` : `${d.minReceives}-${d.maxReceives}`;
  const parts = [`${d.moved} moved after ${receives} ${d.maxReceives === 1 ? "receive" : "receives"}`];
  const fns = consumers.length === 0 ? "a function" : [...consumers].sort(binaryOrder).join(" or ");
  if (d.neverReachedFunction > 0) parts.push(`${d.neverReachedFunction} never reached ${fns} (every receive a throttled batch)`);
  if (d.stoppedInLoop > 0) parts.push(`${d.stoppedInLoop} stopped in a recursive loop (${d.stoppedInLoop === 1 ? "its" : "their"} chain had invoked ${fns} 16 times)`);
  return `${queue} → ${d.deadLetterQueue}: ${parts.join("; ")}`;
}

/** AWS's dollars as the dashboard's cost panel writes them (render.js). */
const dollars = (n: number) => `$${n < 0.01 ? n.toFixed(7) : n.toFixed(4)}`;

/**
 * `cost on AWS Lambda: $0.0000123 (...)`, then each function's requests, GB-seconds and dollars:
 * the figure of the dashboard's cost panel (lambda-cost.ts: us-east-1 on-demand prices, requests
 * and GB-s, free tier off). A `model` function's billed durations are its service time, so its
 * line replays exactly. Real code's are this machine's wall time, which differs from run to run,
 * and two runs' reports are compared line by line (newuser11 N2-2): its requests are priced, its
 * GB-seconds left to the trace and the dashboard, and the report says so.
 */
function costLines(cost: CostView, shown: (name: string) => string, realCode: ReadonlySet<string>): string[] {
  const rows = Object.entries(cost.functions).map(([name, c]) => ({ name: shown(name), real: realCode.has(name), c })).sort((x, y) => binaryOrder(x.name, y.name));
  if (rows.length === 0) return [];
  const requestsOnly = (c: CostView["functions"][string]) => c.requests * cost.prices.perRequest;
  const total = rows.reduce((n, { real, c }) => n + (real ? requestsOnly(c) : c.cost), 0);
  const anyReal = rows.some((r) => r.real);
  const what = anyReal ? "requests, and the GB-seconds of model functions" : "requests and GB-seconds";
  const out = [`  cost on AWS Lambda: ${dollars(total)} (${what}, at us-east-1 on-demand prices, free tier off; Lambda only)`];
  for (const { name, real, c } of rows) {
    if (real) out.push(`    ${name}: ${c.requests} requests at ${c.memorySize} MB ${c.architecture}: ${dollars(requestsOnly(c))} (requests only)`);
    else out.push(`    ${name}: ${c.requests} requests, ${c.gbSeconds.toFixed(4)} GB-s at ${c.memorySize} MB ${c.architecture}: ${dollars(c.cost)}`);
  }
  const real = rows.filter((r) => r.real).map((r) => r.name);
  if (real.length > 0) {
    const names = real.length === 1 ? real[0]! : `${real.slice(0, -1).join(", ")} and ${real.at(-1)}`;
    // Not a `note: X ran real code` line: those are the summary's diagnoses (a storm that cannot show).
    out.push(`    GB-seconds of ${names} left out: real code's durations are this machine's wall time and differ from run to run (lambda-sim ui --trace adds them up in its cost panel, as the dashboard does)`);
  }
  return out;
}

/** `90 s`, `2 min`, `1 h 30 min`: a span of service time as the report writes it. */
export function human(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s`;
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return [h > 0 ? `${h} h` : "", m > 0 ? `${m} min` : "", s > 0 && h === 0 ? `${s} s` : ""].filter(Boolean).join(" ");
}

function clock(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${String(Math.floor(s / 3600)).padStart(2, "0")}:${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
}
