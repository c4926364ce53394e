import { isAwsError, stopwatch, type Invoker } from "@lambda-sim/core";

/** How a front's call to its function ended. */
export type IntegrationOutcome =
  /** The function answered; `functionError` when it failed (unhandled error, its own timeout, a crash). */
  | { kind: "result"; payload: Buffer; functionError: boolean }
  /** Lambda refused it with 429 (concurrency, reserved 0, scaling rate). */
  | { kind: "throttled" }
  /** Lambda refused it otherwise (payload over 6 MB, function missing, not Active). */
  | { kind: "failed"; code: string }
  /** The integration timeout passed first; the function keeps running, as on AWS. */
  | { kind: "timeout" };

/**
 * Calls a front's function synchronously through the one Invoker (so concurrency, throttles, cold
 * starts and telemetry apply) and stops waiting after `timeoutMs`. The timeout runs in wall time,
 * like the function's own timeout it races (DESIGN.md "Time": handler execution is never scaled).
 */
export async function invokeIntegration(invoker: Invoker, functionName: string, event: unknown, timeoutMs: number): Promise<IntegrationOutcome> {
  const payload = Buffer.from(JSON.stringify(event), "utf8");
  let timer: { cancel(): void } | undefined;
  const timeout = new Promise<IntegrationOutcome>((resolve) => {
    timer = stopwatch.after(timeoutMs, () => resolve({ kind: "timeout" }));
  });
  const call = invoker.invoke({ functionName, payload, invocationType: "RequestResponse" }).then(
    (out): IntegrationOutcome => (out.kind === "result" ? { kind: "result", payload: out.result.payload, functionError: out.result.errorType !== undefined } : { kind: "failed", code: out.kind }),
    (e: unknown): IntegrationOutcome => {
      if (isAwsError(e) && e.statusCode === 429) return { kind: "throttled" };
      return { kind: "failed", code: isAwsError(e) ? e.code : "ServiceException" };
    },
  );
  try {
    return await Promise.race([call, timeout]);
  } finally {
    timer?.cancel();
  }
}
