// @ts-check
// One invocation: the context object handed to the handler (aws-facts §2.4) and the rules that
// decide when and what the runtime answers. Two generations of the RIC are mimicked:
// - nodejs22.x (src/InvokeContext.js, src/CallbackContext.js, src/Runtime.js): callback handlers,
//   context.succeed/fail/done and callbackWaitsForEmptyEventLoop;
// - nodejs24.x and later (src/context/context-builder.ts, src/runtime/buffered-invoke-processor.ts):
//   the handler is awaited, and the context has none of the callback machinery.
// Field order follows the RIC, since users log JSON.stringify(context) and compare.
import { JSONStringifyError, NodeJsExit } from "./errors.mjs";

/**
 * @typedef {import("node:http").IncomingHttpHeaders} Headers
 * @typedef {{ response: (json: string) => void, error: (error: unknown) => void, streamed?: () => void }} Answer
 *   posts the answer (an error is also logged as "Invoke Error"); `streamed`: a streaming handler's
 *   response has been sent whole (response-stream.mjs)
 * @typedef {(headers: Headers, body: string, answer: Answer) => void} Invoke
 */

/** Fixed for the life of the process, so read once rather than at every invocation. */
const ENV = {
  functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
  functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
  memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
  logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
  logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
};

const NO_OP = () => {};
/** What to do when the event loop empties during an invocation (RIC BeforeExitListener). */
let beforeExit = NO_OP;

/** The process's `beforeExit` listener. */
export function onEventLoopEmpty() {
  beforeExit();
}

/**
 * @param {Function} handler
 * @param {boolean} asyncOnly nodejs24.x and later
 * @returns {Invoke}
 */
export function invoker(handler, asyncOnly) {
  if (asyncOnly) return (headers, body, answer) => invokeAsyncOnly(handler, headers, body, answer);
  const handlerIsAsync = isAsyncFunction(handler);
  return (headers, body, answer) => invokeCallbackStyle(handler, handlerIsAsync, headers, body, answer);
}

/**
 * nodejs22.x. Only the first of callback, succeed, fail and done counts. A promise result is
 * posted when it settles. `callback(null, x)` is posted once the event loop is empty, unless
 * context.callbackWaitsForEmptyEventLoop was set to false. A handler that never answers is
 * answered when the event loop empties: null, or Runtime.NodeJsExit for an async function.
 * @param {Function} handler @param {boolean} handlerIsAsync
 * @param {Headers} headers @param {string} body @param {Answer} answer
 */
function invokeCallbackStyle(handler, handlerIsAsync, headers, body, answer) {
  let waitsForEmptyEventLoop = true;
  let completed = false;
  /** @param {unknown} result */
  const complete = (result) => {
    if (completed) {
      console.error("Invocation has already been reported as done. Cannot call complete more than once per invocation.");
      return;
    }
    completed = true;
    answer.response(serialize(result, Error));
  };
  /** @param {unknown} err @param {unknown} [result] */
  const callback = (err, result) => {
    beforeExit = NO_OP;
    if (err !== undefined && err !== null) answer.error(err);
    else if (!waitsForEmptyEventLoop) complete(result);
    else beforeExit = () => setImmediate(() => complete(result));
  };
  /** @param {unknown} err @param {unknown} [result] */
  const done = (err, result) => {
    beforeExit = NO_OP;
    if (err !== undefined && err !== null) answer.error(err);
    else complete(result);
  };
  // As in the RIC, a call counts as the answer once it has returned: when posting throws (a result
  // that cannot be serialised), the fail() that follows still reports that error.
  let finished = false;
  /** @template {unknown[]} A @param {(...args: A) => void} fn */
  const firstOnly = (fn) => (/** @type {A} */ ...args) => {
    if (!finished) {
      fn(...args);
      finished = true;
    }
  };
  const onceCallback = firstOnly(callback);
  const succeed = firstOnly((/** @type {unknown} */ result) => done(null, result));
  // fail() without a reason reports the string "handled" (aws-facts §2.4).
  const fail = firstOnly((/** @type {unknown} */ err) => (err === undefined || err === null ? done("handled") : done(err, null)));

  beforeExit = () => {
    completed = true;
    if (handlerIsAsync) answer.error(new NodeJsExit());
    else answer.response("null");
  };
  try {
    const deadline = Number(headers["lambda-runtime-deadline-ms"]);
    const context = {
      get callbackWaitsForEmptyEventLoop() {
        return waitsForEmptyEventLoop;
      },
      set callbackWaitsForEmptyEventLoop(value) {
        waitsForEmptyEventLoop = value;
      },
      succeed,
      fail,
      done: firstOnly(done),
      ...ENV,
      clientContext: parseJson(headers["lambda-runtime-client-context"], "ClientContext"),
      identity: parseJson(headers["lambda-runtime-cognito-identity"], "CognitoIdentity"),
      invokedFunctionArn: headers["lambda-runtime-invoked-function-arn"],
      awsRequestId: headers["lambda-runtime-aws-request-id"],
      tenantId: headers["lambda-runtime-aws-tenant-id"],
      getRemainingTimeInMillis: () => deadline - Date.now(),
    };
    const result = handler(JSON.parse(body), context, onceCallback);
    if (isPromise(result)) result.then(succeed, fail).catch(fail);
  } catch (err) {
    onceCallback(err);
  }
}

/**
 * nodejs24.x and later: the handler's (awaited) return value is the result, a throw or rejection
 * the error. A promise that never settles is failed with Runtime.NodeJsExit when the event loop
 * empties.
 * @param {Function} handler @param {Headers} headers @param {string} body @param {Answer} answer
 */
function invokeAsyncOnly(handler, headers, body, answer) {
  let settled = false;
  /** @param {unknown} result */
  const succeed = (result) => {
    if (settled) return;
    settled = true;
    beforeExit = NO_OP;
    let json;
    try {
      json = serialize(result, JSONStringifyError);
    } catch (error) {
      return answer.error(error);
    }
    answer.response(json);
  };
  /** @param {unknown} error */
  const fail = (error) => {
    if (settled) return;
    settled = true;
    beforeExit = NO_OP;
    answer.error(error);
  };
  beforeExit = () => fail(new NodeJsExit());
  try {
    const result = handler(JSON.parse(body), asyncContext(headers));
    if (isPromise(result)) result.then(succeed, fail);
    else succeed(result);
  } catch (error) {
    fail(error);
  }
}

/**
 * The nodejs24.x context (RIC context-builder.ts), also what streaming handlers get.
 * @param {Headers} headers
 */
export function asyncContext(headers) {
  const deadline = Number(headers["lambda-runtime-deadline-ms"]);
  return {
    clientContext: parseJson(headers["lambda-runtime-client-context"], "ClientContext"),
    identity: parseJson(headers["lambda-runtime-cognito-identity"], "CognitoIdentity"),
    invokedFunctionArn: headers["lambda-runtime-invoked-function-arn"],
    awsRequestId: headers["lambda-runtime-aws-request-id"],
    tenantId: headers["lambda-runtime-aws-tenant-id"],
    xRayTraceId: headers["lambda-runtime-trace-id"],
    getRemainingTimeInMillis: () => deadline - Date.now(),
    ...ENV,
  };
}

/** The RIC's test (an `async function`) for the unsettled-promise case. @param {Function} handler */
export function isAsyncFunction(handler) {
  try {
    return handler.constructor?.name === "AsyncFunction";
  } catch {
    return false;
  }
}

/**
 * Stock runtimes copy the trace header into _X_AMZN_TRACE_ID for the AWS SDK and X-Ray, and
 * delete it when an invocation has none (aws-facts §2.3).
 * @param {Headers} headers
 */
export function forwardTraceId(headers) {
  const trace = headers["lambda-runtime-trace-id"];
  if (trace) process.env._X_AMZN_TRACE_ID = /** @type {string} */ (trace);
  else delete process.env._X_AMZN_TRACE_ID;
}

/**
 * @param {unknown} result
 * @param {new (message: string) => Error} ErrorType what to throw when it cannot be serialised
 */
function serialize(result, ErrorType) {
  let json;
  try {
    json = JSON.stringify(result === undefined ? null : result);
  } catch {
    throw new ErrorType("Unable to stringify response body");
  }
  // A function or a symbol serialises to nothing at all.
  return json ?? "null";
}

/** A header that is not valid JSON fails the invocation, as in the RIC. @param {string | string[] | undefined} value @param {string} name */
function parseJson(value, name) {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(/** @type {string} */ (value));
  } catch (err) {
    throw new Error(`Cannot parse ${name} as json: ${err}`);
  }
}

/** @param {any} value @returns {value is Promise<unknown>} */
function isPromise(value) {
  return Boolean(value) && typeof value.then === "function";
}
