// @ts-check
// lambda-sim's Node.js runtime bootstrap: what AWS's runtime interface client (RIC) does at
// /var/runtime/index.mjs in a nodejs22.x / nodejs24.x environment. It patches the console, loads
// the handler, then loops on the Runtime API (aws-facts §2.1) until the process is killed. It
// imports nothing from the simulator and talks HTTP to AWS_LAMBDA_RUNTIME_API, or the same
// exchanges over lambda-sim's private channel when it is given one (runtime-channel-client.mjs).
//
// Startup cost matters (every cold start pays it): built-ins come from process.getBuiltinModule,
// not ESM imports, and each extra module of the bootstrap costs about half a millisecond.
import { CallbackHandlerDeprecated, UnhandledPromiseRejection, toRapidResponse } from "./errors.mjs";
import { asyncContext, forwardTraceId, invoker, isAsyncFunction, onEventLoopEmpty } from "./invoke-context.mjs";
import { logError, patchConsole, setLoggingContext } from "./log-patch.mjs";
import { installAwsLambdaGlobal, isStreamingHandler, streamingInvoker } from "./response-stream.mjs";
import { RuntimeApiClient } from "./runtime-api-client.mjs";
import { RuntimeChannelClient } from "./runtime-channel-client.mjs";
import { confineHandlerImports, resolveNodePathForImports } from "./module-resolution.mjs";
import { loadHandler } from "./user-function.mjs";

const { enableCompileCache } = /** @type {typeof import("node:module")} */ (process.getBuiltinModule("node:module"));

// V8's compile cache, shared by all environments of one simulator, so the handler's modules are
// compiled once rather than at every cold start. The directory arrives in a private variable,
// removed before any user code can see it.
const cacheDir = process.env._LAMBDA_SIM_COMPILE_CACHE;
delete process.env._LAMBDA_SIM_COMPILE_CACHE;
if (cacheDir) enableCompileCache(cacheDir);
// The private channel's fds, likewise hidden from user code.
const channelFds = process.env._LAMBDA_SIM_RUNTIME_FD;
delete process.env._LAMBDA_SIM_RUNTIME_FD;

const CALLBACK_WARNING =
  "AWS Lambda plans to remove support for callback-based function handlers starting with Node.js 24. You will need to update this function to use an async handler to use Node.js 24 or later. For more information and to provide feedback on this change, see https://github.com/aws/aws-lambda-nodejs-runtime-interface-client/issues/137. To disable this warning, set the AWS_LAMBDA_NODEJS_DISABLE_CALLBACK_WARNING environment variable.";
const CALLBACK_ERROR =
  "ERROR: AWS Lambda has removed support for callback-based function handlers starting with Node.js 24. You need to modify this function to use a supported handler signature to use Node.js 24 or later. For more information see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html.";

// nodejs24.x and later run the rewritten RIC: async handlers only (see invoke-context.mjs).
const asyncOnly = Number(/^AWS_Lambda_nodejs(\d+)/.exec(process.env.AWS_EXECUTION_ENV ?? "")?.[1] ?? 0) >= 24;

patchConsole();
resolveNodePathForImports();
confineHandlerImports();
installAwsLambdaGlobal();
const http = new RuntimeApiClient(process.env.AWS_LAMBDA_RUNTIME_API ?? "127.0.0.1:9001");
// Streamed responses always go over HTTP (chunked, with trailers); everything else takes the
// private channel when there is one.
const client = RuntimeChannelClient.open(channelFds) ?? http;

/**
 * Ends the process after a failure the handler did not catch: reported as an init error until the
 * first invocation, then as an error of the latest invocation, which stays the target after it
 * is answered, as in the RIC (aws-facts §2.4: uncaught exception 129, unhandled rejection 128).
 * @type {(error: unknown, exitCode: number) => void}
 */
let failProcess = (error, exitCode) => {
  const exit = () => process.exit(exitCode);
  client.postInitError(toRapidResponse(error)).then(exit, exit);
};
let failing = false;

process.on("uncaughtException", (error) => {
  logError("Uncaught Exception", error);
  if (!failing) failProcess(error, 129);
  failing = true;
});
process.on("unhandledRejection", (reason, promise) => {
  const error = new UnhandledPromiseRejection(reason, promise);
  logError("Unhandled Promise Rejection", error);
  if (!failing) failProcess(error, 128);
  failing = true;
});
process.on("beforeExit", onEventLoopEmpty);

const invoke = await init();
if (invoke) void loop(invoke);

/** Loads the handler; on failure reports an init error and ends the process. */
async function init() {
  try {
    const handler = await loadHandler(process.env.LAMBDA_TASK_ROOT || process.cwd(), process.env._HANDLER ?? "", { defaultExportFallback: asyncOnly });
    if (isStreamingHandler(handler)) return streamingInvoker(handler, http, asyncContext);
    if (asyncOnly && handler.length >= 3) throw new CallbackHandlerDeprecated(CALLBACK_ERROR);
    if (!asyncOnly && handler.length === 3 && !isAsyncFunction(handler) && process.env.AWS_LAMBDA_NODEJS_DISABLE_CALLBACK_WARNING === undefined) {
      console.warn(CALLBACK_WARNING);
    }
    return invoker(handler, asyncOnly);
  } catch (error) {
    if (asyncOnly) {
      // The nodejs24.x RIC logs and reports the failure, then dies of the rethrown error: status 1.
      logError("Init Error", error);
      const exit = () => process.exit(1);
      client.postInitError(toRapidResponse(error)).then(exit, exit);
    } else {
      // nodejs22.x: the loader's rejection reaches the uncaughtException listener.
      logError("Uncaught Exception", error);
      failProcess(error, 129);
    }
    return undefined;
  }
}

/** @param {import("./invoke-context.mjs").Invoke} invoke */
async function loop(invoke) {
  for (;;) {
    /** @type {import("./runtime-api-client.mjs").Invocation} */
    let invocation;
    try {
      invocation = await client.next();
    } catch (error) {
      return topLevelError(error);
    }
    const { headers, body } = invocation;
    const id = /** @type {string} */ (headers["lambda-runtime-aws-request-id"]);
    setLoggingContext(id, /** @type {string | undefined} */ (headers["lambda-runtime-aws-tenant-id"]));
    forwardTraceId(headers);
    failProcess = (error, exitCode) => {
      const exit = () => process.exit(exitCode);
      client.postError(id, toRapidResponse(error)).then(exit, exit);
    };
    await new Promise((answered) => {
      invoke(headers, body, {
        // `true`: the loop asks for the next event right after (one message on the private channel).
        response: (json) => afterOutput(() => void client.postResponse(id, json, true).then(answered, topLevelError)),
        streamed: () => answered(undefined),
        error: (error) => {
          logError("Invoke Error", error);
          afterOutput(() => void client.postError(id, toRapidResponse(error), true).then(answered, topLevelError));
        },
      });
    });
  }
}

/**
 * Runs `answer` once what the invocation wrote to stdout and stderr has left the process: a pipe
 * that was full keeps the rest of a large write in Node's buffer, and the answer, sent first over
 * another pipe, ended the invocation before its last output reached the log (its END line came
 * before it). AWS's runtime writes its logs synchronously, so they always precede the answer.
 * Nothing waits when nothing is buffered (the usual case).
 * @param {() => void} answer
 */
function afterOutput(answer) {
  if (process.stdout.writableLength === 0 && process.stderr.writableLength === 0) return answer();
  // An empty write's callback runs once everything written before it has been flushed. Not
  // 'drain': a stream emits it only after a write() returned false (its buffer once reached the
  // high-water mark), so output that filled the pipe but stayed under that mark never drains, and
  // the process, with nothing else to wait for, exited without answering (Runtime.ExitError).
  const pending = [process.stdout, process.stderr].filter((s) => s.writableLength > 0);
  let left = pending.length;
  for (const s of pending) s.write("", () => --left === 0 && answer());
}

/** The Runtime API is unreachable or broke the protocol: the RIC gives up on the process. @param {unknown} error */
function topLevelError(error) {
  console.log(`Unexpected Top Level Error: ${error}`);
  failProcess(error, 129);
}
