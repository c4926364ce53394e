import { createServer, request, type Server, type ServerResponse } from "node:http";
import { mkdtempSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FunctionDefinition } from "@lambda-sim/core";
import { startTestSimulator, TelemetryRecorder, type TestSimulator } from "@lambda-sim/core/testing";
import { apiGatewaySource } from "@lambda-sim/sources";
import { apiConfigSchema } from "../packages/sources/src/http/api-config.ts";
import { runCli, startLambdaSim } from "./support/lambda-sim-process.ts";
import { writeStackTemplate } from "./support/sam-stack.ts";
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

describe("responseTransferMode in configuration", () => {
  it("a SAM Api event's ResponseTransferMode: STREAM streams its route", { timeout: 60_000 }, async () => {
    const template = `Transform: AWS::Serverless-2016-10-31
Resources:
  Chat:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs24.x
      Handler: index.handler
      InlineCode: |
        exports.handler = awslambda.streamifyResponse(async (event, responseStream) => {
          const s = awslambda.HttpResponseStream.from(responseStream, { statusCode: 200, headers: { "content-type": "text/plain" } });
          s.write("hello ");
          s.end(event.path);
        });
      Events:
        Rest: { Type: Api, Properties: { Path: /chat, Method: GET, ResponseTransferMode: STREAM } }
`;
    const started = await startLambdaSim(["--template", writeStackTemplate(template), "--in-memory"]);
    try {
      expect(started.output()).toContain("GET /chat → ");
      expect(started.output()).toContain("(streamed)");
      const base = /ServerlessRestApi \(REST API, stage Prod\): (\S+)/.exec(started.output())![1]!;
      const res = await fetch(new URL("chat", base));
      expect([res.status, res.headers.get("content-type"), res.headers.get("transfer-encoding"), await res.text()]).toEqual([200, "text/plain", "chunked", "hello /chat"]);
    } finally {
      await started.kill();
    }
  });

  it("an AWS::ApiGateway::Method's ResponseTransferMode: STREAM with the response-streaming-invocations URI streams its route", { timeout: 60_000 }, async () => {
    const started = await startLambdaSim(["--template", writeStackTemplate(CFN_TEMPLATE("STREAM", "2021-11-15", "response-streaming-invocations")), "--in-memory"]);
    try {
      expect(started.output()).toContain("REST API Api: GET /chat → ");
      const base = /Api \(REST API, stage v1\): (\S+)/.exec(started.output())![1]!;
      const res = await fetch(new URL("chat", base));
      expect([res.status, res.headers.get("content-type"), res.headers.get("transfer-encoding"), await res.text()]).toEqual([200, "text/plain", "chunked", "hello /chat"]);
      // The root's BUFFERED method, with Invoke's URI, answers as a proxy integration does.
      const plain = await fetch(base);
      expect([plain.status, await plain.text()]).toEqual([200, "plain /"]);
    } finally {
      await started.kill();
    }
  });

  it("STREAM with Invoke's URI (or BUFFERED with InvokeWithResponseStream's) is refused at start: API Gateway does not support it", async () => {
    const { code, stderr } = await runCli(["start", "--template", writeStackTemplate(CFN_TEMPLATE("STREAM", "2015-03-31", "invocations")), "--in-memory", "--port", "0"]);
    expect(code).toBe(1);
    expect(stderr).toContain("ResponseTransferMode STREAM with a URI ending in /invocations: API Gateway does not support this combination");
  });

  it("an HTTP API route with STREAM is refused: API Gateway streams REST APIs only", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rest-streaming-http-"));
    const file = join(dir, "lambda-sim.yaml");
    writeFileSync(file, `functions:\n  chat: { runtime: nodejs24.x, handler: index.chat, codeUri: ${JSON.stringify(codeUri)} }\napis:\n  web:\n    routes:\n      "GET /chat": { functionName: chat, responseTransferMode: STREAM }\n`);
    const { code, stdout, stderr } = await runCli(["start", "--config", file, "--in-memory", "--port", "0"]);
    expect(code).toBe(1);
    expect(stdout).not.toContain("listening on");
    expect(stderr).toContain(`apis.web.routes["GET /chat"].responseTransferMode: STREAM is only supported for REST APIs (protocolType: REST)`);
  });

  it("an HttpApi event with ResponseTransferMode: STREAM is refused the same way", async () => {
    const template = `Transform: AWS::Serverless-2016-10-31
Resources:
  Chat:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs24.x
      Handler: index.handler
      InlineCode: "exports.handler = async () => ({ statusCode: 200 });"
      Events:
        Http: { Type: HttpApi, Properties: { Path: /chat, Method: GET, ResponseTransferMode: STREAM } }
`;
    const { code, stderr } = await runCli(["start", "--template", writeStackTemplate(template), "--in-memory", "--port", "0"]);
    expect(code).toBe(1);
    expect(stderr).toContain("STREAM is only supported for REST APIs");
  });
});

/** A REST API of CloudFormation's own resources: GET /chat (the mode and URI given) and GET / (BUFFERED). */
const CFN_TEMPLATE = (mode: string, version: string, action: string) => `Transform: AWS::Serverless-2016-10-31
Resources:
  Chat:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs24.x
      Handler: index.handler
      InlineCode: |
        exports.handler = awslambda.streamifyResponse(async (event, responseStream) => {
          const s = awslambda.HttpResponseStream.from(responseStream, { statusCode: 200, headers: { "content-type": "text/plain" } });
          s.write("hello ");
          s.end(event.path);
        });
  Plain:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs24.x
      Handler: index.handler
      InlineCode: "exports.handler = async (event) => ({ statusCode: 200, body: 'plain ' + event.path });"
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: { Name: chat-api }
  ChatResource:
    Type: AWS::ApiGateway::Resource
    Properties: { RestApiId: !Ref Api, ParentId: !GetAtt Api.RootResourceId, PathPart: chat }
  ChatMethod:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !Ref ChatResource
      HttpMethod: GET
      AuthorizationType: NONE
      Integration:
        Type: AWS_PROXY
        IntegrationHttpMethod: POST
        Uri: !Sub "arn:aws:apigateway:\${AWS::Region}:lambda:path/${version}/functions/\${Chat.Arn}/${action}"
        ResponseTransferMode: ${mode}
        TimeoutInMillis: 60000
  RootMethod:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !GetAtt Api.RootResourceId
      HttpMethod: GET
      AuthorizationType: NONE
      Integration:
        Type: AWS_PROXY
        IntegrationHttpMethod: POST
        Uri: !Sub "arn:aws:apigateway:\${AWS::Region}:lambda:path/2015-03-31/functions/\${Plain.Arn}/invocations"
  Deployment:
    Type: AWS::ApiGateway::Deployment
    DependsOn: [ChatMethod, RootMethod]
    Properties: { RestApiId: !Ref Api, StageName: v1 }
`;

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
