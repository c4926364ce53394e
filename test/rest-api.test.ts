import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FunctionDefinition } from "@lambda-sim/core";
import { startTestSimulator, TelemetryRecorder, type TestSimulator } from "@lambda-sim/core/testing";
import { apiGatewaySource } from "@lambda-sim/sources";
import { apiConfigSchema } from "../packages/sources/src/http/api-config.ts";
import { httpCall } from "./support/http-call.ts";

const codeDir = fileURLToPath(new URL("./fixtures/functions/http-handlers/", import.meta.url));
const fn = (functionName: string, handler: string, extra: Partial<FunctionDefinition> = {}): FunctionDefinition => ({ functionName, runtime: "nodejs24.x", handler: `index.${handler}`, codeDir, timeout: 5, ...extra });

const PETS = "petsapi001";
const BARE = "bareapi001";
const apis = apiConfigSchema.parse({
  pets: {
    protocolType: "REST",
    id: PETS,
    stages: { prod: { stageVariables: { table: "pets-prod" } } },
    binaryMediaTypes: ["image/png", "application/octet-stream"],
    routes: {
      "GET /pets/{id}": "echo",
      "ANY /{proxy+}": "echo",
      "POST /answer": "answer",
      "GET /slow": { functionName: "slow", timeoutInMillis: 500 },
      "GET /fail": "fail",
      "GET /png": "png",
      "GET /throttled": "throttled",
      "GET /token/{id}": { functionName: "echo", authorizer: "token" },
      "POST /token/{id}": { functionName: "echo", authorizer: "token" },
      "GET /request": { functionName: "echo", authorizer: "request" },
      "GET /request/{id}": { functionName: "echo", authorizer: "seen" },
    },
    authorizers: {
      token: { functionName: "policy-auth", type: "TOKEN", identitySource: "method.request.header.Authorization", identityValidationExpression: "[a-z-]+", authorizerResultTtlInSeconds: 300 },
      request: { functionName: "policy-auth", type: "REQUEST", identitySource: "method.request.header.X-Key, method.request.querystring.q", authorizerResultTtlInSeconds: 0 },
      seen: { functionName: "event-auth", type: "REQUEST", identitySource: "method.request.header.HeaderAuth1, method.request.querystring.QueryString1", authorizerResultTtlInSeconds: 300 },
    },
  },
  bare: {
    protocolType: "REST",
    id: BARE,
    routes: { "GET /only": "echo", "GET /plain": { functionName: "echo", authorizer: "plain" } },
    authorizers: { plain: { functionName: "event-auth", type: "REQUEST", identitySource: "method.request.header.HeaderAuth1", authorizerResultTtlInSeconds: 0 } },
  },
});

let t: TestSimulator;
let logs: TelemetryRecorder;
const url = (id: string, path: string) => `${t.endpoint}/_aws/execute-api/${id}${path}`;
const answerOf = (answer: unknown) => httpCall(url(PETS, "/prod/answer"), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ answer }) });
const BAD_GATEWAY = [502, '{"message": "Internal server error"}'];

beforeAll(async () => {
  t = await startTestSimulator({
    functions: [fn("echo", "echo"), fn("answer", "answer"), fn("slow", "slow"), fn("fail", "fail"), fn("png", "png"), fn("throttled", "noop", { reservedConcurrency: 0 }), fn("policy-auth", "policyAuthorizer"), fn("event-auth", "eventAuthorizer")],
    sources: [apiGatewaySource],
    sourceConfig: { apis },
  });
  logs = new TelemetryRecorder(t.sim.telemetry);
});
afterAll(() => t?.close());

describe("REST API proxy integration (payload 1.0)", () => {
  it("sends the proxy event field by field, as AWS documents it", async () => {
    const res = await httpCall(url(PETS, "/prod/pets/7?parameter1=value1&parameter1=value2&parameter2=value"), {
      headers: { Header1: "value1", Header2: ["value1", "value2"], "User-Agent": "agent" },
    });
    expect(res.status).toBe(200);
    const e = res.json();
    const port = new URL(t.endpoint).port;
    expect(e).toEqual({
      resource: "/pets/{id}",
      path: "/pets/7",
      httpMethod: "GET",
      headers: expect.objectContaining({ Header1: "value1", Header2: "value2", "User-Agent": "agent", "X-Forwarded-For": "127.0.0.1", "X-Forwarded-Port": port, "X-Forwarded-Proto": "http", "X-Amzn-Trace-Id": res.headers["x-amzn-trace-id"] }),
      multiValueHeaders: expect.objectContaining({ Header1: ["value1"], Header2: ["value1", "value2"] }),
      queryStringParameters: { parameter1: "value2", parameter2: "value" },
      multiValueQueryStringParameters: { parameter1: ["value1", "value2"], parameter2: ["value"] },
      requestContext: {
        accountId: "000000000000",
        apiId: PETS,
        domainName: `${PETS}.execute-api.localhost:${port}`,
        domainPrefix: PETS,
        extendedRequestId: res.headers["x-amz-apigw-id"],
        httpMethod: "GET",
        identity: { accessKey: null, accountId: null, caller: null, cognitoAuthenticationProvider: null, cognitoAuthenticationType: null, cognitoIdentityId: null, cognitoIdentityPoolId: null, principalOrgId: null, sourceIp: "127.0.0.1", user: null, userAgent: "agent", userArn: null },
        path: "/prod/pets/7",
        protocol: "HTTP/1.1",
        requestId: res.headers["x-amzn-requestid"],
        requestTime: expect.stringMatching(/^\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000$/),
        requestTimeEpoch: expect.any(Number),
        resourceId: expect.stringMatching(/^[0-9a-z]{6}$/),
        resourcePath: "/pets/{id}",
        stage: "prod",
      },
      pathParameters: { id: "7" },
      stageVariables: { table: "pets-prod" },
      body: null,
      isBase64Encoded: false,
    });
  });

  it("matches a literal segment before {param} before {proxy+}; 403 Missing Authentication Token where nothing matches", async () => {
    const pets = (await httpCall(url(PETS, "/prod/pets/7"))).json();
    expect([pets.resource, pets.pathParameters]).toEqual(["/pets/{id}", { id: "7" }]);
    const greedy = (await httpCall(url(PETS, "/prod/pets/7/toys"), { method: "DELETE" })).json();
    expect([greedy.resource, greedy.pathParameters, greedy.httpMethod]).toEqual(["/{proxy+}", { proxy: "pets/7/toys" }, "DELETE"]);
    for (const path of ["/prod/", "/prod/nothing", "/prod/only/more"]) {
      const res = await httpCall(url(BARE, path));
      expect([path, res.status, res.text, res.headers["x-amzn-errortype"]]).toEqual([path, 403, '{"message":"Missing Authentication Token"}', "MissingAuthenticationTokenException"]);
    }
    expect((await httpCall(url(BARE, "/prod/only"), { method: "POST" })).status).toBe(403);
    expect((await httpCall(url(BARE, "/staging/only"))).status).toBe(403);
  });

  it("reads the response contract: statusCode, headers and multiValueHeaders merged, body", async () => {
    const res = await answerOf({ statusCode: 201, headers: { "X-One": "1", "X-Both": "single" }, multiValueHeaders: { "X-Both": ["a", "b"], "Set-Cookie": ["a=1", "b=2"] }, body: "made" });
    expect([res.status, res.headers["x-one"], res.headers["x-both"], res.headers["set-cookie"], res.text]).toEqual([201, "1", "a, b", ["a=1", "b=2"], "made"]);
    // No content type of its own: API Gateway's application/json (newuser10 N3-1); one given is kept.
    expect(res.headers["content-type"]).toBe("application/json");
    expect((await answerOf({ statusCode: 200, headers: { "Content-Type": "text/html" }, body: "<p>" })).headers["content-type"]).toBe("text/html");
  });

  it("answers 502 Internal server error for a malformed answer or a function error, 504 on the 29 s timeout (shortened here), 500 when Lambda throttles", async () => {
    for (const bad of [{ body: "no status" }, { statusCode: 200, body: { not: "text" } }, { statusCode: 200, extra: 1 }, "a string"]) {
      const res = await answerOf(bad);
      expect([JSON.stringify(bad), res.status, res.text]).toEqual([JSON.stringify(bad), ...BAD_GATEWAY]);
    }
    const failed = await httpCall(url(PETS, "/prod/fail"));
    expect([failed.status, failed.text, failed.headers["x-amzn-errortype"]]).toEqual([...BAD_GATEWAY, "InternalServerErrorException"]);
    const slow = await httpCall(url(PETS, "/prod/slow?ms=2000"));
    expect([slow.status, slow.text]).toEqual([504, '{"message": "Endpoint request timed out"}']);
    const throttled = await httpCall(url(PETS, "/prod/throttled"));
    expect([throttled.status, throttled.text]).toEqual([500, '{"message":"Internal server error"}']);
    expect(logs.of("invocation.throttled").some((e) => e.functionName === "throttled")).toBe(true);
    // Each says why, as the stage's execution log would (http.integration-failed).
    const why = Object.fromEntries(logs.of("http.integration-failed").map((e) => [e.routeKey, [e.status, e.reason]]));
    expect(why).toMatchObject({
      "POST /answer": [502, "Execution failed due to configuration error: Malformed Lambda proxy response"],
      "GET /fail": [502, expect.stringMatching(/^Lambda execution failed with status 200 due to customer function error: boom\. Lambda request id: /)],
      "GET /slow": [504, "Execution failed due to a timeout error"],
      "GET /throttled": [500, "Execution failed due to configuration error: Lambda invocation failed with status: 429"],
    });
  });

  it("passes binary media types base64-encoded and returns binary bodies to clients that accept them (curl)", async () => {
    const bytes = Buffer.from([0, 1, 2, 254, 255]);
    const e = (await httpCall(url(PETS, "/prod/upload"), { method: "PUT", headers: { "content-type": "image/png" }, body: bytes })).json();
    expect([e.isBase64Encoded, Buffer.from(e.body, "base64").equals(bytes)]).toEqual([true, true]);
    const text = (await httpCall(url(PETS, "/prod/upload"), { method: "PUT", headers: { "content-type": "application/json" }, body: '{"a":1}' })).json();
    expect([text.isBase64Encoded, text.body]).toEqual([false, '{"a":1}']);
    const exec = promisify(execFile);
    const png = await exec("curl", ["-s", "-H", "Accept: image/png", url(PETS, "/prod/png")], { encoding: "buffer" });
    expect([...png.stdout]).toEqual([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]);
    const asText = await exec("curl", ["-s", url(PETS, "/prod/png")]);
    expect(Buffer.from(asText.stdout, "base64")[1]).toBe(0x50);
    // "API Gateway honors only the first Accept media type": a browser's text/html first gets the base64 text.
    const browser = await exec("curl", ["-s", "-H", "Accept: text/html,image/png;q=0.9,*/*;q=0.8", url(PETS, "/prod/png")]);
    expect(Buffer.from(browser.stdout, "base64")[1]).toBe(0x50);
  });

  it("refuses a body over 10 MB with 413", async () => {
    const res = await httpCall(url(PETS, "/prod/upload"), { method: "POST", headers: { "content-type": "text/plain" }, body: Buffer.alloc(10 * 1024 * 1024 + 1, 97) });
    expect(res.status).toBe(413);
  });
});

describe("REST API Lambda authorizers", () => {
  const calls = () => logs.of("invocation.finished").filter((e) => e.functionName === "policy-auth").length;

  it("TOKEN: 401 without a token or with one failing the validation expression; Allow passes principalId and context; Deny is 403", async () => {
    const none = await httpCall(url(PETS, "/prod/token/1"));
    expect([none.status, none.text]).toEqual([401, '{"message":"Unauthorized"}']);
    const before = calls();
    expect((await httpCall(url(PETS, "/prod/token/1"), { headers: { Authorization: "NOT VALID" } })).status).toBe(401);
    expect(calls()).toBe(before);
    const allow = await httpCall(url(PETS, "/prod/token/1"), { headers: { Authorization: "allow" } });
    expect(allow.status).toBe(200);
    expect(allow.json().requestContext.authorizer).toEqual({ principalId: "user-1", tenant: "t-1", level: "3", admin: "true", integrationLatency: expect.any(Number) });
    const deny = await httpCall(url(PETS, "/prod/token/1"), { headers: { Authorization: "deny" } });
    expect([deny.status, deny.text]).toEqual([403, '{"Message":"User is not authorized to access this resource with an explicit deny"}']);
    const unauthorized = await httpCall(url(PETS, "/prod/token/1"), { headers: { Authorization: "unauthorized" } });
    expect(unauthorized.status).toBe(401);
    const garbage = await httpCall(url(PETS, "/prod/token/1"), { headers: { Authorization: "garbage" } });
    expect([garbage.status, garbage.text, garbage.headers["x-amzn-errortype"]]).toEqual([500, '{"message": null}', "AuthorizerConfigurationException"]);
  });

  it("TOKEN: caches the policy per token for the TTL and checks the cached policy against each method ARN", async () => {
    const before = calls();
    expect((await httpCall(url(PETS, "/prod/token/2"), { headers: { Authorization: "allow-other" } })).status).toBe(403);
    expect((await httpCall(url(PETS, "/prod/token/3"), { method: "POST", headers: { Authorization: "allow-other" } })).status).toBe(403);
    expect(calls()).toBe(before + 1);
  });

  it("REQUEST: reads its identity sources (optional without caching)", async () => {
    expect((await httpCall(url(PETS, "/prod/request"), { headers: { "X-Key": "allow" } })).status).toBe(200);
    const deny = await httpCall(url(PETS, "/prod/request?q=1"), { headers: { "X-Key": "deny" } });
    expect(deny.status).toBe(403);
  });

  it("REQUEST: gets the REQUEST event field by field, as AWS's \"Input to an API Gateway Lambda authorizer\" example has it", async () => {
    // The documented example's names and values (HeaderAuth1, QueryString1), on a route with a path parameter.
    const res = await httpCall(url(PETS, "/prod/request/7?QueryString1=queryValue1"), { headers: { HeaderAuth1: "headerValue1", Accept: "*/*", "User-Agent": "agent" } });
    expect(res.status).toBe(200);
    const port = new URL(t.endpoint).port;
    const seen = JSON.parse(res.json().requestContext.authorizer.event);
    expect(seen).toEqual({
      type: "REQUEST",
      methodArn: `arn:aws:execute-api:us-east-1:000000000000:${PETS}/prod/GET/request/7`,
      resource: "/request/{id}",
      path: "/request/7",
      httpMethod: "GET",
      headers: expect.objectContaining({ HeaderAuth1: "headerValue1", Accept: "*/*", "User-Agent": "agent", "X-Forwarded-For": "127.0.0.1", "X-Forwarded-Port": port, "X-Forwarded-Proto": "http", "X-Amzn-Trace-Id": res.headers["x-amzn-trace-id"] }),
      multiValueHeaders: expect.objectContaining({ HeaderAuth1: ["headerValue1"], Accept: ["*/*"] }),
      queryStringParameters: { QueryString1: "queryValue1" },
      multiValueQueryStringParameters: { QueryString1: ["queryValue1"] },
      pathParameters: { id: "7" },
      stageVariables: { table: "pets-prod" },
      // The request's context, as the proxy event has it, without an authorizer (none has run yet).
      requestContext: {
        accountId: "000000000000",
        apiId: PETS,
        domainName: `${PETS}.execute-api.localhost:${port}`,
        domainPrefix: PETS,
        extendedRequestId: res.headers["x-amz-apigw-id"],
        httpMethod: "GET",
        identity: { accessKey: null, accountId: null, caller: null, cognitoAuthenticationProvider: null, cognitoAuthenticationType: null, cognitoIdentityId: null, cognitoIdentityPoolId: null, principalOrgId: null, sourceIp: "127.0.0.1", user: null, userAgent: "agent", userArn: null },
        path: "/prod/request/7",
        protocol: "HTTP/1.1",
        requestId: res.headers["x-amzn-requestid"],
        requestTime: expect.stringMatching(/^\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000$/),
        requestTimeEpoch: expect.any(Number),
        resourceId: expect.stringMatching(/^[0-9a-z]{6}$/),
        resourcePath: "/request/{id}",
        stage: "prod",
      },
    });
    // No body: the authorizer never sees it.
    expect(Object.keys(seen)).not.toContain("body");
  });

  it("REQUEST: gets {} for a missing query string, path parameters and stage variables, where the proxy event has null", async () => {
    // As AWS sent them to a REQUEST authorizer (powertools-lambda-python#4536's capture; rest-api.ts).
    const res = await httpCall(url(BARE, "/Prod/plain"), { headers: { HeaderAuth1: "h" } });
    expect(res.status).toBe(200);
    const seen = JSON.parse(res.json().requestContext.authorizer.event);
    const maps = (e: Record<string, unknown>) => [e.queryStringParameters, e.multiValueQueryStringParameters, e.pathParameters, e.stageVariables];
    expect(maps(seen)).toEqual([{}, {}, {}, {}]);
    expect(maps(res.json())).toEqual([null, null, null, null]);
  });

  it("REQUEST with caching: every identity source is required (401 without a call), and the answer is cached per combination of their values", async () => {
    const calls = () => logs.of("invocation.finished").filter((e) => e.functionName === "event-auth").length;
    const get = (path: string, headers: Record<string, string> = {}) => httpCall(url(PETS, path), { headers });
    const before = calls();
    // "verifying all of the identity-related request parameters are present, not null and non-empty.
    // Only when this is true does the authorizer invoke the authorizer Lambda function, otherwise,
    // it returns a 401 Unauthorized response" (API Gateway API reference, Authorizer.identitySource).
    for (const missing of [get("/prod/request/1?QueryString1=a"), get("/prod/request/1", { HeaderAuth1: "h" }), get("/prod/request/1?QueryString1=", { HeaderAuth1: "h" })]) {
      const res = await missing;
      expect([res.status, res.text]).toEqual([401, '{"message":"Unauthorized"}']);
    }
    expect(calls()).toBe(before);
    const first = await get("/prod/request/1?QueryString1=cache-a", { HeaderAuth1: "cache-h" });
    expect(first.status).toBe(200);
    expect(calls()).toBe(before + 1);
    // The same values on another path: the cached answer, its context from the first request's event.
    const cached = await get("/prod/request/2?QueryString1=cache-a", { HeaderAuth1: "cache-h" });
    expect([cached.status, JSON.parse(cached.json().requestContext.authorizer.event).path]).toEqual([200, "/request/1"]);
    expect(calls()).toBe(before + 1);
    // Another value of either source is another cache key: the authorizer runs again.
    expect((await get("/prod/request/1?QueryString1=cache-b", { HeaderAuth1: "cache-h" })).status).toBe(200);
    expect((await get("/prod/request/1?QueryString1=cache-a", { HeaderAuth1: "cache-other" })).status).toBe(200);
    expect(calls()).toBe(before + 3);
  });
});
