import type { FunctionVersionConfig } from "../registry/function-model.ts";

/** A function error a fault stands for (faults/): what the handler would have thrown. */
export interface InjectedError {
  /** The error's own name (`PaymentDeclined`), as the payload and the runtime's log line give it. */
  errorType: string;
  errorMessage: string;
  /** The error payload the runtime posts (`{"errorType","errorMessage","trace":[]}`). */
  payload: Buffer;
}

/**
 * The line a managed runtime writes to the function's log when its handler fails, for an error a
 * fault injects in place of the handler's (the handler does not run, so the runtime's own report
 * of it is all the log has between START and END). The shapes are those our bootstraps write, as
 * AWS's runtimes do (aws-facts §2.4 for the Node prefix; bootstrap/node/log-patch.mjs and
 * bootstrap/python/lambda_sim_runtime/logs.py for the rest):
 * - Node, Text: `<ISO time>\t<requestId>\tERROR\tInvoke Error \t{"errorType","errorMessage","stack":[]}`;
 *   JSON: `{"timestamp","level":"ERROR","requestId","message":{"errorType","errorMessage","stackTrace":[]}}`.
 * - Python, Text: `[ERROR] <type>: <message>\rTraceback (most recent call last):`; JSON:
 *   `{"timestamp","level":"ERROR","errorMessage","errorType","requestId","stackTrace":[]}`.
 * The stack is empty, as the payload's `trace` is: no code ran. A `provided.*` runtime is the
 * user's own program, which prints what it likes: no line for it (our choice).
 */
export function runtimeErrorLine(config: FunctionVersionConfig, requestId: string, error: InjectedError, now: number): string | undefined {
  const json = config.loggingConfig?.logFormat === "JSON";
  const iso = new Date(now).toISOString();
  const { errorType, errorMessage } = error;
  if (config.runtime.startsWith("nodejs")) {
    if (json) return `${JSON.stringify({ timestamp: iso, level: "ERROR", requestId, message: { errorType, errorMessage, stackTrace: [] } })}\n`;
    return `${iso}\t${requestId}\tERROR\tInvoke Error \t${JSON.stringify({ errorType, errorMessage, stack: [] })}\n`;
  }
  if (config.runtime.startsWith("python")) {
    // Python's logging stamps seconds only in JSON records (logs.py: time.strftime).
    if (json) return `${JSON.stringify({ timestamp: iso.slice(0, 19), level: "ERROR", errorMessage, errorType, requestId, stackTrace: [] })}\n`;
    return `[ERROR] ${errorType}: ${errorMessage}\rTraceback (most recent call last):\n`;
  }
  return undefined;
}
