import type { InvocationVia } from "../telemetry/events.ts";
import type { InvocationResult } from "./invocation-result.ts";
import type { CallerDeadline } from "./caller-deadline.ts";
import type { ResponseSink } from "../runtime/response-sink.ts";

// What a caller hands the Invoker (invoker.ts) and gets back: one shape for the Invoke API,
// function URLs, event source mappings and whatever else invokes.

export type InvocationType = "RequestResponse" | "Event" | "DryRun";

export interface InvokeInput {
  functionName: string;
  qualifier?: string;
  payload: Buffer;
  invocationType: InvocationType;
  /** Decoded X-Amz-Client-Context JSON (delivered to the function for sync invocations only). */
  clientContext?: string;
  /** Reuse a request id (the 202 of an Event invocation already announced it). */
  requestId?: string;
  /** The event source mapping invoking, if any (fault scopes `source:` and `mapping:`). */
  origin?: InvocationOrigin;
  /** The HTTP front and route calling (its invocation's telemetry names it; a mapping's `origin` is named without it). */
  via?: InvocationVia;
  /** InvokeWithResponseStream and streaming URLs: chunks go here as the function writes them. */
  responseSink?: ResponseSink;
  /** A caller's deadline (an API's integration timeout) that counts the service time the invocation waits as well as its wall time. */
  deadline?: CallerDeadline;
  /** A caller's request (the Invoke API), not a delivery made by a source: counts as a front-door arrival (FrontDoorPriority). */
  frontDoor?: boolean;
  /** LogType: Tail: the result carries the last 4 KB of the invocation's log (encoded only when asked for). */
  logTail?: boolean;
  /**
   * The X-Ray trace header the event came with (Invoke's X-Amzn-Trace-Id, an SQS message's
   * AWSTraceHeader, an SNS Publish's): its Lineage stops recursive loops (recursive-loop.ts).
   */
  traceHeader?: string;
  /** A batch's messages' trace headers (an SQS mapping): the invocation carries the one least deep in a loop. */
  traceHeaders?: readonly string[];
}

export type InvocationObserver = (invocation: { functionName: string; payload: Buffer; result: InvocationResult }) => void;

export interface InvocationOrigin {
  sourceArn: string;
  mappingUuid: string;
  /** Which attempt at its records this is (an SQS batch's lowest ApproximateReceiveCount), for faults' `attempt`. */
  attempt?: number;
}

export type InvokeOutput =
  | { kind: "result"; executedVersion: string; result: InvocationResult }
  | { kind: "accepted"; requestId: string }
  | { kind: "dry-run" };

/** Sync request cap (aws-facts §1.3), in the service's own error text. */
export const MAX_SYNC_PAYLOAD = 6 * 1024 * 1024;
/** Event request cap since Oct 2025 (aws-facts §1.3). */
export const MAX_ASYNC_PAYLOAD = 1024 * 1024;
