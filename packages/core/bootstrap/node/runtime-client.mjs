// @ts-check
// A minimal client of the Lambda Runtime API (2018-06-01, aws-facts §2.1) over one keep-alive
// connection: every warm invocation is one GET /next and one POST, so nothing else is done here.
import { createRequire } from "node:module";

// require() rather than `import ... from "node:http"`: building the ESM namespace of node:http
// costs about 30 ms at startup here, a third of a cold start.
/** @type {typeof import("node:http")} */
const http = createRequire(import.meta.url)("node:http");
const { Agent, request } = http;

/**
 * @typedef {{ body: Buffer, headers: import("node:http").IncomingHttpHeaders }} NextInvocation
 */

export class RuntimeClient {
  /** @param {string} hostPort */
  constructor(hostPort) {
    const [host, port] = hostPort.split(":");
    this.host = host;
    this.port = Number(port);
    this.agent = new Agent({ keepAlive: true, maxSockets: 1 });
  }

  /** @returns {Promise<NextInvocation>} */
  next() {
    return new Promise((resolve, reject) => {
      const req = request({ host: this.host, port: this.port, path: "/2018-06-01/runtime/invocation/next", method: "GET", agent: this.agent }, (res) => {
        /** @type {Buffer[]} */
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => {
          if (res.statusCode !== 200) return reject(new Error(`Runtime API /next answered ${res.statusCode}`));
          resolve({ body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks), headers: res.headers });
        });
      });
      req.on("error", reject);
      req.end();
    });
  }

  /** @param {string} id @param {string} body */
  postResponse(id, body) {
    return this.post(`/2018-06-01/runtime/invocation/${encodeURIComponent(id)}/response`, body, {});
  }

  /** @param {string} id @param {{errorType: string}} payload */
  postError(id, payload) {
    return this.post(`/2018-06-01/runtime/invocation/${encodeURIComponent(id)}/error`, JSON.stringify(payload), {
      "Lambda-Runtime-Function-Error-Type": payload.errorType,
    });
  }

  /** @param {{errorType: string}} payload */
  postInitError(payload) {
    return this.post("/2018-06-01/runtime/init/error", JSON.stringify(payload), { "Lambda-Runtime-Function-Error-Type": payload.errorType });
  }

  /**
   * @param {string} path @param {string} body @param {Record<string, string>} headers
   * @returns {Promise<number>}
   */
  post(path, body, headers) {
    return new Promise((resolve, reject) => {
      const data = Buffer.from(body);
      const req = request(
        { host: this.host, port: this.port, path, method: "POST", agent: this.agent, headers: { ...headers, "Content-Type": "application/json", "Content-Length": data.length } },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        },
      );
      req.on("error", reject);
      req.end(data);
    });
  }
}
