import type { AsyncRetryConfig, GiveUpCondition, InvocationOutcome } from "./async-retry-policy.ts";

// A stored Event invocation as the async queue keeps it, and what the queue asks of the Invoker and
// of the destinations (async-queue.ts runs it; async-destinations.ts delivers its records).

/** The response of the last attempt that ran the function: destination records carry it (aws-facts §5). */
export interface AttemptResponse {
  statusCode: number;
  executedVersion: string;
  functionError?: string;
  /** The function's response bytes as text. */
  payload: string;
}

export interface AsyncEvent {
  requestId: string;
  functionName: string;
  qualifier?: string;
  payload: Buffer;
  /** Clock ms when accepted: the start of the event's age. */
  enqueuedAt: number;
  /** Attempts that ran the function (approximateInvokeCount). */
  invocations: number;
  /** Throttles and service errors since the function last ran (the backoff exponent). */
  throttles: number;
  lastResponse?: AttemptResponse;
  /** The caller's X-Ray trace header: each attempt carries its trace and Lineage on. */
  traceHeader?: string;
  /** Its row (rowid), once stored. */
  seq?: number;
}

/** One attempt's outcome, and the response when the function ran. */
export interface AttemptResult {
  outcome: InvocationOutcome;
  /**
   * Lambda's own answer when it did not run the function (a recursive-loop stop): the record and
   * DLQ attributes carry it, not an invocation (approximateInvokeCount does not count it).
   */
  refused?: AttemptResponse;
  response?: AttemptResponse;
}

export type FinalCondition = "Success" | GiveUpCondition;

/** What the queue asks of the Invoker (running) and of the destinations (delivering). */
export interface AsyncHandler {
  settings(event: AsyncEvent): AsyncRetryConfig;
  /** Runs one attempt under the event's request id; rejects only when the function no longer exists. */
  run(event: AsyncEvent): Promise<AttemptResult>;
  /** Whether the event has somewhere to go (destinations, DLQ) once it ends with `condition`. */
  hasDeliveries(event: AsyncEvent, condition: FinalCondition): boolean;
  /** Delivers the records; failures are reported by the handler's telemetry, never thrown. */
  deliver(event: AsyncEvent, condition: FinalCondition): Promise<void>;
}
