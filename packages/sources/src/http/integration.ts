import { CallerDeadline, isAwsError, type Clock, type InvocationVia, type Invoker, type Telemetry } from "@lambda-sim/core";
import type { HttpAnswer } from "./payload-v2.ts";

/** How a front's call to its function ended; `requestId` is the invocation's (its logs name it). */
export type IntegrationOutcome = { requestId: string } & (
  /** The function answered; `functionError` when it failed (unhandled error, its own timeout, a crash). */
  | { kind: "result"; payload: Buffer; functionError: boolean }
  /** Lambda refused it with 429 (concurrency, reserved 0, scaling rate). */
  | { kind: "throttled" }
  /** Lambda refused it otherwise (payload over 6 MB, function missing, not Active). */
  | { kind: "failed"; code: string; status: number }
  /** The integration timeout passed first; the function keeps running, as on AWS. */
  | { kind: "timeout" }
);

/**
 * Calls a front's function synchronously through the one Invoker (so concurrency, throttles, cold
 * starts and telemetry apply) and stops waiting after `timeoutMs`: the wall time its real code
 * runs (never scaled, like the function's own timeout it races: DESIGN.md "Time") plus the service
 * time it waits (a latency fault, a `model` duration, a `serviceTime`), as CallerDeadline counts it.
 * The request id is chosen here, so that a failure the front reports names the invocation even
 * when the front stopped waiting for it. `via`: the front and route, named in the invocation's
 * telemetry (the dashboard's list says `REST GET /long` on every row, not only a failed one's).
 */
export async function invokeIntegration(invoker: Invoker, clock: Clock, functionName: string, event: unknown, timeoutMs: number, via: InvocationVia): Promise<IntegrationOutcome> {
  const payload = Buffer.from(JSON.stringify(event), "utf8");
  const requestId = invoker.newRequestId();
  let deadline: CallerDeadline | undefined;
  const timeout = new Promise<IntegrationOutcome>((resolve) => {
    deadline = new CallerDeadline(clock, timeoutMs, () => resolve({ kind: "timeout", requestId }));
  });
  const call = invoker.invoke({ functionName, payload, invocationType: "RequestResponse", requestId, via, deadline }).then(
    (out): IntegrationOutcome => (out.kind === "result" ? { kind: "result", requestId, payload: out.result.payload, functionError: out.result.errorType !== undefined } : { kind: "failed", requestId, code: out.kind, status: 500 }),
    (e: unknown): IntegrationOutcome => {
      if (isAwsError(e) && e.statusCode === 429) return { kind: "throttled", requestId };
      return isAwsError(e) ? { kind: "failed", requestId, code: e.code, status: e.statusCode } : { kind: "failed", requestId, code: "ServiceException", status: 500 };
    },
  );
  try {
    return await Promise.race([call, timeout]);
  } finally {
    deadline?.cancel();
  }
}

/** Where a front's failed call happened: the fields of `http.integration-failed` it knows before calling. */
export interface IntegrationScope {
  front: "rest-api" | "http-api" | "function-url";
  apiId: string;
  stage: string;
  routeKey: string;
  functionName: string;
}

/**
 * Emits `http.integration-failed` for an answer the front made itself because the call failed, so
 * the console, `tail` and the dashboard say why a client got a 502 where AWS's stage logs would,
 * and returns that answer. `cutOff`: a streamed answer whose status (`answer.statusCode`) had gone
 * out, so it was cut off mid-body instead.
 */
export function reportFailure(telemetry: Telemetry, scope: IntegrationScope, requestId: string, answer: HttpAnswer, reason: string, detail?: string, cutOff?: boolean): HttpAnswer {
  telemetry.emit({ type: "http.integration-failed", ...scope, status: answer.statusCode, requestId, reason, ...(detail === undefined ? {} : { detail }), ...(cutOff === true ? { cutOff: true as const } : {}) });
  return answer;
}

/** The `errorType` and `errorMessage` of a function's error payload (aws-facts §1.5). */
export function functionError(payload: Buffer): { errorType: string; errorMessage: string } {
  try {
    const e = JSON.parse(payload.toString("utf8")) as { errorType?: unknown; errorMessage?: unknown };
    return { errorType: typeof e.errorType === "string" ? e.errorType : "Error", errorMessage: typeof e.errorMessage === "string" ? e.errorMessage : "" };
  } catch {
    return { errorType: "Error", errorMessage: payload.toString("utf8").slice(0, 200) };
  }
}

/** `errorType: errorMessage` of a function's error payload, a failure's detail. */
export function functionErrorText(payload: Buffer): string {
  const e = functionError(payload);
  return e.errorMessage === "" ? e.errorType : `${e.errorType}: ${e.errorMessage}`;
}
