// @ts-check
// lambda-sim's Node.js runtime bootstrap: what AWS's runtime interface client does inside a
// nodejs22.x / nodejs24.x environment. It loads the handler, then loops on the Runtime API. It
// imports nothing from the simulator and talks to it only over AWS_LAMBDA_RUNTIME_API.
import { RuntimeClient } from "./runtime-client.mjs";
import { loadHandler } from "./user-function.mjs";
import { makeContext } from "./invoke-context.mjs";
import { logContext, patchConsole } from "./log-patch.mjs";
import { RuntimeError, toFormatted, toRapidResponse } from "./errors.mjs";

const client = new RuntimeClient(process.env.AWS_LAMBDA_RUNTIME_API ?? "127.0.0.1:9001");
patchConsole();

/** @type {string | undefined} the request being handled, for process-level failures */
let currentId;

/** @type {Function} */
let handler;
try {
  handler = await loadHandler(process.env.LAMBDA_TASK_ROOT ?? process.cwd(), process.env._HANDLER ?? "");
} catch (e) {
  console.error("Uncaught Exception", toFormatted(e));
  await client.postInitError(toRapidResponse(e)).catch(() => {});
  process.exit(129);
}

// RIC behaviour: an uncaught exception fails the current invocation and ends the process (129);
// an unhandled rejection does the same with exit code 128. The environment is then reset.
process.on("uncaughtException", (error) => {
  console.error("Uncaught Exception", toFormatted(error));
  void failAndExit(error, 129);
});
process.on("unhandledRejection", (reason) => {
  const error = new RuntimeError("Runtime.UnhandledPromiseRejection", String(reason instanceof Error ? `${reason.name}: ${reason.message}` : reason));
  console.error("Unhandled Promise Rejection", toFormatted(error));
  void failAndExit(error, 128);
});

/** @param {unknown} error @param {number} code */
async function failAndExit(error, code) {
  if (currentId !== undefined) await client.postError(currentId, toRapidResponse(error)).catch(() => {});
  process.exit(code);
}

for (;;) {
  const { body, headers } = await client.next();
  await runInvocation(body, headers);
}

/**
 * @param {Buffer} body
 * @param {import("node:http").IncomingHttpHeaders} headers
 */
function runInvocation(body, headers) {
  const id = String(headers["lambda-runtime-aws-request-id"]);
  currentId = id;
  logContext.requestId = id;
  const trace = headers["lambda-runtime-trace-id"];
  if (typeof trace === "string") process.env._X_AMZN_TRACE_ID = trace;
  else delete process.env._X_AMZN_TRACE_ID;

  return new Promise((resolveInvocation) => {
    let finished = false;
    /** @param {unknown} err @param {unknown} [result] */
    const post = (err, result) => {
      let send;
      if (err !== null && err !== undefined) {
        console.error("Invoke Error", toFormatted(err));
        send = client.postError(id, toRapidResponse(err));
      } else {
        let text;
        try {
          text = JSON.stringify(result === undefined ? null : result);
        } catch (e) {
          const error = new RuntimeError("Runtime.SerializationError", `Unable to stringify response body: ${e instanceof Error ? e.message : String(e)}`);
          return void client.postError(id, toRapidResponse(error)).then(done, done);
        }
        send = client.postResponse(id, text);
      }
      send.then(done, done);
    };
    const done = () => {
      currentId = undefined;
      resolveInvocation(undefined);
    };
    /** @param {unknown} err @param {unknown} [result] */
    const complete = (err, result) => {
      if (finished) return; // only the first completion counts
      finished = true;
      if (handler.length >= 3 && context.callbackWaitsForEmptyEventLoop) {
        // Callback handlers answer once the event loop is empty (RIC BeforeExitListener).
        process.once("beforeExit", () => post(err, result));
      } else {
        post(err, result);
      }
    };
    const context = makeContext(headers, complete);
    let event;
    try {
      event = JSON.parse(body.toString("utf8"));
    } catch {
      event = body.toString("utf8");
    }
    try {
      const out = handler(event, context, complete);
      if (out !== null && typeof out === "object" && typeof out.then === "function") {
        out.then((/** @type {unknown} */ r) => complete(null, r), (/** @type {unknown} */ e) => complete(e ?? new Error("Promise rejected without a reason")));
      }
    } catch (e) {
      complete(e);
    }
  });
}
