// @ts-check
// The context object exactly as the RIC builds it (src/InvokeContext.js, src/CallbackContext.js;
// aws-facts §2.4). memoryLimitInMB is a string; succeed/fail/done are the legacy completions.

/**
 * @param {import("node:http").IncomingHttpHeaders} headers
 * @param {(err: unknown, result?: unknown) => void} complete
 */
export function makeContext(headers, complete) {
  const env = process.env;
  const deadline = Number(headers["lambda-runtime-deadline-ms"]);
  const clientContext = parseJson(headers["lambda-runtime-client-context"]);
  const identity = parseJson(headers["lambda-runtime-cognito-identity"]);
  let waits = true;
  /** @type {Record<string, any>} */
  const context = {
    get callbackWaitsForEmptyEventLoop() {
      return waits;
    },
    set callbackWaitsForEmptyEventLoop(v) {
      waits = Boolean(v);
    },
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    clientContext,
    identity,
    invokedFunctionArn: headers["lambda-runtime-invoked-function-arn"],
    awsRequestId: headers["lambda-runtime-aws-request-id"],
    getRemainingTimeInMillis: () => deadline - Date.now(),
    succeed: (/** @type {unknown} */ result) => complete(null, result),
    // fail() with no argument reports the string error "handled" (RIC CallbackContext).
    fail: (/** @type {unknown} */ err) => complete(err ?? "handled"),
    done: (/** @type {unknown} */ err, /** @type {unknown} */ result) => complete(err, result),
  };
  const tenant = headers["lambda-runtime-aws-tenant-id"];
  if (tenant !== undefined) context.tenantId = tenant;
  return context;
}

/** @param {string | string[] | undefined} value */
function parseJson(value) {
  if (typeof value !== "string" || value === "") return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}
