import { execFile } from "node:child_process";
import { request } from "node:http";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GetFunctionUrlConfigCommand, LambdaClient } from "@aws-sdk/client-lambda";
import type { FunctionDefinition } from "@lambda-sim/core";
import { startTestSimulator, TelemetryRecorder, type TestSimulator } from "@lambda-sim/core/testing";
import { apiGatewaySource, functionUrlsSource } from "@lambda-sim/sources";
import { apiConfigSchema } from "../packages/sources/src/http/api-config.ts";
import { httpCall, type HttpReply } from "./support/http-call.ts";

// What the HTTP fronts (Function URLs, BUFFERED and RESPONSE_STREAM; HTTP APIs; REST APIs) answer
// when a function's answer cannot go out on HTTP as it is (a header with a newline, a 1xx status,
// a 204 with a body), and when a request's body is over the front's limit. Real HTTP requests
// against a started simulator; the simulator itself runs in this process, so an exception that
// escaped the front would fail the file.

const codeDir = fileURLToPath(new URL("./fixtures/functions/http-handlers/", import.meta.url));
const fn = (functionName: string, handler: string, extra: Partial<FunctionDefinition> = {}): FunctionDefinition => ({ functionName, runtime: "nodejs24.x", handler: `index.${handler}`, codeDir, timeout: 5, ...extra });
const HTTP_API = "httpfront1";
const REST_API = "restfront1";
const apis = apiConfigSchema.parse({
  http: { id: HTTP_API, routes: { "POST /answer": "answer" } },
  rest: { protocolType: "REST", id: REST_API, stages: { prod: { stageVariables: {} } }, routes: { "POST /answer": "answer" } },
});

let t: TestSimulator;
let logs: TelemetryRecorder;
let buffered: string;
let streamed: string;

beforeAll(async () => {
  t = await startTestSimulator({
    functions: [fn("answer", "answer", { functionUrl: { authType: "NONE" } }), fn("stream-answer", "streamAnswer", { functionUrl: { authType: "NONE", invokeMode: "RESPONSE_STREAM" } })],
    sources: [apiGatewaySource, functionUrlsSource],
    sourceConfig: { apis },
  });
  logs = new TelemetryRecorder(t.sim.telemetry);
  const lambda = new LambdaClient(t.clientConfig);
  const base = async (name: string) => {
    const url = (await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: name }))).FunctionUrl!;
    return `${t.endpoint}/_aws/lambda-url/${/^http:\/\/([a-z0-9]{32})\./.exec(url)![1]}/`;
  };
  buffered = await base("answer");
  streamed = await base("stream-answer");
  lambda.destroy();
});
afterAll(() => t?.close());

const FRONTS = {
  buffered: () => buffered,
  streamed: () => streamed,
  http: () => `${t.endpoint}/_aws/execute-api/${HTTP_API}/answer`,
  rest: () => `${t.endpoint}/_aws/execute-api/${REST_API}/prod/answer`,
};
type Front = keyof typeof FRONTS;

/** POSTs `{ answer }`, which the function answers (or, streamed, takes as its prelude); fails after 8 s rather than hang. */
function answerOf(front: Front, answer: unknown): Promise<HttpReply> {
  return within(8_000, httpCall(FRONTS[front](), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ answer }) }));
}

function within<T>(ms: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

// Each front's answer to a malformed function answer, as it already gives it for a wrong shape.
const MALFORMED: Record<Front, [number, string]> = {
  buffered: [502, "Internal Server Error"],
  streamed: [502, "Internal Server Error"],
  http: [500, '{"message":"Internal Server Error"}'],
  rest: [502, '{"message": "Internal server error"}'],
};

const BAD_HEADERS = [
  { statusCode: 200, headers: { "x-bad": "a\nb" }, body: "x" },
  { statusCode: 200, headers: { "x-split": "a\r\nx-injected: yes" }, body: "x" },
  { statusCode: 200, headers: { "bad name": "x" }, body: "x" },
  { statusCode: 200, headers: { "x-wide": "日本" }, body: "x" },
];
const BAD_COOKIE = { statusCode: 200, cookies: ["a=1\r\nx-injected: yes"], body: "x" };

describe("a function's answer with a header or cookie HTTP cannot carry", () => {
  it("RESPONSE_STREAM URL: the prelude is refused with a 502, and the simulator goes on answering", async () => {
    for (const prelude of [...BAD_HEADERS, BAD_COOKIE]) {
      const res = await answerOf("streamed", prelude);
      expect([res.status, res.text, res.headers["x-injected"]], JSON.stringify(prelude)).toEqual([...MALFORMED.streamed, undefined]);
      expect(res.headers["x-amzn-requestid"]).toMatch(/^[0-9a-f-]{36}$/);
    }
    const fine = await answerOf("streamed", { statusCode: 201, headers: { "x-good": "yes" }, cookies: ["c=1"] });
    expect([fine.status, fine.headers["x-good"], fine.headers["set-cookie"], fine.text]).toEqual([201, "yes", ["c=1"], "streamed body"]);
    expect((await answerOf("buffered", { statusCode: 202, body: "still here" })).text).toBe("still here");
    const failed = logs.of("http.integration-failed").filter((e) => e.front === "function-url" && e.functionName === "stream-answer");
    expect(failed.map((e) => e.reason)).toEqual(Array(5).fill("The response from the Lambda function doesn't match the format that Function URLs expect."));
    expect(failed[0]!.detail).toBe(`the prelude's header x-bad has a character HTTP does not allow: "a\\nb"`);
  });

  it.each(["buffered", "http", "rest"] as const)("%s: the front's own malformed-answer response, not the Lambda API's 500", async (front) => {
    const answers = front === "rest" ? [...BAD_HEADERS, { statusCode: 200, multiValueHeaders: { "x-multi": ["ok", "a\nb"] }, body: "x" }] : [...BAD_HEADERS, BAD_COOKIE];
    for (const answer of answers) {
      const res = await answerOf(front, answer);
      expect([res.status, res.text, res.headers["x-amzn-errortype"] === "ServiceException", res.headers["x-injected"]], JSON.stringify(answer)).toEqual([...MALFORMED[front], false, undefined]);
    }
    expect(logs.of("simulator.warning").filter((e) => e.message.includes("internal error"))).toEqual([]);
  });

  it.each(["buffered", "streamed", "http", "rest"] as const)("%s over h2c: connection-specific headers (HTTP/1.1's hop only) are dropped, not a 500", async (front) => {
    const answer = { statusCode: 200, headers: { upgrade: "websocket", "keep-alive": "timeout=5", "x-kept": "yes" }, body: "h2" };
    const { stdout } = await promisify(execFile)("curl", ["-s", "-i", "-m", "8", "--http2-prior-knowledge", "-H", "content-type: application/json", "--data", JSON.stringify({ answer }), FRONTS[front]()]);
    const [head, body] = stdout.split("\r\n\r\n");
    expect([head!.split("\r\n")[0]!.trim(), /^x-kept: yes$/m.test(head!.replace(/\r/g, "")), /^(upgrade|keep-alive):/im.test(head!), body]).toEqual(["HTTP/2 200", true, false, front === "streamed" ? "streamed body" : "h2"]);
  });
});

describe("a REST answer with two values of a single-value header over h2c", () => {
  it("goes out with the last one, not a reset stream (review18 R18-5: HTTP/2 allows one Location)", async () => {
    const answer = { statusCode: 302, multiValueHeaders: { Location: ["/a", "/b"] }, body: "" };
    const { stdout } = await promisify(execFile)("curl", ["-s", "-i", "-m", "8", "--http2-prior-knowledge", "-H", "content-type: application/json", "--data", JSON.stringify({ answer }), FRONTS.rest()]);
    const head = stdout.split("\r\n\r\n")[0]!.replace(/\r/g, "");
    expect([head.split("\n")[0]!.trim(), head.match(/^location: .*$/gim)]).toEqual(["HTTP/2 302", ["location: /b"]]);
  });
});

describe("statusCode 1xx, 204 and 304 from a function", () => {
  it.each(Object.keys(FRONTS) as Front[])("%s: a 1xx is a malformed answer, not an interim response the client waits past", async (front) => {
    for (const statusCode of [100, 101, 103]) {
      const answer = front === "streamed" ? { statusCode } : { statusCode, body: "x" };
      const res = await answerOf(front, answer);
      expect([res.status, res.text], `statusCode ${statusCode}`).toEqual(MALFORMED[front]);
    }
  });

  it.each(["buffered", "http", "rest"] as const)("%s: a 204 or 304 goes out without body or Content-Length", async (front) => {
    for (const statusCode of [204, 304]) {
      const res = await answerOf(front, { statusCode, headers: { "content-length": "17", etag: '"v1"' }, body: "should not be sent" });
      expect([res.status, res.headers["content-length"], res.headers["transfer-encoding"], res.text], `statusCode ${statusCode}`).toEqual([statusCode, undefined, undefined, ""]);
    }
    // The connection's framing held: the next answer is whole.
    expect((await answerOf(front, { statusCode: 200, body: "next" })).text).toBe("next");
  });
});

/**
 * Sends `size` bytes of body in 1 MB chunks, chunked, and does not end the request: the answer
 * must come while the client is still sending, as soon as the front's limit is passed.
 */
function oversized(url: string, size: number): Promise<HttpReply> {
  return within(
    10_000,
    new Promise<HttpReply>((resolve, reject) => {
      const req = request(url, { method: "POST", headers: { "content-type": "application/octet-stream" }, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const body = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString("utf8"), json: () => JSON.parse(body.toString("utf8")) });
          req.destroy();
        });
      });
      req.on("error", reject);
      const mb = Buffer.alloc(1024 * 1024, 7);
      for (let sent = 0; sent < size; sent += mb.length) req.write(mb);
    }),
  );
}

describe("a request body over the front's limit", () => {
  it("Function URL: Lambda's 413 as soon as 6 MB passed, without waiting for the rest", async () => {
    for (const url of [buffered, streamed]) {
      const res = await oversized(url, 7 * 1024 * 1024);
      expect([res.status, res.json(), res.headers["x-amzn-errortype"]]).toEqual([413, { Message: "Request must be smaller than 6291456 bytes for the InvokeFunction operation" }, "RequestEntityTooLargeException"]);
    }
    expect((await answerOf("buffered", { statusCode: 200, body: "after" })).text).toBe("after");
  });

  it("HTTP API and REST API: their own 413 as soon as 10 MB passed", async () => {
    const http = await oversized(FRONTS.http(), 11 * 1024 * 1024);
    expect([http.status, http.text, http.headers["apigw-requestid"] !== undefined]).toEqual([413, '{"message":"Request Entity Too Large"}', true]);
    const rest = await oversized(FRONTS.rest(), 11 * 1024 * 1024);
    expect([rest.status, rest.text, rest.headers["x-amzn-errortype"]]).toEqual([413, '{"message":"Request Too Long"}', "RequestTooLargeException"]);
    expect((await answerOf("rest", { statusCode: 200, body: "after" })).text).toBe("after");
  });
});
