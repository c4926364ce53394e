import { createServer, request, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FunctionDefinition } from "@lambda-sim/core";
import { startTestSimulator, TelemetryRecorder, type TestSimulator } from "@lambda-sim/core/testing";
import { apiGatewaySource } from "@lambda-sim/sources";
import { apiConfigSchema } from "../packages/sources/src/http/api-config.ts";
import { until } from "./support/until.ts";

/**
 * REST API response streaming (API Gateway, November 2025): a route whose Lambda proxy integration
 * has `responseTransferMode: STREAM` calls the function as InvokeWithResponseStream does and passes
 * its answer on as it comes: status and headers from the metadata before the 8-NUL delimiter, then
 * the body, chunk by chunk. https://docs.aws.amazon.com/apigateway/latest/developerguide/response-transfer-mode-lambda.html
 */
const codeUri = fileURLToPath(new URL("./fixtures/functions/rest-streaming/", import.meta.url));
const API = "streamapi1";
const FUNCTIONS = ["chat", "raw", "nometa", "badmeta", "bigmeta", "buffered", "throws", "stalls"];
const stream = (functionName: string, extra: Record<string, unknown> = {}) => ({ functionName, responseTransferMode: "STREAM", ...extra });
const apis = apiConfigSchema.parse({
  chatbot: {
    protocolType: "REST",
    id: API,
    stages: { prod: {} },
    routes: {
      "POST /chat": stream("chat"),
      "GET /raw": stream("raw"),
      "GET /nometa": stream("nometa"),
      "GET /badmeta": stream("badmeta"),
      "GET /bigmeta": stream("bigmeta"),
      "GET /buffered": "buffered",
      "POST /chat-buffered": "chat",
      "GET /buffered-streamed": stream("buffered"),
      "GET /throws": stream("throws"),
      "POST /stalls": stream("stalls", { timeoutInMillis: 1500 }),
      "POST /idle": stream("stalls"),
    },
  },
});

let t: TestSimulator;
let logs: TelemetryRecorder;
/** The gate a handler waits on: its request is held until the test answers it. */
let gate: Server;
let held: ServerResponse | undefined;
let gateUrl: string;
const url = (path: string) => `${t.endpoint}/_aws/execute-api/${API}/prod${path}`;
const failures = () => Object.fromEntries(logs.of("http.integration-failed").map((e) => [e.routeKey, [e.status, e.reason, e.detail]]));

beforeAll(async () => {
  gate = createServer((_req, res) => (held = res));
  await new Promise<void>((r) => gate.listen(0, "127.0.0.1", r));
  gateUrl = `http://127.0.0.1:${(gate.address() as AddressInfo).port}/`;
  t = await startTestSimulator({
    functions: FUNCTIONS.map((f): FunctionDefinition => ({ functionName: f, runtime: "nodejs24.x", handler: `index.${f}`, codeDir: codeUri, timeout: 30 })),
    sources: [apiGatewaySource],
    sourceConfig: { apis },
  });
  logs = new TelemetryRecorder(t.sim.telemetry);
});

afterAll(async () => {
  await t?.close();
  gate?.closeAllConnections();
  gate?.close();
});

describe("a REST route with responseTransferMode: STREAM", () => {
  it("sends the metadata's status and headers, then each chunk while the handler still runs", async () => {
    held = undefined;
    const res = await fetch(url("/chat"), { method: "POST", body: JSON.stringify({ gate: gateUrl }) });
    expect(res.status).toBe(201);
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    expect(res.headers.get("x-foo")).toBe("bar");
    expect(res.headers.get("x-mv")).toBe("hello, world");
    expect(res.headers.getSetCookie()).toEqual(["c1=blue"]);
    expect(res.headers.get("transfer-encoding")).toBe("chunked");
    expect(res.headers.get("x-amzn-requestid")).toMatch(/^[0-9a-f-]{36}$/);
    const reader = res.body!.getReader();
    let first = "";
    while (!first.endsWith("\n\n")) first += Buffer.from((await reader.read()).value!).toString();
    // The same v1.0 event as a buffered route gets.
    expect(first).toBe("data: /chat /chat\n\n");
    // The handler is blocked on the gate: the first event came before it could finish.
    await until(() => held !== undefined);
    held!.end("go");
    let rest = "";
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest += Buffer.from(r.value).toString();
    expect(rest).toBe("data: second\n\n");
  });

  it("passes binary bytes as they are (no binary media types needed) and keeps the metadata's Content-Length", async () => {
    const res = await fetch(url("/raw"));
    expect([res.status, res.headers.get("content-type"), res.headers.get("content-length")]).toEqual([200, "application/octet-stream", "256"]);
    expect([...new Uint8Array(await res.arrayBuffer())]).toEqual(Array.from({ length: 256 }, (_, i) => i));
  });

  it("a buffered handler answers on a BUFFERED route as before, and with a 500 on a STREAM route (its answer has no metadata)", async () => {
    const buffered = await fetch(url("/buffered"));
    expect([buffered.status, buffered.headers.get("x-mode"), await buffered.text()]).toEqual([200, "buffered", "buffered /buffered"]);
    const streamed = await fetch(url("/buffered-streamed"));
    expect([streamed.status, await streamed.text()]).toEqual([500, '{"message":"Internal server error"}']);
  });

  it("a streaming handler on a BUFFERED route gives its status and headers but no body, as AWS's table says", async () => {
    const res = await fetch(url("/chat-buffered"), { method: "POST", body: "{}" });
    expect([res.status, res.headers.get("content-type"), res.headers.get("x-foo"), res.headers.getSetCookie(), await res.text()]).toEqual([201, "text/event-stream", "bar", ["c1=blue"], ""]);
  });

  it("a stream without metadata, with a key the metadata may not have, or without the delimiter in its first 16 KB is a 500", async () => {
    for (const path of ["/nometa", "/badmeta", "/bigmeta"]) {
      const res = await fetch(url(path));
      expect([path, res.status, await res.json()]).toEqual([path, 500, { message: "Internal server error" }]);
    }
    await until(() => failures()["GET /badmeta"] !== undefined);
    expect(failures()["GET /badmeta"]).toEqual([500, "Execution failed due to configuration error: Malformed Lambda proxy response", 'unexpected metadata field "body" (allowed: statusCode, headers, multiValueHeaders, cookies)']);
    expect(failures()["GET /bigmeta"]?.[2]).toBe("no 8-NUL-byte delimiter within the first 16384 bytes of the stream");
    expect(failures()["GET /nometa"]).toEqual([500, "Execution failed due to configuration error: Malformed Lambda proxy response", "the stream ended before the 8-NUL-byte delimiter that ends its metadata"]);
  });

  it("a function error before any byte is the buffered integration's 502", async () => {
    const res = await fetch(url("/throws"));
    expect([res.status, res.headers.get("x-amzn-errortype"), await res.text()]).toEqual([502, "InternalServerErrorException", '{"message": "Internal server error"}']);
  });

  it("the integration timeout cuts a stream off after its status went out; the function runs on", async () => {
    held = undefined;
    const cut = await rawPost(url("/stalls"), JSON.stringify({ gate: gateUrl }));
    expect(cut).toEqual({ status: 200, body: "partial", complete: false });
    // Reported with the status the client got, and why it was cut.
    expect(failures()["POST /stalls"]).toEqual([200, "Execution failed due to a timeout error", "the stream did not end within the integration timeout (1500 ms)"]);
    expect(logs.of("http.integration-failed").find((e) => e.routeKey === "POST /stalls")?.cutOff).toBe(true);
    await until(() => held !== undefined);
    held!.end("go");
  });

  it("a stream idle for longer than the idle timeout (5 minutes; shortened here) is cut off too", async () => {
    held = undefined;
    process.env.LAMBDA_SIM_REST_STREAM_IDLE_TIMEOUT_MS = "800";
    try {
      expect(await rawPost(url("/idle"), JSON.stringify({ gate: gateUrl }))).toEqual({ status: 200, body: "partial", complete: false });
    } finally {
      delete process.env.LAMBDA_SIM_REST_STREAM_IDLE_TIMEOUT_MS;
    }
    expect(failures()["POST /idle"]).toEqual([200, "Execution failed due to a timeout error", "nothing streamed for 800 ms (the idle timeout)"]);
    await until(() => held !== undefined);
    held!.end("go");
  });
});

/** A POST with node:http: status, the body received, and whether the response arrived complete (its last chunk). */
function rawPost(target: string, body: string): Promise<{ status: number; body: string; complete: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request(target, { method: "POST", headers: { "content-type": "application/json" } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      // An incomplete response errors ("aborted") before it closes: what was received is kept.
      res.on("error", () => {});
      res.on("close", () => resolve({ status: res.statusCode!, body: text, complete: res.complete }));
    });
    req.on("error", reject);
    req.end(body);
  });
}
