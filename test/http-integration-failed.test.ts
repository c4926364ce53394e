import type { ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { startLambdaSim } from "./support/lambda-sim-process.ts";
import { startTail } from "./support/tail-process.ts";
import { until } from "./support/until.ts";

/**
 * A REST API, an HTTP API and a Function URL whose function answers in the wrong shape, or fails:
 * the client gets AWS's 502/500, and the user sees why where AWS's stage log would say it: on the
 * console of `lambda-sim start`, in `lambda-sim tail` and in `tail --json`
 * (`http.integration-failed`, with the invocation's request id).
 */
const HANDLERS = fileURLToPath(new URL("./fixtures/functions/http-handlers/", import.meta.url));
const MALFORMED = { statusCode: "not-a-number", bodyy: 42, headers: "nope" };

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
});

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), "fronts-"));
  const fn = (handler: string) => `{ runtime: nodejs24.x, handler: index.${handler}, codeUri: ${JSON.stringify(HANDLERS)} }`;
  writeFileSync(
    join(dir, "lambda-sim.yaml"),
    [
      "functions:",
      `  answer: ${fn("answer")}`,
      `  fail: ${fn("fail")}`,
      `  url-answer: { runtime: nodejs24.x, handler: index.answer, codeUri: ${JSON.stringify(HANDLERS)}, functionUrl: { authType: NONE } }`,
      "apis:",
      '  shop: { protocolType: REST, id: shopapi001, routes: { "POST /broken": answer, "GET /fail": fail } }',
      '  web: { id: webapi0001, routes: { "POST /broken": answer } }',
      "",
    ].join("\n"),
  );
  return join(dir, "lambda-sim.yaml");
}

describe("a front's failed integration", () => {
  it("is on the console, in tail and in tail --json, with AWS's reason, the route and the request id", { timeout: 120_000 }, async () => {
    const sim = await startLambdaSim(["--config", project(), "--in-memory"]);
    const text = startTail(["--endpoint", sim.endpoint], children);
    const json = startTail(["--endpoint", sim.endpoint, "--json"], children);
    const logical = startTail(["--endpoint", sim.endpoint, "--function", "answer"], children);
    // A CLI process takes seconds to start on a loaded machine.
    await until(() => [text, json, logical].every((t) => t.err().includes("following")), 60_000);

    const post = (url: string) => fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ answer: MALFORMED }) });
    const rest = await post(`${sim.endpoint}/_aws/execute-api/shopapi001/Prod/broken`);
    expect([rest.status, await rest.text()]).toEqual([502, '{"message": "Internal server error"}']);
    const http = await post(`${sim.endpoint}/_aws/execute-api/webapi0001/broken`);
    expect([http.status, await http.text()]).toEqual([500, '{"message":"Internal Server Error"}']);
    const fail = await fetch(`${sim.endpoint}/_aws/execute-api/shopapi001/Prod/fail`);
    expect(fail.status).toBe(502);
    const state = (await (await fetch(`${sim.endpoint}/_sim/state`)).json()) as { functionUrls: { pathUrl: string }[] };
    const url = await post(state.functionUrls[0]!.pathUrl);
    expect([url.status, url.headers.get("x-amzn-requestid") !== null]).toEqual([502, true]);

    // The REST stage's execution log line, on the console where the function's own log is.
    const restLine = "REST API shopapi001 stage Prod route POST /broken answered 502: Execution failed due to configuration error: Malformed Lambda proxy response";
    await until(() => sim.output().includes(restLine));
    expect(sim.output()).toContain('(unexpected field "bodyy" (allowed: statusCode, headers, multiValueHeaders, body, isBase64Encoded)); function answer request ');
    expect(sim.output()).toContain(`HTTP API webapi0001 stage $default route POST /broken answered 500: The response from the Lambda function doesn't match the format that API Gateway expects. (statusCode is not an HTTP status: "not-a-number")`);
    expect(sim.output()).toMatch(/REST API shopapi001 stage Prod route GET \/fail answered 502: Lambda execution failed with status 200 due to customer function error: boom\. Lambda request id: [0-9a-f-]{36} \(Error\)/);
    await until(() => /function URL [a-z0-9]+ answered 502: The response from the Lambda function doesn't match the format that Function URLs expect\. .*; function url-answer request /.test(sim.output()));

    await until(() => json.out().split("\n").filter((l) => l.includes('"http.integration-failed"')).length === 4);
    const events = json.out().trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    const failures = events.filter((e) => e.type === "http.integration-failed");
    expect(failures[0]).toMatchObject({ front: "rest-api", apiId: "shopapi001", stage: "Prod", routeKey: "POST /broken", functionName: "answer", status: 502, reason: "Execution failed due to configuration error: Malformed Lambda proxy response" });
    expect(failures.map((e) => e.front)).toEqual(["rest-api", "http-api", "rest-api", "function-url"]);
    // The request id is the invocation's: its invocation.finished (a success, to Lambda) has it.
    for (const f of failures) expect(events.some((e) => e.type === "invocation.finished" && e.requestId === f.requestId)).toBe(true);
    // The function URL's request id is the one the client got.
    expect(failures[3]!.requestId).toBe(url.headers.get("x-amzn-requestid"));

    await until(() => text.out().includes(restLine));
    // tail --function follows the function's failures too.
    await until(() => logical.out().includes(restLine));
    expect(logical.out()).not.toContain("route GET /fail");
  });

  it("a failing Lambda authorizer (500) prints a line too: AWS's reason, the authorizer's function and call", { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "fronts-"));
    const fn = (handler: string) => `{ runtime: nodejs24.x, handler: index.${handler}, codeUri: ${JSON.stringify(HANDLERS)} }`;
    writeFileSync(
      join(dir, "lambda-sim.yaml"),
      [
        "functions:",
        `  echo: ${fn("echo")}`,
        `  auth: ${fn("policyAuthorizer")}`,
        "apis:",
        '  shop: { protocolType: REST, id: shopapi002, routes: { "GET /me": { functionName: echo, authorizer: tok } },',
        "          authorizers: { tok: { functionName: auth, type: TOKEN, identitySource: method.request.header.Authorization, authorizerResultTtlInSeconds: 0 } } }",
        '  web: { id: webapi0002, routes: { "GET /me": { functionName: echo, authorizer: pol } },',
        "         authorizers: { pol: { functionName: auth, identitySource: $request.header.Authorization, authorizerResultTtlInSeconds: 0 } } }",
        "",
      ].join("\n"),
    );
    const sim = await startLambdaSim(["--config", join(dir, "lambda-sim.yaml"), "--in-memory"]);
    const get = (url: string, token: string) => fetch(url, { headers: { Authorization: token } });
    const rest = `${sim.endpoint}/_aws/execute-api/shopapi002/Prod/me`;
    for (const token of ["garbage", "nested", "crash"]) {
      const res = await get(rest, token);
      expect([res.status, await res.text(), res.headers.get("x-amzn-errortype")]).toEqual([500, '{"message": null}', "AuthorizerConfigurationException"]);
    }
    const http = await get(`${sim.endpoint}/_aws/execute-api/webapi0002/me`, "garbage");
    expect([http.status, await http.text()]).toEqual([500, '{"message":"Internal Server Error"}']);

    const where = "REST API shopapi002 stage Prod route GET /me answered 500: Execution failed due to configuration error:";
    await until(() => sim.output().includes(`${where} Invalid JSON in response (Lambda authorizer: the answer has no policyDocument); function auth request `));
    await until(() => sim.output().includes(`${where} Authorizer response context values must be of type string, number, or boolean (Lambda authorizer: context values must be strings, numbers or booleans: {"user":{"id":1}}); function auth request `));
    await until(() => sim.output().includes(`${where} Authorizer error (Lambda authorizer: Error: token store unreachable); function auth request `));
    await until(() => sim.output().includes("HTTP API webapi0002 stage $default route GET /me answered 500: The Lambda authorizer's response doesn't match the format that API Gateway expects. (Lambda authorizer: the answer has no policyDocument); function auth request "));
  });
});
