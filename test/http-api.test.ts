import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FunctionDefinition } from "@lambda-sim/core";
import { startTestSimulator, TelemetryRecorder, type TestSimulator } from "@lambda-sim/core/testing";
import { apiGatewaySource, type ApiView } from "@lambda-sim/sources";
import { apiConfigSchema, apiId } from "../packages/sources/src/http/api-config.ts";
import { httpCall } from "./support/http-call.ts";

const codeDir = fileURLToPath(new URL("./fixtures/functions/http-handlers/", import.meta.url));
const fn = (functionName: string, handler: string, extra: Partial<FunctionDefinition> = {}): FunctionDefinition => ({ functionName, runtime: "nodejs24.x", handler: `index.${handler}`, codeDir, timeout: 5, ...extra });

const apis = apiConfigSchema.parse({
  shop: {
    routes: {
      "GET /pets/{id}": "echo",
      "GET /pets/dog": "echo",
      "ANY /pets/{proxy+}": "echo",
      "POST /answer": "answer",
      "GET /slow": { functionName: "slow", timeoutInMillis: 500 },
      "GET /fail": "fail",
      "GET /throttled": "throttled",
      "GET /private": { functionName: "echo", authorizer: "simple" },
      "GET /policy/{id}": { functionName: "echo", authorizer: "policy" },
      "GET /v1/{id}": { functionName: "echo", payloadFormatVersion: "1.0" },
      $default: "echo",
    },
    authorizers: {
      simple: { functionName: "simple-auth", enableSimpleResponses: true, identitySource: "$request.header.Authorization" },
      policy: { functionName: "policy-auth", authorizerResultTtlInSeconds: 0 },
    },
    corsConfiguration: { allowOrigins: ["https://app.example"], allowMethods: ["GET", "POST"], allowHeaders: ["content-type", "authorization"], exposeHeaders: ["x-trace"], maxAge: 600, allowCredentials: true },
  },
  staged: { stages: { prod: { stageVariables: { color: "blue" } } }, routes: { "GET /hello": "echo" } },
});

let t: TestSimulator;
let logs: TelemetryRecorder;
const SHOP = apiId("000000000000", "us-east-1", "shop");
const STAGED = apiId("000000000000", "us-east-1", "staged");
const url = (id: string, path: string) => `${t.endpoint}/_aws/execute-api/${id}${path}`;

beforeAll(async () => {
  t = await startTestSimulator({
    functions: [fn("echo", "echo"), fn("answer", "answer"), fn("slow", "slow"), fn("fail", "fail"), fn("throttled", "noop", { reservedConcurrency: 0 }), fn("simple-auth", "simpleAuthorizer"), fn("policy-auth", "policyAuthorizer")],
    sources: [apiGatewaySource],
    sourceConfig: { apis },
  });
  logs = new TelemetryRecorder(t.sim.telemetry);
});
afterAll(() => t?.close());

const answerOf = (answer: unknown) => httpCall(url(SHOP, "/answer"), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ answer }) });

describe("HTTP API payload 2.0", () => {
  it("sends the 2.0 event field by field, as AWS's documented example has them", async () => {
    const res = await httpCall(url(SHOP, "/pets/7?parameter1=value1&parameter1=value2&parameter2=value"), {
      headers: { Header1: "value1", Header2: ["value1", "value2"], Cookie: "cookie1=a; cookie2=b", "User-Agent": "agent" },
    });
    expect(res.status).toBe(200);
    const event = res.json();
    const host = new URL(t.endpoint).host;
    expect(event).toEqual({
      version: "2.0",
      routeKey: "GET /pets/{id}",
      rawPath: "/pets/7",
      rawQueryString: "parameter1=value1&parameter1=value2&parameter2=value",
      cookies: ["cookie1=a", "cookie2=b"],
      headers: {
        header1: "value1",
        header2: "value1,value2",
        "user-agent": "agent",
        host,
        connection: "close",
        "x-amzn-trace-id": expect.stringMatching(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/),
        "x-forwarded-for": "127.0.0.1",
        "x-forwarded-port": host.split(":")[1],
        "x-forwarded-proto": "http",
      },
      queryStringParameters: { parameter1: "value1,value2", parameter2: "value" },
      requestContext: {
        accountId: "000000000000",
        apiId: SHOP,
        domainName: `${SHOP}.execute-api.localhost:${host.split(":")[1]}`,
        domainPrefix: SHOP,
        http: { method: "GET", path: "/pets/7", protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "agent" },
        requestId: res.headers["apigw-requestid"],
        routeKey: "GET /pets/{id}",
        stage: "$default",
        time: expect.stringMatching(/^\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000$/),
        timeEpoch: expect.any(Number),
      },
      pathParameters: { id: "7" },
      isBase64Encoded: false,
    });
  });

  it("matches the most specific route: literal, then {param}, then {proxy+}, then $default", async () => {
    const route = async (path: string) => {
      const e = (await httpCall(url(SHOP, path))).json();
      return [e.routeKey, e.pathParameters];
    };
    expect(await route("/pets/dog")).toEqual(["GET /pets/dog", undefined]);
    expect(await route("/pets/7")).toEqual(["GET /pets/{id}", { id: "7" }]);
    expect(await route("/pets/7/toys/ball")).toEqual(["ANY /pets/{proxy+}", { proxy: "7/toys/ball" }]);
    expect(await route("/somewhere/else")).toEqual(["$default", undefined]);
    expect((await httpCall(url(SHOP, "/pets/a%20b"))).json().pathParameters).toEqual({ id: "a b" });
  });

  it("sends the path percent-decoded, in rawPath and requestContext.http.path (2.0) and in path (1.0), as HTTP APIs do", async () => {
    const v2 = (await httpCall(url(SHOP, "/pets/a%40b%20c%C3%A9/toys"))).json();
    expect([v2.rawPath, v2.requestContext.http.path, v2.pathParameters]).toEqual(["/pets/a@b cé/toys", "/pets/a@b cé/toys", { proxy: "a@b cé/toys" }]);
    const v1 = (await httpCall(url(SHOP, "/v1/a%40b"))).json();
    expect([v1.path, v1.requestContext.path, v1.pathParameters]).toEqual(["/v1/a@b", "/v1/a@b", { id: "a@b" }]);
  });

  it("base64-encodes a binary request body and keeps a text one", async () => {
    const bytes = Buffer.from([0, 1, 2, 254, 255]);
    const binary = (await httpCall(url(SHOP, "/pets/1/photo"), { method: "PUT", headers: { "content-type": "image/png" }, body: bytes })).json();
    expect([binary.isBase64Encoded, Buffer.from(binary.body, "base64").equals(bytes)]).toEqual([true, true]);
    const text = (await httpCall(url(SHOP, "/pets/1/notes"), { method: "POST", headers: { "content-type": "text/plain" }, body: "héllo" })).json();
    expect([text.isBase64Encoded, text.body]).toEqual([false, "héllo"]);
  });

  it("reads the 2.0 response shortcuts: a bare object or string is a 200 JSON body; cookies become set-cookie", async () => {
    const obj = await answerOf({ hello: "world" });
    expect([obj.status, obj.headers["content-type"], obj.text]).toEqual([200, "application/json", '{"hello":"world"}']);
    const str = await answerOf("just text");
    expect([str.status, str.text]).toEqual([200, "just text"]);
    const full = await answerOf({ statusCode: 201, headers: { "x-custom": "yes" }, cookies: ["a=1; Path=/", "b=2"], body: "made" });
    expect([full.status, full.headers["x-custom"], full.headers["set-cookie"], full.text]).toEqual([201, "yes", ["a=1; Path=/", "b=2"], "made"]);
    const binary = await answerOf({ statusCode: 200, headers: { "content-type": "application/octet-stream" }, body: Buffer.from([1, 2, 3]).toString("base64"), isBase64Encoded: true });
    expect([...binary.body]).toEqual([1, 2, 3]);
  });

  it("answers 500 Internal Server Error for a malformed answer, a function error and a throttled function; 503 on the integration timeout", async () => {
    const malformed = await answerOf({ statusCode: "abc" });
    expect([malformed.status, malformed.text]).toEqual([500, '{"message":"Internal Server Error"}']);
    const failed = await httpCall(url(SHOP, "/fail"));
    expect([failed.status, failed.text]).toEqual([500, '{"message":"Internal Server Error"}']);
    const throttled = await httpCall(url(SHOP, "/throttled"));
    expect([throttled.status, throttled.text]).toEqual([500, '{"message":"Internal Server Error"}']);
    expect(logs.of("invocation.throttled").some((e) => e.functionName === "throttled")).toBe(true);
    const slow = await httpCall(url(SHOP, "/slow?ms=2000"));
    expect([slow.status, slow.text]).toEqual([503, '{"message":"Service Unavailable"}']);
  });

  it("sends payload 1.0 to a route that asks for it, field by field as AWS's documented 1.0 example has it", async () => {
    const res = await httpCall(url(SHOP, "/v1/9?x=1&x=2"), { headers: { "X-Multi": ["a", "b"], "user-agent": "agent", "Postman-Token": "t-1" } });
    const host = new URL(t.endpoint).host;
    const traceId = expect.stringMatching(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    // A repeated header: the last value in headers, all in multiValueHeaders (as the query strings).
    // Names in the client's case (payload-v1.ts: AWS's 1.0 events from HTTP APIs keep them; 2.0 lower-cases).
    expect(res.json()).toEqual({
      version: "1.0",
      resource: "/v1/{id}",
      path: "/v1/9",
      httpMethod: "GET",
      headers: { "X-Multi": "b", "user-agent": "agent", "Postman-Token": "t-1", Host: host, Connection: "close", "X-Amzn-Trace-Id": traceId, "X-Forwarded-For": "127.0.0.1", "X-Forwarded-Port": host.split(":")[1], "X-Forwarded-Proto": "http" },
      multiValueHeaders: { "X-Multi": ["a", "b"], "user-agent": ["agent"], "Postman-Token": ["t-1"], Host: [host], Connection: ["close"], "X-Amzn-Trace-Id": [traceId], "X-Forwarded-For": ["127.0.0.1"], "X-Forwarded-Port": [host.split(":")[1]], "X-Forwarded-Proto": ["http"] },
      queryStringParameters: { x: "2" },
      multiValueQueryStringParameters: { x: ["1", "2"] },
      requestContext: {
        accountId: "000000000000",
        apiId: SHOP,
        domainName: `${SHOP}.execute-api.localhost:${host.split(":")[1]}`,
        domainPrefix: SHOP,
        extendedRequestId: res.headers["apigw-requestid"],
        httpMethod: "GET",
        identity: { accessKey: null, accountId: null, caller: null, cognitoAuthenticationProvider: null, cognitoAuthenticationType: null, cognitoIdentityId: null, cognitoIdentityPoolId: null, principalOrgId: null, sourceIp: "127.0.0.1", user: null, userAgent: "agent", userArn: null },
        path: "/v1/9",
        protocol: "HTTP/1.1",
        requestId: res.headers["apigw-requestid"],
        requestTime: expect.stringMatching(/^\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000$/),
        requestTimeEpoch: expect.any(Number),
        // The route key, as AWS's HTTP APIs give it in 1.0 events (users' captures: "ANY /handler/{proxy+}").
        resourceId: "GET /v1/{id}",
        resourcePath: "/v1/{id}",
        stage: "$default",
      },
      pathParameters: { id: "9" },
      stageVariables: null,
      body: null,
      isBase64Encoded: false,
    });
  });

  it("serves named stages with their variables; rawPath keeps the stage; an unknown stage is 404", async () => {
    const e = (await httpCall(url(STAGED, "/prod/hello"))).json();
    expect([e.rawPath, e.requestContext.stage, e.requestContext.http.path, e.stageVariables]).toEqual(["/prod/hello", "prod", "/prod/hello", { color: "blue" }]);
    const missing = await httpCall(url(STAGED, "/hello"));
    expect([missing.status, missing.text]).toEqual([404, '{"message":"Not Found"}']);
    const noApi = await httpCall(url("nosuchapi0", "/hello"));
    expect(noApi.status).toBe(404);
  });

  it("answers on the host form {apiId}.execute-api.localhost:PORT", async () => {
    const port = new URL(t.endpoint).port;
    const res = await httpCall(`${t.endpoint}/prod/hello`, { headers: { Host: `${STAGED}.execute-api.localhost:${port}` } });
    const e = res.json();
    expect([res.status, e.requestContext.domainName, e.requestContext.stage, e.rawPath]).toEqual([200, `${STAGED}.execute-api.localhost:${port}`, "prod", "/prod/hello"]);
    const { stdout } = await promisify(execFile)("curl", ["-s", "-H", `Host: ${SHOP}.execute-api.localhost:${port}`, `${t.endpoint}/pets/dog`]);
    expect(JSON.parse(stdout).routeKey).toBe("GET /pets/dog");
  });

  it("lists each API's base addresses in /_sim/state", async () => {
    const state = (await (await fetch(`${t.endpoint}/_sim/state`)).json()) as { apis: ApiView[] };
    const shop = state.apis.find((a) => a.name === "shop")!;
    expect(shop).toMatchObject({ id: SHOP, protocolType: "HTTP", stages: [{ stage: "$default", url: `${t.endpoint}/_aws/execute-api/${SHOP}/` }] });
    expect(shop.routes).toContain("GET /pets/{id}");
  });
});

describe("HTTP API CORS", () => {
  it("answers a preflight itself, 204 with the configured headers, without any OPTIONS route or authorizer", async () => {
    const res = await httpCall(url(SHOP, "/private"), { method: "OPTIONS", headers: { Origin: "https://app.example", "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization" } });
    expect(res.status).toBe(204);
    expect(res.headers).toMatchObject({
      "access-control-allow-origin": "https://app.example",
      "access-control-allow-methods": "GET,POST",
      "access-control-allow-headers": "content-type,authorization",
      "access-control-max-age": "600",
      "access-control-allow-credentials": "true",
    });
    const other = await httpCall(url(SHOP, "/private"), { method: "OPTIONS", headers: { Origin: "https://evil.example", "Access-Control-Request-Method": "GET" } });
    expect([other.status, other.headers["access-control-allow-origin"]]).toEqual([204, undefined]);
  });

  it("adds the CORS headers to answers for an allowed origin", async () => {
    const res = await httpCall(url(SHOP, "/pets/1"), { headers: { Origin: "https://app.example" } });
    expect(res.headers).toMatchObject({ "access-control-allow-origin": "https://app.example", "access-control-expose-headers": "x-trace", "access-control-allow-credentials": "true" });
  });
});

describe("HTTP API Lambda authorizers", () => {
  const authorizerCalls = (name: string) => logs.of("invocation.finished").filter((e) => e.functionName === name).length;

  it("simple answers: 401 without the identity, 403 when not authorized, the context in the event when authorized, cached per identity", async () => {
    const none = await httpCall(url(SHOP, "/private"));
    expect([none.status, none.text]).toEqual([401, '{"message":"Unauthorized"}']);
    const no = await httpCall(url(SHOP, "/private"), { headers: { Authorization: "nope" } });
    expect([no.status, no.text]).toEqual([403, '{"message":"Forbidden"}']);
    const before = authorizerCalls("simple-auth");
    const yes = await httpCall(url(SHOP, "/private"), { headers: { Authorization: "allow" } });
    expect(yes.status).toBe(200);
    expect(yes.json().requestContext.authorizer).toEqual({ lambda: { tenant: "t-2", seen: "REQUEST", version: "2.0" } });
    await httpCall(url(SHOP, "/private"), { headers: { Authorization: "allow" } });
    expect(authorizerCalls("simple-auth")).toBe(before + 1);
  });

  it("IAM policy answers: Allow reaches the function, Deny is 403, an Unauthorized error is 401, a malformed answer 500; no cache at TTL 0", async () => {
    const before = authorizerCalls("policy-auth");
    const allow = await httpCall(url(SHOP, "/policy/1"), { headers: { Authorization: "allow" } });
    expect([allow.status, allow.json().requestContext.authorizer]).toEqual([200, { lambda: { tenant: "t-1", level: 3, admin: true } }]);
    expect((await httpCall(url(SHOP, "/policy/1"), { headers: { Authorization: "allow" } })).status).toBe(200);
    expect(authorizerCalls("policy-auth")).toBe(before + 2);
    expect((await httpCall(url(SHOP, "/policy/1"), { headers: { Authorization: "deny" } })).status).toBe(403);
    expect((await httpCall(url(SHOP, "/policy/1"), { headers: { Authorization: "allow-other" } })).status).toBe(403);
    expect((await httpCall(url(SHOP, "/policy/1"), { headers: { Authorization: "unauthorized" } })).status).toBe(401);
    const garbage = await httpCall(url(SHOP, "/policy/1"), { headers: { Authorization: "garbage" } });
    expect([garbage.status, garbage.text]).toEqual([500, '{"message":"Internal Server Error"}']);
  });
});
