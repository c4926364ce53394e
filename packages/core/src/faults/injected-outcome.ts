import type { FunctionVersionConfig } from "../registry/function-model.ts";
import { failurePayload, type InvocationResult } from "../invocation/invocation-result.ts";
import { billedDuration } from "../invocation/invocation-log.ts";
import { normaliseErrorType } from "../runtime/runtime-contract.ts";
import type { InjectedError } from "../invocation/runtime-error-line.ts";
import type { FaultSpec } from "./fault-spec.ts";
import type { InvocationFaults } from "./fault-injector.ts";

/** Environment id reported for a `model` function's invocations a fault answered (no environment took them). */
export const INJECTED_ENVIRONMENT = "fault-injected";

/**
 * The function error an `error` fault stands for. A handler's own error: the runtime's shape, with
 * an (empty) trace as the Node runtime sends (aws-facts §1.5).
 */
export function injectedError(spec: Extract<FaultSpec, { kind: "error" }>): InjectedError {
  const { errorType, errorMessage } = spec;
  return { errorType, errorMessage, payload: Buffer.from(JSON.stringify({ errorType, errorMessage, trace: [] })) };
}

/**
 * The result a fault gives a `model` function's invocation instead of its environment's (a process
 * function's goes through an environment: Invoker, ExecutionEnvironment), in the exact shapes the
 * platform uses (aws-facts §1.5): a function error with the chosen type and message, a timeout
 * (`Sandbox.Timedout`, REPORT status timeout), a crash (`Runtime.ExitError`) or running out of
 * memory (`Runtime.OutOfMemory`). `durationMs` is what the invocation occupied in service time.
 */
export function injectedResult(faults: InvocationFaults, config: FunctionVersionConfig, requestId: string, durationMs: number): InvocationResult {
  const spec = faults.outcome!.spec;
  let errorType: string;
  let payload: Buffer;
  let reportStatus: InvocationResult["reportStatus"] = "error";
  switch (spec.kind) {
    case "error":
      // The platform's type, as RIE normalises a handler's (PaymentDeclined -> Runtime.Unknown); the payload names the error.
      errorType = normaliseErrorType(spec.errorType);
      payload = injectedError(spec).payload;
      reportStatus = undefined;
      break;
    case "timeout":
      errorType = "Sandbox.Timedout";
      payload = failurePayload(errorType, `RequestId: ${requestId} Error: Task timed out after ${config.timeout.toFixed(2)} seconds`);
      reportStatus = "timeout";
      break;
    case "crash":
      errorType = "Runtime.ExitError";
      payload = failurePayload(errorType, `RequestId: ${requestId} Error: Runtime exited with error: exit status 1`);
      break;
    case "out-of-memory":
      errorType = "Runtime.OutOfMemory";
      payload = failurePayload(errorType, `RequestId: ${requestId} Error: Runtime exited with error: signal: killed`);
      break;
  }
  return {
    requestId,
    payload,
    errorType,
    reportStatus,
    durationMs,
    billedDurationMs: billedDuration(durationMs, undefined),
    maxMemoryUsedMb: spec.kind === "out-of-memory" ? config.memorySize : 1,
    coldStart: false,
    environmentId: INJECTED_ENVIRONMENT,
    logTail: "",
  };
}

/** Service ms an injected outcome occupies: a timeout runs the whole timeout, the others end at once. */
export function injectedDurationMs(faults: InvocationFaults, config: FunctionVersionConfig): number {
  return faults.outcome?.spec.kind === "timeout" ? config.timeout * 1000 : 0;
}
