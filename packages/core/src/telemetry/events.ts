/**
 * The one typed event schema (DESIGN.md "Telemetry"). The environment state machine, the invoker
 * and (later) the governor, async queue and pollers emit at their choke points only; the dashboard,
 * `lambda-sim tail`, the invocation log and test assertions all read this stream.
 */
import type { EnvironmentState, RetireReason } from "../invocation/environment-state.ts";

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
        reason?: RetireReason | "reset";
      }
    | {
        type: "invocation.started";
        requestId: string;
        functionName: string;
        version: string;
        invocationType: "RequestResponse" | "Event";
        environmentId: string;
        coldStart: boolean;
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
        errorType?: string;
      }
    | { type: "invocation.admitted"; functionName: string; qualifier: string; newEnvironment: boolean }
    | { type: "invocation.throttled"; functionName: string; qualifier: string; reason: string }
    | { type: "function.log"; functionName: string; environmentId: string; requestId?: string; text: string }
    | { type: "function.changed"; functionName: string; change: "created" | "code" | "configuration" | "deleted" | "published"; version?: string }
    | { type: "simulator.warning"; message: string }
  );

export type TelemetryEventType = TelemetryEvent["type"];
/** An event before Telemetry stamps it with the Clock's time. */
export type TelemetryEventInput = TelemetryEvent extends infer E ? (E extends TelemetryEvent ? Omit<E, "time"> : never) : never;
