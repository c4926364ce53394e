/**
 * The one typed event schema (DESIGN.md "Telemetry"). The environment state machine, the invoker
 * and (later) the governor, async queue and pollers emit at their choke points only; the dashboard,
 * `lambda-sim tail`, the invocation log and test assertions all read this stream.
 */
import type { FaultKind } from "../faults/fault-spec.ts";
import type { MappingEvent } from "./mapping-events.ts";

/** An environment's states (moves between them: invocation/environment-state.ts). */
export const ENVIRONMENT_STATES = ["initializing", "idle", "busy", "reset", "retiring", "retired"] as const;
export type EnvironmentState = (typeof ENVIRONMENT_STATES)[number];

/** Why an environment left service. */
export const RETIRE_REASONS = [
  "idle-timeout",
  "init-failed",
  "init-timeout",
  "code-updated",
  "shutdown",
  "function-deleted",
  /** Provisioned concurrency no longer wants it: its config deleted or lowered, or its alias moved to another version. */
  "provisioned-released",
] as const;
export type RetireReason = (typeof RETIRE_REASONS)[number];

/**
 * Why an environment was reset: its runtime killed under (or between) invocations, /tmp kept, the
 * next invocation re-running Init in it (aws-facts §3 "After timeout or crash"). The lane and the
 * console say which (issue 15: "retired and why: idle, timeout, crash, OOM, code update").
 */
export const RESET_CAUSES = [
  /** The function's timeout ran out (Sandbox.Timedout). */
  "timeout",
  /** The runtime's process exited or was killed (Runtime.ExitError), or died before taking its event. */
  "crash",
  /** It went over its memorySize (Runtime.OutOfMemory). */
  "out-of-memory",
  /** One of its extensions died after Init. */
  "extension-crash",
] as const;
export type ResetCause = (typeof RESET_CAUSES)[number];

/** What one attempt came to (STYLE.md 7.8: outcomes are values, not exceptions). */
export type InvocationOutcome =
  | { kind: "success" }
  /** The handler failed, or ran into its timeout (`Sandbox.Timedout`): both consume retries. */
  | { kind: "function-error"; errorType: string; /** The type the function's error payload names, when not errorType (invocation.finished's). */ functionErrorType?: string }
  /** The governor refused (429); `reservedConcurrency` is the function's, when it has one. */
  | { kind: "throttled"; reason: string; reservedConcurrency?: number }
  /** The service failed to run the event (5xx): retried like a throttle. */
  | { kind: "service-error"; message: string }
  /** Stopped in a recursive loop (RecursiveInvocationException): never retried. */
  | { kind: "recursive-loop" };

/**
 * Where a synchronous invocation came from, when a front or a mapping made it (not an Invoke
 * call): the HTTP front and the route it matched (the fields `http.integration-failed` names), or
 * the event source mapping's source. The dashboard's invocation list and `tail` label it
 * (`REST GET /long`, `HTTP GET /long`, `URL`, `sqs:orders`: page/invocation-via.js).
 */
export type InvocationVia =
  | { front: "rest-api" | "http-api" | "function-url"; apiId: string; stage: string; routeKey: string; /** The route's Lambda authorizer, not its integration. */ authorizer?: true }
  | { eventSourceArn: string };

/** Destination `condition` values (aws-facts §5). */
export type GiveUpCondition = "RetriesExhausted" | "EventAgeExceeded";

interface Base {
  /** Service time (Clock) of the event, epoch ms; filled in by Telemetry.emit. */
  time: number;
}

export type TelemetryEvent = Base &
  (
    | {
        type: "environment.state-changed";
        environmentId: string;
        functionName: string;
        version: string;
        from: EnvironmentState | "none";
        to: EnvironmentState;
        /** Why it retired (to `retiring`/`retired`), or why it was reset (to `reset`). */
        reason?: RetireReason | ResetCause;
        /** Set on a provisioned-concurrency environment (the dashboard marks its lane). */
        provisioned?: boolean;
        /** On its first event (from "none"), when its LoggingConfig names a group other than `/aws/lambda/NAME`. */
        logGroup?: string;
      }
    | {
        type: "invocation.started";
        requestId: string;
        functionName: string;
        version: string;
        environmentId: string;
        coldStart: boolean;
        /** The event, cut to PREVIEW_BYTES: the dashboard's invocation story shows it. */
        payload: string;
        via?: InvocationVia;
      }
    | {
        type: "invocation.finished";
        requestId: string;
        functionName: string;
        version: string;
        environmentId: string;
        durationMs: number;
        billedDurationMs: number;
        initDurationMs?: number;
        maxMemoryUsedMb: number;
        status: "success" | "error" | "timeout" | "failure";
        /** The platform's error type: a handler's own error is Runtime.Unknown (RIE normalises it, aws-facts §2.1). */
        errorType?: string;
        /** The errorType the function's error payload names (`TypeError`, `ValueError`), when it is not errorType. */
        functionErrorType?: string;
        /** The response (or error) payload, cut to PREVIEW_BYTES. */
        result?: string;
        /** As on `invocation.started` (a warm start finished in the same frame is not sent to a coalescing client). */
        via?: InvocationVia;
        /** The alias the caller invoked, when it invoked one (`version` is the one it ran): CloudWatch's Resource and ExecutedVersion dimensions. */
        alias?: string;
      }
    | {
        type: "invocation.admitted";
        functionName: string;
        qualifier: string;
        newEnvironment: boolean;
        /** In flight once this one is counted: the function's, the account's, and those of functions without reserved concurrency. */
        concurrentExecutions: number;
        accountConcurrentExecutions: number;
        unreservedConcurrentExecutions: number;
      }
    | {
        type: "invocation.throttled";
        functionName: string;
        qualifier: string;
        reason: string;
        /** Who asked: `sqs:orders` (a mapping's source ARN), `async` (the async queue) or `sync` (Invoke). */
        caller?: string;
      }
    | {
        /** An invocation stopped: its chain of events had invoked the function 16 times (recursive-loop.ts). */
        type: "invocation.recursive-loop";
        functionName: string;
        qualifier: string;
        /** Invocations of the function the chain had made before this one. */
        invocations: number;
        /** Who asked: a mapping's source ARN, `async` (an Event invocation, SNS) or `sync` (Invoke). */
        caller: string;
        /** What was stopped, when it has an id: the SQS message's, or the Event invocation's request id. */
        eventId?: string;
      }
    | {
        type: "function.log";
        functionName: string;
        environmentId: string;
        requestId?: string;
        text: string;
        /**
         * Absent: for every subscriber. `logs`: output past the previews' budget, delivered only to
         * subscribers that asked for every output byte (CloudWatch Logs, extensions). `console`: the
         * previews' own note (what they were not shown), never in CloudWatch Logs nor sent to
         * extensions. (output-forwarder.ts)
         */
        audience?: "logs" | "console";
      }
    | { type: "function.changed"; functionName: string; change: "created" | "code" | "configuration" | "deleted" | "published"; version?: string }
    // PutProvisionedConcurrencyConfig (requested > 0) or its deletion (0): which version the qualifier's environments run.
    | { type: "provisioned-concurrency.changed"; functionName: string; qualifier: string; version: string; requested: number }
    // The async queue (issue 5): an event's life from 202 to its destinations.
    | { type: "async.enqueued"; requestId: string; functionName: string; qualifier?: string }
    | { type: "async.attempt.started"; requestId: string; functionName: string; attempt: number }
    | { type: "async.attempt.failed"; requestId: string; functionName: string; attempt: number; outcome: InvocationOutcome }
    | { type: "async.retry.scheduled"; requestId: string; functionName: string; at: number; delayMs: number; consumesAttempt: boolean }
    | { type: "async.given-up"; requestId: string; functionName: string; condition: GiveUpCondition; approximateInvokeCount: number; /** No OnFailure destination nor DLQ: the event is gone. */ dropped?: boolean; /** Stopped in a recursive loop, not run. */ reason?: "recursive-loop" }
    | { type: "async.delivered"; requestId: string; functionName: string; destination: "OnSuccess" | "OnFailure" | "DeadLetterQueue"; targetArn: string }
    | { type: "async.delivery-failed"; requestId: string; functionName: string; destination: "OnSuccess" | "OnFailure" | "DeadLetterQueue"; targetArn: string; error: string }
    // Event source mappings (SQS pollers, stream shard consumers): batches, give-ups, lanes (mapping-events.ts).
    | MappingEvent
    // Sources: a message moved by a redrive policy (SQS: receive count reached maxReceiveCount).
    | {
        type: "message.moved-to-dlq";
        queue: string;
        deadLetterQueue: string;
        messageId: string;
        receiveCount: number;
        maxReceiveCount: number;
        /** false when every receive was a poller's batch that the function throttled: it never ran. */
        reachedFunction?: boolean;
        /** A mapping left it out of its batch, stopped in a recursive loop. */
        stoppedInLoop?: true;
      }
    // SQS: the messages in a queue (visible + in flight + delayed) went past a threshold
    // (`sqs.backlogThresholds`) or fell back under one (`threshold` the one reached now, 0 under the
    // first; `next` the one above); with ApproximateAgeOfOldestMessage then, in ms.
    | { type: "queue.backlog"; queue: string; messages: number; visible: number; inflight: number; delayed: number; threshold: number; previous: number; next?: number; oldestAgeMs?: number }
    // SNS: a message Publish or PublishBatch stored (FIFO duplicates are not), with the number of
    // deliveries it made and the subscriptions whose filter policy kept it out.
    | { type: "sns.published"; topicArn: string; messageId: string; deliveries: number; filteredOut?: string[] }
    // SNS: a subscriber has the message; `requestId`: the asynchronous invocation of a Lambda subscriber.
    | { type: "sns.delivered"; topicArn: string; subscriptionArn: string; endpoint: string; messageId: string; attempt: number; requestId?: string }
    // SNS: a delivery to a subscriber failed; retried in retryInMs, else dead-lettered or dropped.
    | {
        type: "sns.delivery-failed";
        topicArn: string;
        subscriptionArn: string;
        /** The subscriber: a function's or queue's ARN, an HTTP(S) URL. */
        endpoint: string;
        messageId: string;
        attempt: number;
        error: string;
        retryInMs?: number;
        deadLetterArn?: string;
        dropped?: boolean;
      }
    // EventBridge buses: an event accepted on a bus (PutEvents, another bus, a destination) with
    // the ARNs of the rules it matched; then each matched target's delivery, as SNS's above.
    | { type: "events.routed"; busName: string; eventId: string; source: string; detailType: string; rules: string[] }
    | { type: "events.delivered"; ruleArn: string; targetId: string; targetArn: string; eventId: string; attempt: number; requestId?: string }
    // A schedule's fire reached a target (a Scheduler schedule, or a scheduled rule); `requestId`: the Event invocation of a function target.
    | { type: "schedule.delivered"; scheduleArn: string; targetId: string; targetArn: string; attempt: number; requestId?: string }
    | {
        type: "events.delivery-failed";
        ruleArn: string;
        targetId: string;
        targetArn: string;
        eventId: string;
        attempt: number;
        /** EventBridge's ERROR_CODE and message (as the dead-letter message's attributes carry them). */
        error: string;
        retryInMs?: number;
        deadLetterArn?: string;
        dropped?: boolean;
      }
    // HTTP fronts (API Gateway REST and HTTP APIs, Function URLs): an answer the front made itself
    // because its call to the function failed, with the words AWS's own logs give for it.
    | {
        type: "http.integration-failed";
        front: "rest-api" | "http-api" | "function-url";
        /** The API's id, or the Function URL's url id. */
        apiId: string;
        stage: string;
        /** The matched route ("GET /broken"); "$default" for a Function URL. */
        routeKey: string;
        functionName: string;
        /** The status the client got (502, 500, 504...). */
        status: number;
        /** The invocation's request id, as the function's logs and `invocation.finished` name it. */
        requestId: string;
        /** AWS's text (a REST stage's execution log, an HTTP API's integrationErrorMessage). */
        reason: string;
        /** What was wrong in the function's answer, or the function's error. */
        detail?: string;
        /** A streamed answer whose status had gone out: it was cut off mid-body, not replaced (`status` is the one sent). */
        cutOff?: true;
      }
    | { type: "simulator.warning"; message: string }
    // Time control (issue 14): the clock's movements, so traces and the dashboard show jumps.
    | { type: "clock.advanced"; from: number; to: number; timersFired: number; how: "advance" | "run-until-idle"; /** The HTTP client left before the answer: time stopped at `to`. */ cancelled?: true }
    | { type: "clock.paused" }
    | { type: "clock.resumed" }
    // Fault injection (issue 14): every fault that changes an outcome.
    | { type: "fault.fired"; faultId: string; kind: FaultKind; functionName?: string; targetArn?: string; requestId?: string; detail?: string }
  );

/** How much of a payload or result telemetry carries (the dashboard shows it; the rest stays out of memory). */
export const PREVIEW_BYTES = 2048;

/** The first PREVIEW_BYTES of a payload as text, with a marker when cut. */
export function preview(payload: Buffer): string {
  if (payload.length <= PREVIEW_BYTES) return payload.toString("utf8");
  return `${payload.subarray(0, PREVIEW_BYTES).toString("utf8")}… (${payload.length} bytes)`;
}

export type TelemetryEventType = TelemetryEvent["type"];
/** An event before Telemetry stamps it with the Clock's time. */
export type TelemetryEventInput = TelemetryEvent extends infer E ? (E extends TelemetryEvent ? Omit<E, "time"> : never) : never;
