import type { TelemetryEvent } from "@lambda-sim/core";

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

/**
 * The event types whose line can be notable (kept in step with describeEvent's `notable: true`
 * cases): the console of `lambda-sim start` describes no other, so the events every invocation
 * emits cost it nothing.
 */
export const MAY_BE_NOTABLE: ReadonlySet<string> = new Set([
  "invocation.throttled",
  "async.retry.scheduled",
  "async.given-up",
  "async.delivered",
  "async.delivery-failed",
  "mapping.scaled",
  "message.moved-to-dlq",
  "sns.delivery-failed",
  "fault.fired",
  "simulator.warning",
]);

/**
 * The words for each telemetry event, shared by the console of `lambda-sim start` and by
 * `lambda-sim tail`. Undefined: nothing to say (function logs are printed by their own rule).
 */
export function describeEvent(e: TelemetryEvent): EventLine | undefined {
  switch (e.type) {
    case "environment.state-changed": {
      const what = e.to === "retired" || e.to === "retiring" ? `${STATE_WORDS[e.to]} (${e.reason ?? "?"})` : (STATE_WORDS[e.to] ?? e.to);
      return { text: `environment ${short(e.environmentId)} ${e.functionName}:${e.version}${e.provisioned ? " [provisioned]" : ""}: ${what}`, colour: e.to === "retired" ? "gray" : "blue", notable: false };
    }
    case "invocation.started":
      if (!e.coldStart) return undefined;
      return { text: `cold start ${e.functionName}:${e.version} in environment ${short(e.environmentId)} (request ${e.requestId})`, colour: "cyan", notable: false };
    case "invocation.finished": {
      const init = e.initDurationMs === undefined ? "" : `, init ${ms(e.initDurationMs)} ms (cold)`;
      const status = e.status === "success" ? "" : ` ${e.status}${e.errorType ? ` ${e.errorType}` : ""}`;
      return { text: `invoked ${e.functionName}:${e.version} request ${e.requestId}: ${ms(e.durationMs)} ms, billed ${e.billedDurationMs} ms${init}, ${e.maxMemoryUsedMb} MB${status}`, colour: e.status === "success" ? "green" : "red", notable: false };
    }
    case "invocation.admitted":
      return undefined;
    case "invocation.throttled":
      return { text: `throttled ${e.functionName}:${e.qualifier} (asked by ${e.caller ?? "sync"}): ${e.reason}`, colour: "yellow", notable: true };
    case "function.log":
      return { text: `[${e.functionName}] ${e.text.replace(/\n$/, "").replaceAll("\r", "\n    ")}`, colour: "gray", notable: false };
    case "function.changed":
      return { text: `function ${e.functionName}: ${e.change}${e.version ? ` ${e.version}` : ""}`, colour: "blue", notable: false };
    case "async.enqueued":
      return { text: `async ${e.functionName} request ${e.requestId}: accepted`, colour: "blue", notable: false };
    case "async.attempt.started":
      return { text: `async ${e.functionName} request ${e.requestId}: attempt ${e.attempt}`, colour: "blue", notable: false };
    case "async.attempt.failed":
      return { text: `async ${e.functionName} request ${e.requestId}: attempt ${e.attempt} ${e.outcome.kind}${"errorType" in e.outcome ? ` ${e.outcome.errorType}` : "reason" in e.outcome ? ` ${e.outcome.reason}` : ""}`, colour: "red", notable: false };
    case "async.retry.scheduled":
      return { text: `async ${e.functionName} request ${e.requestId}: retry in ${seconds(e.delayMs)}${e.consumesAttempt ? "" : " (throttle backoff, not counted as a retry)"}`, colour: "yellow", notable: true };
    case "async.given-up":
      return { text: `async ${e.functionName} request ${e.requestId}: gave up (${e.condition}, ${e.approximateInvokeCount} invocation(s))${e.dropped ? ": dropped, no OnFailure destination or DLQ" : ""}`, colour: "red", notable: true };
    case "async.delivered":
      return { text: `async ${e.functionName} request ${e.requestId}: record sent to ${e.destination} ${e.targetArn}`, colour: e.destination === "OnSuccess" ? "green" : "magenta", notable: true };
    case "async.delivery-failed":
      return { text: `async ${e.functionName} request ${e.requestId}: ${e.destination} ${e.targetArn} not delivered: ${e.error}`, colour: "red", notable: true };
    case "mapping.batch": {
      const detail = e.outcome === "partial" ? `partial, ${e.failed} failed` : e.outcome;
      const age = e.iteratorAgeMs === undefined ? "" : `, ${e.shardId} iterator age ${seconds(e.iteratorAgeMs)}`;
      return { text: `batch ${e.functionName} <- ${sourceName(e.eventSourceArn)}: ${e.size} record(s) ${detail}${age}`, colour: e.outcome === "succeeded" ? "green" : e.outcome === "throttled" ? "yellow" : "red", notable: false };
    }
    case "mapping.scaled":
      if (e.change === "backoff") return { text: `mapping ${e.functionName} <- ${sourceName(e.eventSourceArn)}: throttled, backing off ${seconds(e.backoffMs ?? 0)} (messages stay in flight)`, colour: "yellow", notable: true };
      return { text: `mapping ${e.functionName} <- ${sourceName(e.eventSourceArn)}: ${e.change === "up" ? "scaled up" : "scaled down"} to ${e.lanes} concurrent batch(es)`, colour: "cyan", notable: e.change === "up" };
    case "message.moved-to-dlq": {
      const why = e.reachedFunction === false ? "; the function never ran with it: every receive was a throttled batch" : "";
      return { text: `message ${e.messageId} moved from ${e.queue} to DLQ ${e.deadLetterQueue}: received ${e.receiveCount} times (maxReceiveCount ${e.maxReceiveCount})${why}`, colour: "magenta", notable: true };
    }
    case "sns.delivery-failed": {
      const next = e.retryInMs !== undefined ? `retry in ${seconds(e.retryInMs)}` : e.deadLetterArn !== undefined ? `sent to DLQ ${sourceName(e.deadLetterArn)}` : "dropped";
      return { text: `sns ${sourceName(e.topicArn)} message ${e.messageId}: attempt ${e.attempt} to ${e.subscriptionArn.split(":").pop()} failed (${e.error}); ${next}`, colour: e.retryInMs !== undefined ? "yellow" : e.dropped ? "red" : "magenta", notable: e.retryInMs === undefined };
    }
    case "fault.fired":
      return { text: `fault ${e.faultId} fired (${e.kind})${e.functionName ? ` on ${e.functionName}` : ""}${e.targetArn ? ` at ${e.targetArn}` : ""}${e.requestId ? ` request ${e.requestId}` : ""}${e.detail ? `: ${e.detail}` : ""}`, colour: "magenta", notable: true };
    case "clock.advanced":
      return { text: `clock ${e.how === "advance" ? "advanced" : "ran until idle"} from ${new Date(e.from).toISOString()} to ${new Date(e.to).toISOString()} (${e.timersFired} timer(s) fired)`, colour: "cyan", notable: false };
    case "clock.paused":
      return { text: "clock paused", colour: "cyan", notable: false };
    case "clock.resumed":
      return { text: "clock resumed", colour: "cyan", notable: false };
    case "simulator.warning":
      return { text: `warning: ${e.message}`, colour: "yellow", notable: true };
    default: {
      // Event kinds added later still get a line.
      const other = e as { type: string };
      return { text: `${other.type} ${JSON.stringify({ ...other, type: undefined, time: undefined })}`, colour: "magenta", notable: false };
    }
  }
}

/** `arn:aws:sqs:us-east-1:000000000000:orders` → `sqs:orders`. */
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
    const names = [rec.eventSourceArn, rec.caller, rec.queue, rec.deadLetterQueue].filter((x): x is string => typeof x === "string");
    if (!names.some((n) => n === filter.source || sourceName(n) === filter.source || sourceName(n).endsWith(`:${filter.source}`) || n.endsWith(`:${filter.source}`))) return false;
  }
  return true;
}
