// @ts-check
// Response streaming in the Node.js runtime, as AWS's RIC does it (src/utils/globals.ts,
// src/stream/response-stream.ts, src/stream/http-response-stream.ts,
// src/runtime/streaming-invoke-processor.ts; aws-facts §2.1 "Response streaming"):
// - `awslambda.streamifyResponse(handler)` marks a handler `(event, responseStream, context)`;
// - its response is one POST to /response with `Lambda-Runtime-Function-Response-Mode: streaming`,
//   chunked, each write sent as it happens; a failure ends it with the error in two trailers;
// - `awslambda.HttpResponseStream.from(stream, { statusCode, headers, cookies })` switches the
//   content type to the HTTP integration's and writes the JSON prelude and 8 NUL bytes first.
// Kept in its own module: the bootstrap's buffered path does not load more for it.
import { toRapidResponse } from "./errors.mjs";
import { logError } from "./log-patch.mjs";
import { nodeHttp } from "./runtime-api-client.mjs";

const STREAMING = Symbol.for("aws.lambda.runtime.handler.streaming");
const STREAM_RESPONSE = "response";
const HTTP_INTEGRATION_CONTENT_TYPE = "application/vnd.awslambda.http-integration-response";
const DELIMITER = new Uint8Array(8);

class InvalidStreamingOperation extends Error {}
InvalidStreamingOperation.prototype.name = "Runtime.InvalidStreamingOperation";

class HttpResponseStream {
  /**
   * @param {ResponseStream} underlyingStream
   * @param {Record<string, unknown>} prelude `{ statusCode, headers, cookies }`
   */
  static from(underlyingStream, prelude) {
    underlyingStream.setContentType(HTTP_INTEGRATION_CONTENT_TYPE);
    const json = JSON.stringify(prelude);
    underlyingStream._onBeforeFirstWrite = (write) => {
      write(json);
      write(DELIMITER);
    };
    return underlyingStream;
  }
}

/**
 * Installs the `awslambda` global before the handler loads, unless
 * AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA is "1" or "true" (the RIC's escape hatch).
 */
export function installAwsLambdaGlobal() {
  const off = process.env.AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA;
  if (off === "1" || off === "true") return;
  /** @type {any} */ (globalThis).awslambda = {
    .../** @type {any} */ (globalThis).awslambda,
    /** @param {Function & Record<symbol, unknown>} handler */
    streamifyResponse: (handler) => {
      // The RIC's highWaterMark option tunes its socket only; local sockets need no tuning.
      handler[STREAMING] = STREAM_RESPONSE;
      return handler;
    },
    HttpResponseStream,
  };
}

/** @param {Function} handler */
export function isStreamingHandler(handler) {
  return /** @type {any} */ (handler)[STREAMING] === STREAM_RESPONSE;
}

/**
 * @typedef {import("node:http").ClientRequest & {
 *   setContentType(type: string): void,
 *   _onBeforeFirstWrite?: (write: (chunk: unknown) => void) => void,
 * }} ResponseStream
 * @typedef {{ host: string, port: number, agent: import("node:http").Agent }} RuntimeApiAddress
 */

/**
 * The invoke function of a streaming handler. `answer.streamed` is called once the Runtime API
 * has acknowledged the whole stream and the handler has settled; as in the RIC, a handler that
 * never ends its stream leaves the invocation open until the function's timeout.
 * @param {Function} handler
 * @param {RuntimeApiAddress} api
 * @param {(headers: import("node:http").IncomingHttpHeaders) => object} makeContext
 * @returns {import("./invoke-context.mjs").Invoke}
 */
export function streamingInvoker(handler, api, makeContext) {
  return (headers, body, answer) => {
    const id = /** @type {string} */ (headers["lambda-runtime-aws-request-id"]);
    const { stream, acknowledged } = openResponseStream(api, id);
    /** @param {unknown} error */
    const fail = (error) => {
      logError("Invoke Error", error);
      if (stream.writableEnded) return;
      const rapid = toRapidResponse(error);
      stream.addTrailers({
        "Lambda-Runtime-Function-Error-Type": rapid.errorType,
        "Lambda-Runtime-Function-Error-Body": Buffer.from(JSON.stringify(rapid)).toString("base64"),
      });
      stream.end();
    };
    /** @type {Promise<unknown>} */
    let settled;
    try {
      const result = handler(JSON.parse(body), stream, makeContext(headers));
      if (typeof result?.then !== "function") throw new Error("Streaming does not support non-async handlers.");
      settled = result.then((/** @type {unknown} */ value) => {
        if (value !== undefined) console.warn("Streaming handlers ignore return values.");
      }, fail);
    } catch (error) {
      fail(error);
      settled = Promise.resolve();
    }
    Promise.all([settled, acknowledged]).then(() => answer.streamed?.(), answer.error);
  };
}

/**
 * POST /response in streaming mode. Node sends each write as one chunk at once (no Nagle on
 * http sockets). The prelude hook runs before the first write, or at `end` when nothing was
 * written, so a status set with HttpResponseStream reaches the caller even with an empty body.
 * @param {RuntimeApiAddress} api @param {string} id
 */
function openResponseStream(api, id) {
  const stream = /** @type {ResponseStream} */ (
    nodeHttp().request({
      host: api.host,
      port: api.port,
      agent: api.agent,
      method: "POST",
      path: `/2018-06-01/runtime/invocation/${encodeURIComponent(id)}/response`,
      headers: {
        "Lambda-Runtime-Function-Response-Mode": "streaming",
        "Transfer-Encoding": "chunked",
        Trailer: "Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body",
        "Content-Type": "application/octet-stream",
      },
    })
  );
  let started = false;
  const rawWrite = stream.write.bind(stream);
  const rawEnd = stream.end.bind(stream);
  const beforeFirstWrite = () => {
    if (started) return;
    started = true;
    stream._onBeforeFirstWrite?.((chunk) => rawWrite(/** @type {any} */ (chunk)));
  };
  stream.setContentType = (type) => {
    if (started) throw new InvalidStreamingOperation("Cannot set content-type, too late.");
    stream.setHeader("Content-Type", type);
  };
  /** @type {any} */ (stream).write = (/** @type {any} */ chunk, /** @type {any} */ encoding, /** @type {any} */ callback) => {
    beforeFirstWrite();
    const data = typeof chunk === "string" || chunk instanceof Uint8Array ? chunk : JSON.stringify(chunk);
    return rawWrite(data, encoding, callback);
  };
  /** @type {any} */ (stream).end = (/** @type {any} */ chunk, /** @type {any} */ encoding, /** @type {any} */ callback) => {
    if (typeof chunk === "function") return /** @type {any} */ (stream).end(undefined, undefined, chunk);
    if (chunk !== undefined && chunk !== null) stream.write(chunk, encoding);
    else beforeFirstWrite();
    return rawEnd(callback);
  };
  const acknowledged = new Promise((resolve, reject) => {
    stream.on("response", (res) => {
      res.resume();
      res.on("end", resolve);
    });
    stream.on("error", reject);
  });
  return { stream, acknowledged };
}
