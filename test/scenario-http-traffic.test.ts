import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./support/lambda-sim-process.ts";

/**
 * newuser14 F15 (a): a scenario sends real HTTP requests through an API Gateway API and a
 * Function URL (the `http` step), counts the answers by status, checks them with `httpStatus`,
 * and replays byte for byte; (c) the report says what the run would cost on AWS Lambda.
 */
const ARCHITECTURE = [
  "functions:",
  // Reserved concurrency 2 and 200 ms each: of a burst of 5 POSTs, 3 are throttled (an HTTP API's 500).
  "  create: { runtime: model, model: { durationMs: 200 }, reservedConcurrency: 2, memorySize: 512 }",
  "  page: { runtime: model, model: { durationMs: 30 }, functionUrl: { authType: NONE } }",
  "apis:",
  '  shop: { routes: { "POST /orders": create, "GET /orders/{id}": create } }',
  "  admin: { protocolType: REST, stages: { prod: {}, test: {} }, routes: { \"GET /stats\": page } }",
];

function scenario(lines: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), "scenario-http-"));
  const file = join(dir, "http.yaml");
  writeFileSync(file, ["seed: 3", "duration: 2m", ...ARCHITECTURE, ...lines].join("\n"));
  return file;
}

const TRAFFIC = [
  "traffic:",
  '  - http: { api: shop, method: POST, path: /orders, body: { id: "{i}" }, count: 5 }',
  '  - { at: 10s, http: { api: shop, path: "/orders/{i}?full=1", count: 4, rate: 2 } }',
  '  - http: { functionUrl: page, path: /hello, headers: { x-n: "{i}" }, count: 3, rate: 1 }',
  "  - http: { api: admin, stage: test, path: /stats }",
];

describe("a scenario's http step", () => {
  it("sends real requests through the API's and the URL's fronts, counts the answers by status, prices the run, and replays byte for byte", { timeout: 120_000 }, async () => {
    const file = scenario([...TRAFFIC, "expect:", '  httpStatus: { "200": 9, "500": 3, "502": 1, "5xx": { max: 4 }, "404": 0 }', "  throttles: { create: 3 }"]);
    const traces = [join(mkdtempSync(join(tmpdir(), "scenario-http-")), "a.jsonl"), join(mkdtempSync(join(tmpdir(), "scenario-http-")), "b.jsonl")];
    const runs = [];
    for (const trace of traces) runs.push(await runCli(["run", file, "--trace", trace]));
    const [a, b] = runs;
    expect(a!.code, a!.stdout + a!.stderr).toBe(0);
    expect(a!.stdout).toContain("traffic: 5 HTTP requests POST /orders on shop, 4 HTTP requests GET /orders/{i}?full=1 on shop, 3 HTTP requests GET /hello on page's URL, 1 HTTP requests GET /stats on admin (test)");
    expect(a!.stdout).toContain("answers to POST /orders on shop: 2 × 200, 3 × 500");
    expect(a!.stdout).toContain("answers to GET /orders/{i}?full=1 on shop: 4 × 200");
    expect(a!.stdout).toContain("answers to GET /hello on page's URL: 3 × 200");
    // A model function's answer is no proxy response: the REST API's 502, as on AWS (an HTTP API takes any JSON as the body).
    expect(a!.stdout).toContain("answers to GET /stats on admin (test): 1 × 502");
    expect(a!.stdout).toMatch(/✓ HTTP answers 500: 3 \(expected = 3\)/);
    // The dashboard's cost panel's figure: 6 of create's 200 ms at 512 MB (0.1 GB-s each), page's 30 ms at 128 MB.
    expect(a!.stdout).toContain("    create: 6 requests, 0.6000 GB-s at 512 MB x86_64: $0.0000112");
    expect(a!.stdout).toContain("    page: 4 requests, 0.0150 GB-s at 128 MB x86_64: $0.0000011");
    expect(a!.stdout).toMatch(/cost on AWS Lambda: \$0\.0000123 /);
    expect(a!.stdout).not.toContain("wall time)");
    // Replays: the report but its wall seconds, and the trace, byte for byte.
    const report = (s: string) => s.replace(/in [\d.]+ s wall/, "").replace(/trace: .*/, "");
    expect(report(b!.stdout)).toBe(report(a!.stdout));
    expect(readFileSync(traces[1]!, "utf8")).toBe(readFileSync(traces[0]!, "utf8"));

    // Each function got the event its front builds for a client's request, Host and all.
    const started = readFileSync(traces[0]!, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { type: string; functionName?: string; payload?: string }).filter((e) => e.type === "invocation.started");
    const events = started.map((e) => JSON.parse(e.payload!) as Record<string, any>);
    const post = events.find((e) => e.routeKey === "POST /orders")!;
    expect(post.version).toBe("2.0");
    expect(post.body).toBe('{"id":0}');
    expect(post.headers["content-type"]).toBe("application/json");
    expect(post.requestContext.domainName).toBe(`${post.requestContext.apiId}.execute-api.localhost`);
    // A User-Agent, as any client sends: what the event's requestContext names.
    expect(post.requestContext.http.userAgent).toMatch(/^lambda-sim\/\S+ \(scenario\)$/);
    const get = events.find((e) => e.routeKey === "GET /orders/{id}")!;
    expect(get.pathParameters).toEqual({ id: "0" });
    expect(get.queryStringParameters).toEqual({ full: "1" });
    const url = events.find((e) => e.rawPath === "/hello")!;
    expect(url.requestContext.domainName).toMatch(/^[a-z0-9]+\.lambda-url\.us-east-1\.localhost$/);
    expect(url.headers["x-n"]).toBe("0");
    const rest = events.find((e) => e.resource === "/stats")!;
    expect(rest.requestContext.stage).toBe("test");
    expect(rest.httpMethod).toBe("GET");
    expect(rest.requestContext.identity.userAgent).toBe(post.requestContext.http.userAgent);
  });

  it("is checked when the scenario loads: an unknown API, a path no route takes, a stage it lacks, a function with no URL, both or neither target", async () => {
    const bad = scenario([
      "traffic:",
      "  - http: { api: shoop, path: /orders }",
      "  - http: { api: shop, method: DELETE, path: /orders }",
      "  - http: { api: admin, path: /stats }",
      "  - http: { api: admin, stage: dev, path: /stats }",
      "  - http: { functionUrl: create }",
    ]);
    const r = await runCli(["run", bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${bad}:10 traffic[0].http.api: no API named 'shoop' (did you mean 'shop'?) (the architecture has: shop (`);
    expect(r.stderr).toContain(`${bad}:11 traffic[1].http.path: shop has no route for DELETE /orders (its routes: POST /orders, GET /orders/{id})`);
    expect(r.stderr).toContain(`${bad}:12 traffic[2].http: admin has several stages (prod, test): say which with stage:`);
    expect(r.stderr).toContain(`${bad}:13 traffic[3].http.stage: admin has no stage 'dev' (it has: prod, test)`);
    expect(r.stderr).toContain(`${bad}:14 traffic[4].http.functionUrl: create has no Function URL (functions with one: page)`);

    const both = scenario(["traffic:", "  - http: { api: shop, functionUrl: page }", "expect:", '  httpStatus: { "2x": 1 }']);
    const r2 = await runCli(["run", both]);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toContain(`${both}:10 traffic[0].http: expected one of api (an API's name, logical id or id) or functionUrl (a function with a Function URL)`);
    expect(r2.stderr).toContain(`${both}:12 expect.httpStatus.2x: expected a status code such as 200 or a class such as 5xx`);

    const host = scenario(["traffic:", "  - http: { api: shop, path: /orders/1, headers: { Host: example.com } }"]);
    const r3 = await runCli(["run", host]);
    expect(r3.code).toBe(1);
    expect(r3.stderr).toContain(`${host}:10 traffic[0].http.headers.Host: the step sets host itself`);
  });

  it("names a template's API by its logical id (SAM's ServerlessHttpApi) and reaches real code through it; the cost line leaves real code's wall-time GB-seconds out, saying so", { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "scenario-http-template-"));
    mkdirSync(join(dir, "src"));
    writeFileSync(join(dir, "src", "index.mjs"), 'export const handler = async (event) => ({ statusCode: 202, body: JSON.stringify({ got: JSON.parse(event.body).id, type: event.headers["content-type"] }) });\n');
    writeFileSync(
      join(dir, "template.yaml"),
      [
        "Transform: AWS::Serverless-2016-10-31",
        "Resources:",
        "  CreateOrderFunction:",
        "    Type: AWS::Serverless::Function",
        "    Properties:",
        "      CodeUri: src/",
        "      Handler: index.handler",
        "      Runtime: nodejs22.x",
        "      Events:",
        "        PostOrder: { Type: HttpApi, Properties: { Path: /orders, Method: POST } }",
      ].join("\n"),
    );
    writeFileSync(
      join(dir, "story.yaml"),
      [
        "seed: 7",
        "duration: 1m",
        "architecture: template.yaml",
        "traffic:",
        "  - http: { api: ServerlessHttpApi, method: POST, path: /orders, headers: { content-type: application/json }, body: '{\"id\": {i}}', count: 3, rate: 1 }",
        "expect:",
        '  httpStatus: { "202": 3 }',
        "  invocations: { CreateOrderFunction: 3 }",
      ].join("\n"),
    );
    const r = await runCli(["run", join(dir, "story.yaml")]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("answers to POST /orders on ServerlessHttpApi: 3 × 202");
    expect(r.stdout).toContain("    CreateOrderFunction: 3 requests at 128 MB x86_64: $0.0000006 (requests only)");
    expect(r.stdout).toContain("    GB-seconds of CreateOrderFunction left out: real code's durations are this machine's wall time and differ from run to run");

    writeFileSync(join(dir, "typo.yaml"), ["duration: 1m", "architecture: template.yaml", "traffic:", "  - http: { api: ServerlesHttpApi, path: /orders }"].join("\n"));
    const bad = await runCli(["run", join(dir, "typo.yaml")]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/typo\.yaml:4 traffic\[0\]\.http\.api: no API named 'ServerlesHttpApi' \(did you mean 'ServerlessHttpApi'\?\) \(the architecture has: ServerlessHttpApi \([a-z0-9]{10}\)\)/);
  });
});
