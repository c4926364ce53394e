import type { InvocationLog } from "./invocation-log.ts";
import type { Clock } from "../clock/clock.ts";
import type { FunctionVersionConfig } from "../registry/function-model.ts";
import type { Telemetry } from "../telemetry/telemetry.ts";
import { preview, type InvocationVia } from "../telemetry/events.ts";
import type { CallerDeadline } from "./caller-deadline.ts";
import type { ResponseSink } from "../runtime/response-sink.ts";
import type { InjectedError } from "./runtime-error-line.ts";

/** One invocation as an ExecutionEnvironment runs it (after the Invoker resolved and admitted it). */
export interface InvocationRequest {
  requestId: string;
  payload: Buffer;
  /** The ARN exactly as invoked, for the context object (aws-facts §2.1). */
  invokedFunctionArn: string;
  traceId: string;
  /** JSON text of the decoded X-Amz-Client-Context (sync only). */
  clientContext?: string;
  /**
   * An injected platform failure (faults/) to suffer in the environment that takes this event,
   * once the runtime has it: the process is killed and the environment reset, as a real crash or
   * out-of-memory does (the next invocation there pays a new Init). An injected timeout is service
   * time past the function's timeout instead (`latencyMs`).
   */
  failure?: "crash" | "out-of-memory";
  /**
   * A function error a fault stands for (faults/): the environment takes the event (a cold start
   * if it must) but does not give it to the runtime; it answers as the runtime would for a handler
   * that threw this error, with the runtime's error line between START and END.
   */
  injectedError?: InjectedError;
  /** A streamed response's destination (response-sink.ts); the model runtime ignores it. */
  responseSink?: ResponseSink;
  /** The caller asked for the log tail (LogType: Tail): the result's `logTail` is filled in. */
  logTail?: boolean;
  /**
   * The caller is an API client over HTTP: it may have the runtime's answer before the invocation
   * completes (END, REPORT and its telemetry a turn of the loop later). Not for callers in the
   * simulator (async queue, pollers, scenarios), who take the answer as the invocation's end.
   */
  answerFirst?: boolean;
  /** Who made it, when a front or a mapping did: named in its telemetry (events.ts InvocationVia). */
  via?: InvocationVia;
  /**
   * Injected latency (a `latency` fault), service ms the invocation spends in its environment
   * after its handler's run (InvocationCompletion; a model's adds to its duration), as a slow
   * downstream call would: the environment stays taken, and the function's timeout counts it
   * (past it, the invocation times out).
   */
  latencyMs?: number;
  /**
   * A slow cold start (a `slow-cold-start` fault): service ms the Invoker already let pass before
   * the environment, part of a cold start's Init as a slow Init is on AWS: its Init Duration counts
   * them, and so does the init limit (aws-facts §3 "Init limit (on-demand)": 10 s). Ignored warm.
   */
  initDelayMs?: number;
  /** The slow cold start's whole delay (initDelayMs is what the first Init takes of it): a retried Init is as slow. */
  slowInitMs?: number;
  /**
   * Set when this invocation's first Init outlasted the Init limit and runs again inside the
   * invocation (a suppressed init): the stopwatch ms it began. The retried Init and the handler
   * share the function's timeout; REPORT has no Init Duration, its Duration counts the Init.
   */
  suppressedInitAt?: number;
  /** A suppressed init's invocation keeps its log so far (the timed-out Init's INIT_REPORT): its tail has it. */
  carriedLog?: InvocationLog;
  /** A caller's deadline that counts the service time this invocation waits (caller-deadline.ts). */
  deadline?: CallerDeadline;
}

/** Waits `ms` of service time for `request`, counted against its caller's deadline if it has one. */
export function serviceSleep(clock: Clock, request: { deadline?: CallerDeadline }, ms: number): Promise<void> {
  return request.deadline === undefined ? clock.sleep(ms) : request.deadline.sleep(ms);
}

/** REPORT `Status:` values (RIE handleReset): only for invocations that reset or failed init. */
export type ReportStatus = "timeout" | "error" | "failure";

export interface InvocationResult {
  requestId: string;
  payload: Buffer;
  /** The runtime's (normalised) error type, or the platform's (timeout, exit, size). */
  errorType?: string;
  reportStatus?: ReportStatus;
  durationMs: number;
  billedDurationMs: number;
  initDurationMs?: number;
  maxMemoryUsedMb: number;
  coldStart: boolean;
  environmentId: string;
  /** Base64 of the last 4 KB of the invocation's log (X-Amz-Log-Result), when the request asked for it; else "". */
  logTail: string;
  /**
   * Present when the caller is answered before the invocation completes (extensions still at work
   * after the runtime's response): settles with the final result once the environment is free.
   */
  completion?: Promise<InvocationResult>;
}

/** The platform's own error payloads (aws-facts §1.5) carry errorType and errorMessage only. */
export function failurePayload(errorType: string, errorMessage: string): Buffer {
  return Buffer.from(JSON.stringify({ errorType, errorMessage }));
}

/** The `invocation.finished` telemetry event, the same for every kind of environment. */
export function emitFinished(telemetry: Telemetry, config: FunctionVersionConfig, r: InvocationResult, request: { invokedFunctionArn: string; via?: InvocationVia }): void {
  telemetry.emit({
    type: "invocation.finished",
    requestId: r.requestId,
    functionName: config.functionName,
    version: config.version,
    environmentId: r.environmentId,
    durationMs: r.durationMs,
    billedDurationMs: r.billedDurationMs,
    initDurationMs: r.initDurationMs,
    maxMemoryUsedMb: r.maxMemoryUsedMb,
    status: r.reportStatus ?? (r.errorType ? "error" : "success"),
    errorType: r.errorType,
    result: telemetry.active ? preview(r.payload) : undefined,
    functionErrorType: telemetry.active ? functionErrorType(r) : undefined,
    via: request.via,
    alias: aliasOf(request.invokedFunctionArn),
  });
}

/**
 * The alias in an ARN as invoked (`…:function:NAME:live`), undefined when it names none: unqualified,
 * `$LATEST` or a version (digits). Function names hold no colon, so the qualifier is what follows
 * the ARN's seventh colon.
 */
function aliasOf(invokedFunctionArn: string): string | undefined {
  const at = invokedFunctionArn.indexOf(":", invokedFunctionArn.indexOf(":function:") + 10);
  if (at < 0) return undefined;
  const q = invokedFunctionArn.slice(at + 1);
  return q === "$LATEST" || /^\d+$/.test(q) ? undefined : q;
}

/**
 * What the function's error payload calls its error (`{"errorType":"ValueError",...}`), for the
 * people reading the console, tail and the dashboard: the platform's type of any error a handler
 * raises is Runtime.Unknown. Undefined when it says nothing else (a platform failure's payload).
 */
export function functionErrorType(r: InvocationResult): string | undefined {
  // Only errors have one; error payloads are small, and a huge one is not worth parsing for a label.
  if (r.errorType === undefined || r.payload.length > 64 * 1024) return undefined;
  try {
    const t = (JSON.parse(r.payload.toString("utf8")) as { errorType?: unknown } | null)?.errorType;
    return typeof t === "string" && t !== "" && t !== r.errorType ? t : undefined;
  } catch {
    return undefined;
  }
}

/** The `invocation.started` telemetry event: which environment took the event, cold or warm. */
export function emitStarted(telemetry: Telemetry, config: FunctionVersionConfig, environmentId: string, request: InvocationRequest, coldStart: boolean): void {
  if (!telemetry.active) return;
  telemetry.emit({ type: "invocation.started", requestId: request.requestId, functionName: config.functionName, version: config.version, environmentId, coldStart, payload: preview(request.payload), via: request.via });
}
