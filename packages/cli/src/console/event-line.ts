import type { TelemetryEvent } from "@lambda-sim/core";
import { viaLabel, viaTitle } from "../dashboard/page/invocation-via.js";
import { LONG_NAMES, sourceName, type LineNames } from "./line-names.ts";

export { sourceName } from "./line-names.ts";

export type Colour = "red" | "yellow" | "green" | "cyan" | "magenta" | "blue" | "gray";

/** One event as a line of text: `notable` ones are printed by `lambda-sim start` (unless --quiet). */
export interface EventLine {
  text: string;
  colour: Colour;
  notable: boolean;
}

const short = (id: string) => id.slice(0, 8);
const ms = (n: number) => (n < 10 ? n.toFixed(2) : n < 1000 ? n.toFixed(1) : n.toFixed(0));
const seconds = (n: number) => (n < 10_000 ? `${(n / 1000).toFixed(1)} s` : n < 120_000 ? `${Math.round(n / 1000)} s` : `${(n / 60_000).toFixed(1)} min`);
const STATE_WORDS: Record<string, string> = { idle: "frozen", busy: "busy", initializing: "initializing", reset: "reset", retiring: "retiring", retired: "retired" };

type EventOf<T extends TelemetryEvent["type"]> = Extract<TelemetryEvent, { type: T }>;

/**
 * Which events `lambda-sim start` prints a line for (unless --quiet), and when: the one place
 * that decides. The console describes no event of another type, so the events every invocation
 * emits cost it nothing.
 */
const NOTABLE: { [T in TelemetryEvent["type"]]?: (e: EventOf<T>) => boolean } = {
  "invocation.throttled": () => true,
  "invocation.recursive-loop": () => true,
  "async.retry.scheduled": () => true,
  "async.given-up": () => true,
  "async.delivered": () => true,
  "async.delivery-failed": () => true,
  "mapping.scaled": (e) => e.change !== "down",
  // A stream batch the function answered but Lambda refused (a tumbling window's missing `state`): nothing else says why.
  "mapping.batch": (e) => e.reason !== undefined,
  // Records (or a tumbling window's final invocation) given up to OnFailure; without one, the "discarded" warning says it.
  "mapping.batch-given-up": (e) => e.destination !== undefined,
  "message.moved-to-dlq": () => true,
  // A failed delivery that will be retried is not yet news; its last attempt is.
  "sns.delivery-failed": (e) => e.retryInMs === undefined,
  "events.delivery-failed": (e) => e.retryInMs === undefined,
  "fault.fired": () => true,
  "http.integration-failed": () => true,
  "simulator.warning": () => true,
};

/** Whether an event of this type can be notable at all (the console's first, cheap test). */
export function mayBeNotable(type: string): boolean {
  return type in NOTABLE;
}

/** The event's line, marked notable as NOTABLE says; `names`: how it names things (tail's short names, line-names.ts). */
export function describeEvent(e: TelemetryEvent, names: LineNames = LONG_NAMES): EventLine | undefined {
  const words = eventWords(e, names);
  if (words === undefined) return undefined;
  const notable = (NOTABLE[e.type] as ((e: TelemetryEvent) => boolean) | undefined)?.(e) ?? false;
  return { ...words, notable };
}

/**
 * The words for each telemetry event, shared by the console of `lambda-sim start` and by
 * `lambda-sim tail`. Undefined: nothing to say (function logs are printed by their own rule).
 */
function eventWords(e: TelemetryEvent, n: LineNames): Omit<EventLine, "notable"> | undefined {
  // Long lines say `request ID`; short ones the id alone, where the line's shape already says what it is.
  const request = (id: string) => (n.short ? n.id(id) : `request ${id}`);
  switch (e.type) {
    case "environment.state-changed": {
      // Retired, retiring and reset say why (a reset's cause: timeout, crash, out-of-memory).
      const why = e.to === "retired" || e.to === "retiring" || (e.to === "reset" && e.reason !== undefined);
      const what = why ? `${STATE_WORDS[e.to]} (${e.reason ?? "?"})` : (STATE_WORDS[e.to] ?? e.to);
      return { text: `environment ${short(e.environmentId)} ${n.fn(e.functionName, e.version)}${e.provisioned ? " [provisioned]" : ""}: ${what}`, colour: e.to === "retired" ? "gray" : "blue" };
    }
    case "invocation.started":
      if (!e.coldStart) return undefined;
      return { text: `cold start ${n.fn(e.functionName, e.version)} in environment ${short(e.environmentId)} (request ${n.id(e.requestId)})`, colour: "cyan" };
    case "invocation.finished": {
      const init = e.initDurationMs === undefined ? "" : `, init ${ms(e.initDurationMs)} ms${n.short ? "" : " (cold)"}`;
      const status = e.status === "success" ? "" : ` ${e.status}${e.errorType ? ` ${e.functionErrorType ?? e.errorType}` : ""}`;
      // Who called, as the dashboard's invocation list labels it: `via REST GET /long`, `via sqs:orders`.
      const via = viaWords(e.via, n);
      // Short lines: `308.9 ms (billed 309)`, three columns fewer, so the common line fits 100 (newuser14 F14).
      const billed = n.short ? ` (billed ${e.billedDurationMs})` : `, billed ${e.billedDurationMs} ms`;
      return { text: `invoked ${n.fn(e.functionName, e.version)} ${request(e.requestId)}${via === undefined ? "" : ` via ${via}`}: ${ms(e.durationMs)} ms${billed}${init}, ${e.maxMemoryUsedMb} MB${status}`, colour: e.status === "success" ? "green" : "red" };
    }
    case "invocation.admitted":
      return undefined;
    case "invocation.throttled":
      return { text: `throttled ${n.fn(e.functionName, e.qualifier)} (${n.short ? "by" : "asked by"} ${caller(e.caller, n)}): ${e.reason}`, colour: "yellow" };
    case "invocation.recursive-loop":
      return {
        text: `recursive loop: ${n.fn(e.functionName, e.qualifier)} not invoked (asked by ${caller(e.caller, n)}${e.eventId === undefined ? "" : `, ${e.caller.startsWith("arn:aws:sqs:") ? "message" : "request"} ${n.id(e.eventId)}`}): the same chain of events had invoked it ${e.invocations} times (RecursiveLoop Terminate; PutFunctionRecursionConfig Allow lets it run)`,
        colour: "red",
      };
    case "function.log":
      return { text: `[${n.fn(e.functionName)}] ${e.text.replace(/\n$/, "").replaceAll("\r", "\n    ")}`, colour: "gray" };
    case "function.changed":
      return { text: `function ${n.fn(e.functionName)}: ${e.change}${e.version ? ` ${e.version}` : ""}`, colour: "blue" };
    case "provisioned-concurrency.changed":
      return { text: `provisioned concurrency ${n.fn(e.functionName, e.qualifier)}${e.qualifier === e.version ? "" : ` (version ${e.version})`}: ${e.requested === 0 ? "removed" : `${e.requested} environment(s)`}`, colour: "blue" };
    case "async.enqueued":
      return { text: `async ${n.fn(e.functionName)} request ${n.id(e.requestId)}: accepted`, colour: "blue" };
    case "async.attempt.started":
      return { text: `async ${n.fn(e.functionName)} request ${n.id(e.requestId)}: attempt ${e.attempt}`, colour: "blue" };
    case "async.attempt.failed":
      return { text: `async ${n.fn(e.functionName)} request ${n.id(e.requestId)}: attempt ${e.attempt} ${e.outcome.kind}${e.outcome.kind === "function-error" ? ` ${e.outcome.functionErrorType ?? e.outcome.errorType}` : "errorType" in e.outcome ? ` ${e.outcome.errorType}` : "reason" in e.outcome ? ` ${e.outcome.reason}` : ""}`, colour: "red" };
    case "async.retry.scheduled":
      return { text: `async ${n.fn(e.functionName)} request ${n.id(e.requestId)}: retry in ${seconds(e.delayMs)}${e.consumesAttempt ? "" : " (throttle backoff, not counted as a retry)"}`, colour: "yellow" };
    case "async.given-up":
      return { text: `async ${n.fn(e.functionName)} request ${n.id(e.requestId)}: gave up (${e.condition}, ${e.approximateInvokeCount} invocation(s))${e.dropped ? ": dropped, no OnFailure destination or DLQ" : ""}`, colour: "red" };
    case "async.delivered":
      return { text: `async ${n.fn(e.functionName)} request ${n.id(e.requestId)}: record sent to ${e.destination} ${target(e.targetArn, n)}`, colour: e.destination === "OnSuccess" ? "green" : "magenta" };
    case "async.delivery-failed":
      return { text: `async ${n.fn(e.functionName)} request ${n.id(e.requestId)}: ${e.destination} ${target(e.targetArn, n)} not delivered: ${e.error}`, colour: "red" };
    case "mapping.batch": {
      const detail = e.outcome === "partial" ? `partial, ${e.failed} failed` : e.reason !== undefined ? `${e.outcome}: ${e.reason}` : e.outcome;
      const age = e.iteratorAgeMs === undefined ? "" : `, ${e.shardId}${e.lane === undefined ? "" : ` lane ${e.lane}`} iterator age ${seconds(e.iteratorAgeMs)}`;
      return { text: `batch ${n.fn(e.functionName)} <- ${n.source(e.eventSourceArn)}: ${e.size} record(s) ${detail}${age}`, colour: e.outcome === "succeeded" ? "green" : e.outcome === "throttled" ? "yellow" : "red" };
    }
    case "mapping.batch-given-up": {
      const where = e.destination === undefined ? "discarded: no OnFailure destination" : e.error === undefined ? `sent to OnFailure ${n.source(e.destination)}` : `OnFailure ${n.source(e.destination)} not delivered: ${e.error}`;
      const w = e.finalInvokeForWindow;
      const what = w === undefined ? `${e.size} record(s) of ${e.shardId}${e.lane === undefined ? "" : ` lane ${e.lane}`}` : `final invocation of the tumbling window ${new Date(w.start).toISOString()} to ${new Date(w.end).toISOString()} (${e.size} record(s) of ${e.shardId})`;
      return { text: `batch ${n.fn(e.functionName)} <- ${n.source(e.eventSourceArn)}: ${what} given up (${e.condition}), ${where}`, colour: e.destination !== undefined && e.error === undefined ? "magenta" : "red" };
    }
    case "mapping.scaled":
      if (e.change === "backoff") return { text: `mapping ${n.fn(e.functionName)} <- ${n.source(e.eventSourceArn)}: throttled, backing off ${seconds(e.backoffMs ?? 0)} (messages stay in flight)`, colour: "yellow" };
      return { text: `mapping ${n.fn(e.functionName)} <- ${n.source(e.eventSourceArn)}: ${e.change === "up" ? "scaled up" : "scaled down"} to ${e.lanes} concurrent batch(es)`, colour: "cyan" };
    case "message.moved-to-dlq": {
      const why = e.stoppedInLoop === true ? "; stopped in a recursive loop (its chain had invoked the function 16 times)" : e.reachedFunction === false ? (n.short ? "; never reached the function: every receive was throttled" : "; the function never ran with it: every receive was a throttled batch") : "";
      return { text: `message ${n.id(e.messageId)} moved from ${n.resource("queue", e.queue)} to DLQ ${n.resource("queue", e.deadLetterQueue)}: received ${e.receiveCount} ${e.receiveCount === 1 ? "time" : "times"} (maxReceiveCount ${e.maxReceiveCount})${why}`, colour: "magenta" };
    }
    case "sns.published": {
      const filtered = e.filteredOut === undefined ? "" : `, filtered out by ${e.filteredOut.map(lastPart).join(", ")}`;
      return { text: `sns ${n.source(e.topicArn)} message ${n.id(e.messageId)}: published, ${e.deliveries} delivery(ies)${filtered}`, colour: "blue" };
    }
    case "sns.delivered":
      return { text: `sns ${n.source(e.topicArn)} message ${n.id(e.messageId)}: delivered to ${subscriber(e.endpoint, n)}${e.attempt > 1 ? ` at attempt ${e.attempt}` : ""}${e.requestId ? ` (request ${n.id(e.requestId)})` : ""}`, colour: "green" };
    case "events.routed":
      return { text: `events ${n.resource("bus", e.busName)} event ${n.id(e.eventId)} (${e.source}, ${e.detailType}): matched ${e.rules.length === 0 ? "no rule" : e.rules.map((r) => n.resource("rule", lastPart(r))).join(", ")}`, colour: "blue" };
    case "events.delivered":
      return { text: `events rule ${n.resource("rule", lastPart(e.ruleArn))}${targetId(e.targetId, n)} ${n.source(e.targetArn)}: delivered event ${n.id(e.eventId)}${e.attempt > 1 ? ` at attempt ${e.attempt}` : ""}${e.requestId ? ` (request ${n.id(e.requestId)})` : ""}`, colour: "green" };
    case "schedule.delivered":
      return { text: `schedule ${n.resource("schedule", lastPart(e.scheduleArn))}${targetId(e.targetId, n)}: delivered to ${n.source(e.targetArn)}${e.attempt > 1 ? ` at attempt ${e.attempt}` : ""}${e.requestId ? ` (request ${n.id(e.requestId)})` : ""}`, colour: "green" };
    case "events.delivery-failed": {
      const next = e.retryInMs !== undefined ? `retry in ${seconds(e.retryInMs)}` : e.deadLetterArn !== undefined ? `sent to DLQ ${n.source(e.deadLetterArn)}` : "dropped";
      return { text: `events rule ${n.resource("rule", lastPart(e.ruleArn))}${targetId(e.targetId, n)} ${n.source(e.targetArn)}: event ${n.id(e.eventId)} attempt ${e.attempt} failed (${e.error}); ${next}`, colour: e.retryInMs !== undefined ? "yellow" : e.dropped ? "red" : "magenta" };
    }
    case "sns.delivery-failed": {
      const next = e.retryInMs !== undefined ? `retry in ${seconds(e.retryInMs)}` : e.deadLetterArn !== undefined ? `sent to DLQ ${n.source(e.deadLetterArn)}` : "dropped";
      return { text: `sns ${n.source(e.topicArn)} message ${n.id(e.messageId)}: attempt ${e.attempt} to ${subscriber(e.endpoint, n)} failed (${e.error}); ${next}`, colour: e.retryInMs !== undefined ? "yellow" : e.dropped ? "red" : "magenta" };
    }
    case "fault.fired":
      return { text: `fault ${e.faultId} fired (${e.kind})${e.functionName ? ` on ${n.fn(e.functionName)}` : ""}${e.targetArn ? ` at ${target(e.targetArn, n)}` : ""}${e.requestId ? ` request ${n.id(e.requestId)}` : ""}${e.detail ? `: ${e.detail}` : ""}`, colour: "magenta" };
    case "clock.advanced":
      return { text: `clock ${e.how === "advance" ? "advanced" : "ran until idle"} from ${new Date(e.from).toISOString()} to ${new Date(e.to).toISOString()} (${e.timersFired} timer(s) fired)${e.cancelled ? ", stopped there: its caller left" : ""}`, colour: "cyan" };
    case "clock.paused":
      return { text: "clock paused", colour: "cyan" };
    case "clock.resumed":
      return { text: "clock resumed", colour: "cyan" };
    case "http.integration-failed": {
      return { text: `${viaTitle(e)} answered ${e.status}${e.cutOff ? " and cut the body off" : ""}: ${e.reason}${e.detail ? ` (${e.detail})` : ""}; function ${n.fn(e.functionName)} request ${n.id(e.requestId)}`, colour: "red" };
    }
    case "queue.backlog":
      return { text: backlogWords(e, n), colour: e.threshold > e.previous ? "yellow" : "green" };
    case "simulator.warning":
      return { text: `warning: ${e.message}`, colour: "yellow" };
    default: {
      // Event kinds added later still get a line.
      const other = e as { type: string };
      return { text: `${other.type} ${JSON.stringify({ ...other, type: undefined, time: undefined })}`, colour: "magenta" };
    }
  }
}

/** A subscription's id (the end of its ARN), a rule's name (the end of its ARN). */
const lastPart = (arn: string) => arn.slice(Math.max(arn.lastIndexOf(":"), arn.lastIndexOf("/")) + 1);

/** An SNS subscriber: a function's or queue's short name, or its URL as it is. */
function subscriber(endpoint: string, n: LineNames): string {
  return endpoint.startsWith("arn:") ? n.source(endpoint) : endpoint;
}

/** Who asked for a throttled invocation: a mapping's or front's ARN (short: `sqs:OrdersQueue`), or a synchronous call. */
function caller(arn: string | undefined, n: LineNames): string {
  if (arn === undefined) return "sync";
  return n.short && arn.startsWith("arn:") ? n.source(arn) : arn;
}

/** A destination's ARN: whole in long lines (as the console always wrote it), `sqs:OrdersDLQ` in short ones. */
function target(arn: string, n: LineNames): string {
  return n.short ? n.source(arn) : arn;
}

/** A rule's or schedule's target id: left out of short lines (SAM's `TickFunctionEvery5LambdaTarget`; the target's name follows). */
function targetId(id: string, n: LineNames): string {
  return id === "" || n.short ? "" : ` target ${id}`;
}

/** An invocation's caller (invocation-via.js viaLabel), its source named as the rest of the line names things. */
function viaWords(via: EventOf<"invocation.finished">["via"], n: LineNames): string | undefined {
  if (via === undefined) return undefined;
  if ("eventSourceArn" in via && via.eventSourceArn !== undefined) return n.source(via.eventSourceArn);
  return viaLabel(via);
}

/** A queue filling past a threshold, or back under one (queue-backlog-watch.ts), with its ApproximateAgeOfOldestMessage. */
function backlogWords(e: EventOf<"queue.backlog">, n: LineNames): string {
  const parts = [e.visible > 0 || e.messages === 0 ? `${e.visible} visible` : "", e.inflight > 0 ? `${e.inflight} in flight` : "", e.delayed > 0 ? `${e.delayed} delayed` : ""].filter((p) => p !== "");
  const oldest = e.oldestAgeMs === undefined ? "" : `, oldest ${seconds(e.oldestAgeMs)}`;
  const what = `${e.messages} ${e.messages === 1 ? "message" : "messages"}`;
  const q = n.resource("queue", e.queue);
  if (e.threshold > e.previous) return `queue ${q} filling: ${what}, past ${e.threshold} (${parts.join(", ")})${oldest}`;
  return `queue ${q} ${e.threshold > 0 ? "draining" : "drained"}: ${what}, under ${e.next ?? e.previous} (${parts.join(", ")})${oldest}`;
}

const CODES: Record<Colour, number> = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, gray: 90 };

export function paint(text: string, colour: Colour, enabled: boolean): string {
  return enabled ? `\x1b[${CODES[colour]}m${text}\x1b[39m` : text;
}

/** Whether the event concerns function `name` / source `name` (`lambda-sim tail --function/--source`). */
export function concerns(e: TelemetryEvent, filter: { functionName?: string; source?: string }): boolean {
  const rec = e as unknown as Record<string, unknown>;
  if (filter.functionName !== undefined && rec.functionName !== filter.functionName) return false;
  if (filter.source !== undefined) {
    // A rule's deliveries concern its bus: `rule/NAME` is on `default`, `rule/BUS/NAME` on BUS.
    const bus = typeof rec.ruleArn === "string" ? (rec.ruleArn.split(":rule/")[1]?.split("/") ?? []) : [];
    const ruleBus = bus.length === 0 ? undefined : bus.length === 1 ? "default" : bus[0];
    // A message moved to a DLQ concerns both queues (named plainly in the event): `--source sqs:jobs` shows jobs's moves out.
    const queues = [rec.queue, rec.deadLetterQueue].filter((x): x is string => typeof x === "string").map((q) => `sqs:${q}`);
    const names = [rec.eventSourceArn, rec.caller, ...queues, rec.topicArn, rec.busName, ruleBus].filter((x): x is string => typeof x === "string");
    // Written as a full ARN, the source is matched by its short name.
    const wanted = sourceName(filter.source);
    if (!names.some((n) => n === wanted || sourceName(n) === wanted || sourceName(n).endsWith(`:${wanted}`) || n.endsWith(`:${wanted}`))) return false;
  }
  return true;
}
