// @ts-check
// A client of the Lambda Runtime API (2018-06-01, aws-facts §2.1) over one keep-alive connection,
// like the RIC's RAPIDClient: a warm invocation costs one GET /next and one POST, nothing more.

// node:http through getBuiltinModule rather than `import`: the ESM facade of node:http evaluates
// every export, WebSocket (undici) included, which costs several milliseconds of each cold start.
// And only at the first request: on lambda-sim's private channel a runtime that streams no
// response never needs it, and loading it costs 10-20 ms of every cold start.
/** @type {typeof import("node:http") | undefined} */
let http;
export const nodeHttp = () => (http ??= /** @type {typeof import("node:http")} */ (process.getBuiltinModule("node:http")));

const BASE = "/2018-06-01/runtime";
const ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type";

/**
 * @typedef {{ body: string, headers: import("node:http").IncomingHttpHeaders }} Invocation
 * @typedef {{ errorType: string, errorMessage: string, trace: string[] }} RapidError
 */

export class RuntimeApiClient {
  /** @param {string} hostPort `host:port`, from AWS_LAMBDA_RUNTIME_API */
  constructor(hostPort) {
    const colon = hostPort.lastIndexOf(":");
    this.host = hostPort.slice(0, colon);
    this.port = Number(hostPort.slice(colon + 1));
    /** @type {import("node:http").Agent | undefined} */
    this.keepAlive = undefined;
  }

  /** The one keep-alive connection's agent, made at the first request. */
  get agent() {
    return (this.keepAlive ??= new (nodeHttp().Agent)({ keepAlive: true, maxSockets: 1 }));
  }

  /**
   * Blocks until the next event. No timeout: the environment may be frozen (SIGSTOP) while it waits.
   * @returns {Promise<Invocation>}
   */
  next() {
    return new Promise((resolve, reject) => {
      this.send("GET", `${BASE}/invocation/next`, undefined, undefined, (status, body, headers) => {
        if (status === 200) resolve({ body, headers });
        else reject(new Error(`Runtime API GET /invocation/next answered ${status}: ${body}`));
      }, reject);
    });
  }

  /**
   * @param {string} id @param {string} json the serialised result
   * @param {boolean} [_thenNext] unused over HTTP (the private channel's hint, see runtime-channel-client.mjs)
   */
  postResponse(id, json, _thenNext) {
    return this.post(`${BASE}/invocation/${encodeURIComponent(id)}/response`, json, undefined);
  }

  /** @param {string} id @param {RapidError} error @param {boolean} [_thenNext] */
  postError(id, error, _thenNext) {
    return this.post(`${BASE}/invocation/${encodeURIComponent(id)}/error`, JSON.stringify(error), error.errorType);
  }

  /** @param {RapidError} error */
  postInitError(error) {
    return this.post(`${BASE}/init/error`, JSON.stringify(error), error.errorType);
  }

  /**
   * Resolves with the HTTP status once the answer has been read; a 4xx (e.g. a second answer for
   * one request) is the simulator's to record, not an error of the runtime.
   * @param {string} path @param {string} json @param {string | undefined} errorType
   * @returns {Promise<number>}
   */
  post(path, json, errorType) {
    return new Promise((resolve, reject) => {
      this.send("POST", path, json, errorType, (status) => resolve(status), reject);
    });
  }

  /**
   * @param {string} method @param {string} path @param {string | undefined} body
   * @param {string | undefined} errorType
   * @param {(status: number, body: string, headers: import("node:http").IncomingHttpHeaders) => void} onDone
   * @param {(error: Error) => void} onError
   * @param {boolean} [retried]
   */
  send(method, path, body, errorType, onDone, onError, retried = false) {
    /** @type {Record<string, string | number>} */
    const headers = {};
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      headers["Content-Length"] = Buffer.byteLength(body);
    }
    if (errorType !== undefined) headers[ERROR_TYPE_HEADER] = errorType;
    const req = nodeHttp().request({ host: this.host, port: this.port, method, path, headers, agent: this.agent }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (text += chunk));
      res.on("end", () => onDone(res.statusCode ?? 0, text, res.headers));
      res.on("error", onError);
    });
    req.on("error", (error) => {
      // The server may close an idle keep-alive connection just as we reuse it (a long invocation
      // outlives its keep-alive timeout): the request never reached it, so send it again, once.
      if (!retried && req.reusedSocket && /** @type {NodeJS.ErrnoException} */ (error).code === "ECONNRESET") {
        this.send(method, path, body, errorType, onDone, onError, true);
      } else {
        onError(error);
      }
    });
    req.end(body);
  }
}
