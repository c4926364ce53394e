import type { TelemetryEvent } from "@lambda-sim/core";
import { viaLabel, viaTitle } from "../dashboard/page/invocation-via.js";

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

/** The event's line, marked notable as NOTABLE says. */
export function describeEvent(e: TelemetryEvent): EventLine | undefined {
  const words = eventWords(e);
  if (words === undefined) return undefined;
  const notable = (NOTABLE[e.type] as ((e: TelemetryEvent) => boolean) | undefined)?.(e) ?? false;
  return { ...words, notable };
}

/**
 * The words for each telemetry event, shared by the console of `lambda-sim start` and by
 * `lambda-sim tail`. Undefined: nothing to say (function logs are printed by their own rule).
 */
function eventWords(e: TelemetryEvent): Omit<EventLine, "notable"> | undefined {
  switch (e.type) {
    case "environment.state-changed": {
      const what = e.to === "retired" || e.to === "retiring" ? `${STATE_WORDS[e.to]} (${e.reason ?? "?"})` : (STATE_WORDS[e.to] ?? e.to);
      return { text: `environment ${short(e.environmentId)} ${e.functionName}:${e.version}${e.provisioned ? " [provisioned]" : ""}: ${what}`, colour: e.to === "retired" ? "gray" : "blue" };
    }
    case "invocation.started":
      if (!e.coldStart) return undefined;
      return { text: `cold start ${e.functionName}:${e.version} in environment ${short(e.environmentId)} (request ${e.requestId})`, colour: "cyan" };
    case "invocation.finished": {
      const init = e.initDurationMs === undefined ? "" : `, init ${ms(e.initDurationMs)} ms (cold)`;
      const status = e.status === "success" ? "" : ` ${e.status}${e.errorType ? ` ${e.functionErrorType ?? e.errorType}` : ""}`;
      // Who called, as the dashboard's invocation list labels it: `via REST GET /long`, `via sqs:orders`.
      const via = viaLabel(e.via);
      return { text: `invoked ${e.functionName}:${e.version} request ${e.requestId}${via === undefined ? "" : ` via ${via}`}: ${ms(e.durationMs)} ms, billed ${e.billedDurationMs} ms${init}, ${e.maxMemoryUsedMb} MB${status}`, colour: e.status === "success" ? "green" : "red" };
    }
    case "invocation.admitted":
      return undefined;
    case "invocation.throttled":
      return { text: `throttled ${e.functionName}:${e.qualifier} (asked by ${e.caller ?? "sync"}): ${e.reason}`, colour: "yellow" };
    case "invocation.recursive-loop":
      return {
        text: `recursive loop: ${e.functionName}:${e.qualifier} not invoked (asked by ${e.caller}${e.eventId === undefined ? "" : `, ${e.caller.startsWith("arn:aws:sqs:") ? "message" : "request"} ${e.eventId}`}): the same chain of events had invoked it ${e.invocations} times (RecursiveLoop Terminate; PutFunctionRecursionConfig Allow lets it run)`,
        colour: "red",
      };
    case "function.log":
      return { text: `[${e.functionName}] ${e.text.replace(/\n$/, "").replaceAll("\r", "\n    ")}`, colour: "gray" };
    case "function.changed":
      return { text: `function ${e.functionName}: ${e.change}${e.version ? ` ${e.version}` : ""}`, colour: "blue" };
    case "provisioned-concurrency.changed":
      return { text: `provisioned concurrency ${e.functionName}:${e.qualifier}${e.qualifier === e.version ? "" : ` (version ${e.version})`}: ${e.requested === 0 ? "removed" : `${e.requested} environment(s)`}`, colour: "blue" };
    case "async.enqueued":
      return { text: `async ${e.functionName} request ${e.requestId}: accepted`, colour: "blue" };
    case "async.attempt.started":
      return { text: `async ${e.functionName} request ${e.requestId}: attempt ${e.attempt}`, colour: "blue" };
    case "async.attempt.failed":
      return { text: `async ${e.functionName} request ${e.requestId}: attempt ${e.attempt} ${e.outcome.kind}${e.outcome.kind === "function-error" ? ` ${e.outcome.functionErrorType ?? e.outcome.errorType}` : "errorType" in e.outcome ? ` ${e.outcome.errorType}` : "reason" in e.outcome ? ` ${e.outcome.reason}` : ""}`, colour: "red" };
    case "async.retry.scheduled":
      return { text: `async ${e.functionName} request ${e.requestId}: retry in ${seconds(e.delayMs)}${e.consumesAttempt ? "" : " (throttle backoff, not counted as a retry)"}`, colour: "yellow" };
    case "async.given-up":
      return { text: `async ${e.functionName} request ${e.requestId}: gave up (${e.condition}, ${e.approximateInvokeCount} invocation(s))${e.dropped ? ": dropped, no OnFailure destination or DLQ" : ""}`, colour: "red" };
    case "async.delivered":
      return { text: `async ${e.functionName} request ${e.requestId}: record sent to ${e.destination} ${e.targetArn}`, colour: e.destination === "OnSuccess" ? "green" : "magenta" };
    case "async.delivery-failed":
      return { text: `async ${e.functionName} request ${e.requestId}: ${e.destination} ${e.targetArn} not delivered: ${e.error}`, colour: "red" };
    case "mapping.batch": {
      const detail = e.outcome === "partial" ? `partial, ${e.failed} failed` : e.reason !== undefined ? `${e.outcome}: ${e.reason}` : e.outcome;
      const age = e.iteratorAgeMs === undefined ? "" : `, ${e.shardId}${e.lane === undefined ? "" : ` lane ${e.lane}`} iterator age ${seconds(e.iteratorAgeMs)}`;
      return { text: `batch ${e.functionName} <- ${sourceName(e.eventSourceArn)}: ${e.size} record(s) ${detail}${age}`, colour: e.outcome === "succeeded" ? "green" : e.outcome === "throttled" ? "yellow" : "red" };
    }
    case "mapping.batch-given-up": {
      const where = e.destination === undefined ? "discarded: no OnFailure destination" : e.error === undefined ? `sent to OnFailure ${sourceName(e.destination)}` : `OnFailure ${sourceName(e.destination)} not delivered: ${e.error}`;
      const w = e.finalInvokeForWindow;
      const what = w === undefined ? `${e.size} record(s) of ${e.shardId}${e.lane === undefined ? "" : ` lane ${e.lane}`}` : `final invocation of the tumbling window ${new Date(w.start).toISOString()} to ${new Date(w.end).toISOString()} (${e.size} record(s) of ${e.shardId})`;
      return { text: `batch ${e.functionName} <- ${sourceName(e.eventSourceArn)}: ${what} given up (${e.condition}), ${where}`, colour: e.destination !== undefined && e.error === undefined ? "magenta" : "red" };
    }
    case "mapping.scaled":
      if (e.change === "backoff") return { text: `mapping ${e.functionName} <- ${sourceName(e.eventSourceArn)}: throttled, backing off ${seconds(e.backoffMs ?? 0)} (messages stay in flight)`, colour: "yellow" };
      return { text: `mapping ${e.functionName} <- ${sourceName(e.eventSourceArn)}: ${e.change === "up" ? "scaled up" : "scaled down"} to ${e.lanes} concurrent batch(es)`, colour: "cyan" };
    case "message.moved-to-dlq": {
      const why = e.stoppedInLoop === true ? "; stopped in a recursive loop (its chain had invoked the function 16 times)" : e.reachedFunction === false ? "; the function never ran with it: every receive was a throttled batch" : "";
      return { text: `message ${e.messageId} moved from ${e.queue} to DLQ ${e.deadLetterQueue}: received ${e.receiveCount} ${e.receiveCount === 1 ? "time" : "times"} (maxReceiveCount ${e.maxReceiveCount})${why}`, colour: "magenta" };
    }
    case "sns.published": {
      const filtered = e.filteredOut === undefined ? "" : `, filtered out by ${e.filteredOut.map(lastPart).join(", ")}`;
      return { text: `sns ${sourceName(e.topicArn)} message ${e.messageId}: published, ${e.deliveries} delivery(ies)${filtered}`, colour: "blue" };
    }
    case "sns.delivered":
      return { text: `sns ${sourceName(e.topicArn)} message ${e.messageId}: delivered to ${subscriber(e.endpoint)}${e.attempt > 1 ? ` at attempt ${e.attempt}` : ""}${e.requestId ? ` (request ${e.requestId})` : ""}`, colour: "green" };
    case "events.routed":
      return { text: `events ${e.busName} event ${e.eventId} (${e.source}, ${e.detailType}): matched ${e.rules.length === 0 ? "no rule" : e.rules.map(lastPart).join(", ")}`, colour: "blue" };
    case "events.delivered":
      return { text: `events rule ${lastPart(e.ruleArn)} target ${e.targetId} ${sourceName(e.targetArn)}: delivered event ${e.eventId}${e.attempt > 1 ? ` at attempt ${e.attempt}` : ""}${e.requestId ? ` (request ${e.requestId})` : ""}`, colour: "green" };
    case "schedule.delivered":
      return { text: `schedule ${lastPart(e.scheduleArn)}${e.targetId === "" ? "" : ` target ${e.targetId}`}: delivered to ${sourceName(e.targetArn)}${e.attempt > 1 ? ` at attempt ${e.attempt}` : ""}${e.requestId ? ` (request ${e.requestId})` : ""}`, colour: "green" };
    case "events.delivery-failed": {
      const next = e.retryInMs !== undefined ? `retry in ${seconds(e.retryInMs)}` : e.deadLetterArn !== undefined ? `sent to DLQ ${sourceName(e.deadLetterArn)}` : "dropped";
      return { text: `events rule ${lastPart(e.ruleArn)} target ${e.targetId} ${sourceName(e.targetArn)}: event ${e.eventId} attempt ${e.attempt} failed (${e.error}); ${next}`, colour: e.retryInMs !== undefined ? "yellow" : e.dropped ? "red" : "magenta" };
    }
    case "sns.delivery-failed": {
      const next = e.retryInMs !== undefined ? `retry in ${seconds(e.retryInMs)}` : e.deadLetterArn !== undefined ? `sent to DLQ ${sourceName(e.deadLetterArn)}` : "dropped";
      return { text: `sns ${sourceName(e.topicArn)} message ${e.messageId}: attempt ${e.attempt} to ${subscriber(e.endpoint)} failed (${e.error}); ${next}`, colour: e.retryInMs !== undefined ? "yellow" : e.dropped ? "red" : "magenta" };
    }
    case "fault.fired":
      return { text: `fault ${e.faultId} fired (${e.kind})${e.functionName ? ` on ${e.functionName}` : ""}${e.targetArn ? ` at ${e.targetArn}` : ""}${e.requestId ? ` request ${e.requestId}` : ""}${e.detail ? `: ${e.detail}` : ""}`, colour: "magenta" };
    case "clock.advanced":
      return { text: `clock ${e.how === "advance" ? "advanced" : "ran until idle"} from ${new Date(e.from).toISOString()} to ${new Date(e.to).toISOString()} (${e.timersFired} timer(s) fired)${e.cancelled ? ", stopped there: its caller left" : ""}`, colour: "cyan" };
    case "clock.paused":
      return { text: "clock paused", colour: "cyan" };
    case "clock.resumed":
      return { text: "clock resumed", colour: "cyan" };
    case "http.integration-failed": {
      return { text: `${viaTitle(e)} answered ${e.status}${e.cutOff ? " and cut the body off" : ""}: ${e.reason}${e.detail ? ` (${e.detail})` : ""}; function ${e.functionName} request ${e.requestId}`, colour: "red" };
    }
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

/** `arn:aws:sqs:us-east-1:000000000000:orders` → `sqs:orders`. */
/** An SNS subscriber: a function's or queue's short name, or its URL as it is. */
function subscriber(endpoint: string): string {
  return endpoint.startsWith("arn:") ? sourceName(endpoint) : endpoint;
}

export function sourceName(arn: string): string {
  const p = arn.split(":");
  return p.length >= 6 ? `${p[2]}:${p.slice(5).join(":").replace(/^stream\//, "")}` : arn;
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
