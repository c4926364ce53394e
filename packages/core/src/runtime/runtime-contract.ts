import { stopwatch } from "../clock/stopwatch.ts";
import type { ResponseSink } from "./response-sink.ts";

// What passes between the simulator and a runtime, whichever way it travels (the Runtime API's
// HTTP in runtime-api-server.ts, or our bootstrap's private channel in runtime-channel.ts).

/** One event as the runtime receives it from `GET /runtime/invocation/next` (aws-facts §2.1). */
export interface RuntimeEvent {
  requestId: string;
  payload: Buffer;
  /**
   * The function's timeout in ms. The deadline is stamped when the runtime takes the event, so a
   * cold start's init does not eat into it (aws-facts §3: init has its own limit); wall clock,
   * handler deadlines are never scaled (DESIGN.md "Time").
   */
  timeoutMs: number;
  /** Epoch ms: the deadline of an event whose Init ran inside its invocation (a suppressed init), whose time came out of the timeout. */
  deadlineAt?: number;
  invokedFunctionArn: string;
  traceId: string;
  /** JSON text, sync invocations only. */
  clientContext?: string;
  cognitoIdentity?: string;
  /** Where a streamed response's chunks go as they arrive (InvokeWithResponseStream, a streaming URL). */
  responseSink?: ResponseSink;
}

/**
 * What the runtime reported for the current event, or for its init. `peakMemoryKb`: the peak
 * resident set our bootstrap read of itself as it answered (private channel only; runtime-channel.ts).
 */
export type RuntimeOutcome =
  | { kind: "response"; requestId: string; body: Buffer; peakMemoryKb?: number }
  | { kind: "error"; requestId: string; errorType: string; body: Buffer; peakMemoryKb?: number }
  /** `limit`: the cap that was passed, when it is not the buffered 6 MB one (a streamed response). */
  | { kind: "too-large"; requestId: string; limit?: number };

export interface RuntimeApiListener {
  /** The runtime called /next and no event is waiting: it is idle (and may be frozen). */
  onReady(): void;
  /** An event was handed to the runtime (at /next, or at dispatch to a waiting /next). */
  onDelivered(requestId: string, at: number): void;
  onOutcome(outcome: RuntimeOutcome): void;
  onInitError(errorType: string, body: Buffer): void;
}

/** RIE `interop.MaxPayloadSize` = 6 MiB + 100 bytes (aws-facts §1.3). */
export const MAX_RESPONSE_BYTES = 6 * 1024 * 1024 + 100;
const ERROR_TYPE_PATTERN = /^(Runtime|Function)\.[A-Z][a-zA-Z]+$/;

/**
 * RIE's error-type normalisation (aws-facts §2.1): `(Runtime|Function).Xxx` passes through, other
 * `Function.*` becomes `Function.Unknown`, anything else `Runtime.Unknown`.
 */
export function normaliseErrorType(header: string | undefined): string {
  if (header === undefined || header === "") return "Runtime.Unknown";
  if (ERROR_TYPE_PATTERN.test(header)) return header;
  return header.startsWith("Function.") ? "Function.Unknown" : "Runtime.Unknown";
}

/** Hands an event to whoever asked for it: the HTTP answer to a GET /next, or a private channel. */
export type EventSender = (event: RuntimeEvent) => void;

/** The invoke headers a runtime gets with its event; set only when non-empty (RIE renderInvokeHeaders). */
export function invokeHeaders(event: RuntimeEvent): Record<string, string | number> {
  const headers: Record<string, string | number> = {
    "Lambda-Runtime-Aws-Request-Id": event.requestId,
    "Lambda-Runtime-Deadline-Ms": deadlineMs(event),
    "Lambda-Runtime-Invoked-Function-Arn": event.invokedFunctionArn,
    "Lambda-Runtime-Trace-Id": event.traceId,
  };
  if (event.clientContext) headers["Lambda-Runtime-Client-Context"] = event.clientContext;
  if (event.cognitoIdentity) headers["Lambda-Runtime-Cognito-Identity"] = event.cognitoIdentity;
  return headers;
}

/** `Lambda-Runtime-Deadline-Ms`: stamped as the runtime takes the event (see RuntimeEvent.timeoutMs). */
export function deadlineMs(event: RuntimeEvent): number {
  return event.deadlineAt ?? stopwatch.epochNow() + event.timeoutMs;
}
