import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCli, startLambdaSim } from "./support/lambda-sim-process.ts";

/**
 * Settings API Gateway has for one kind of API only, given to the other: `lambda-sim start` refuses
 * them, each at its file and line, rather than start with them silently ignored (a user would
 * believe CORS on, or a 60 s timeout in force, where a deploy would be refused). Likewise settings
 * of one kind of API that AWS allows only together (simple responses need the 2.0 authorizer format).
 */
const codeUri = fileURLToPath(new URL("./fixtures/functions/http-handlers/", import.meta.url));

function project(apis: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "api-refusals-")), "lambda-sim.yaml");
  writeFileSync(file, `functions:\n  f: { runtime: nodejs24.x, handler: index.echo, codeUri: ${JSON.stringify(codeUri)} }\napis:\n${apis}`);
  return file;
}

describe("API settings of the other kind of API", () => {
  it("are refused at start, each at its line: corsConfiguration and enableSimpleResponses on a REST API; binaryMediaTypes, TOKEN and a timeout over 30000 ms on an HTTP API", async () => {
    const file = project(
      [
        "  legacy:",
        "    protocolType: REST",
        '    routes: { "GET /x": { functionName: f, authorizer: simple } }',
        "    authorizers:",
        "      simple: { functionName: f, type: REQUEST, enableSimpleResponses: true }", // line 8
        '    corsConfiguration: { allowOrigins: ["*"] }', // line 9
        "  web:",
        "    binaryMediaTypes: [image/png]", // line 11
        "    timeoutInMillis: 30001", // line 12
        "    routes:",
        '      "GET /x": { functionName: f, authorizer: token, timeoutInMillis: 60000 }', // line 14
        "    authorizers:",
        "      token: { functionName: f, type: TOKEN }", // line 16
        "",
      ].join("\n"),
    );
    const { code, stdout, stderr } = await runCli(["start", "--config", file, "--in-memory", "--port", "0"]);
    expect(code).toBe(1);
    expect(stdout).not.toContain("listening on");
    const lines = stderr.split("\n").map((l) => l.replace(/^lambda-sim: /, ""));
    expect(lines.filter((l) => l.startsWith(`${file}:`))).toEqual([
      `${file}:8 apis.legacy.authorizers.simple.enableSimpleResponses: enableSimpleResponses is only supported for HTTP APIs (protocolType: HTTP): a REST API's authorizer answers with an IAM policy`,
      `${file}:9 apis.legacy.corsConfiguration: corsConfiguration is only supported for HTTP APIs (protocolType: HTTP): a REST API answers CORS with OPTIONS routes of its own (a mock route)`,
      `${file}:11 apis.web.binaryMediaTypes: binaryMediaTypes is only supported for REST APIs (protocolType: REST): an HTTP API passes bodies of non-text types base64-encoded by itself`,
      `${file}:12 apis.web.timeoutInMillis: expected at most 30000 ms: an HTTP API's integration timeout is 50 to 30000 ms`,
      `${file}:14 apis.web.routes["GET /x"].timeoutInMillis: expected at most 30000 ms: an HTTP API's integration timeout is 50 to 30000 ms`,
      `${file}:16 apis.web.authorizers.token.type: TOKEN is only supported for REST APIs (protocolType: REST): an HTTP API's Lambda authorizers are REQUEST authorizers`,
    ]);
  });

  it("are refused at start, each at its line: payloadFormatVersion and a $default route on a REST API; simple responses from a 1.0 HTTP API authorizer", async () => {
    const file = project(
      [
        "  legacy:",
        "    protocolType: REST",
        "    routes:",
        '      "GET /x": { functionName: f, payloadFormatVersion: "2.0" }', // line 7
        '      "$default": f', // line 8
        "  web:",
        '    routes: { "GET /x": { functionName: f, authorizer: simple } }',
        "    authorizers:",
        '      simple: { functionName: f, authorizerPayloadFormatVersion: "1.0", enableSimpleResponses: true }', // line 12
        "",
      ].join("\n"),
    );
    const { code, stdout, stderr } = await runCli(["start", "--config", file, "--in-memory", "--port", "0"]);
    expect(code).toBe(1);
    expect(stdout).not.toContain("listening on");
    const lines = stderr.split("\n").map((l) => l.replace(/^lambda-sim: /, ""));
    expect(lines.filter((l) => l.startsWith(`${file}:`))).toEqual([
      `${file}:7 apis.legacy.routes["GET /x"].payloadFormatVersion: payloadFormatVersion is only supported for HTTP APIs (protocolType: HTTP): a REST API's Lambda proxy integration always sends the 1.0 event`,
      `${file}:8 apis.legacy.routes["$default"]: $default is only supported for HTTP APIs (protocolType: HTTP): a REST API's catch-all is ANY /{proxy+} (with ANY / for the root path)`,
      `${file}:12 apis.web.authorizers.simple.enableSimpleResponses: enableSimpleResponses is only supported with authorizerPayloadFormatVersion 2.0: a 1.0 authorizer answers with an IAM policy`,
    ]);
  });

  it("each in its own kind of API starts: an HTTP API at 30000 ms with CORS, a $default route, a 1.0 route and simple-response authorizers of payload 2.0; a REST API with binaryMediaTypes and a TOKEN authorizer", { timeout: 60_000 }, async () => {
    const file = project(
      [
        "  legacy:",
        "    protocolType: REST",
        "    id: legacyapi1",
        "    binaryMediaTypes: [image/png]",
        '    routes: { "GET /x": { functionName: f, authorizer: token } }',
        "    authorizers: { token: { functionName: f, type: TOKEN, enableSimpleResponses: false } }",
        "  web:",
        "    id: webapi0001",
        "    timeoutInMillis: 30000",
        '    corsConfiguration: { allowOrigins: ["*"] }',
        "    routes:",
        '      "GET /x": { functionName: f, authorizer: simple, timeoutInMillis: 30000 }',
        '      "GET /v1": { functionName: f, authorizer: simple2, payloadFormatVersion: "1.0" }',
        '      "$default": f',
        "    authorizers:",
        "      simple: { functionName: f, type: REQUEST, enableSimpleResponses: true }",
        '      simple2: { functionName: f, type: REQUEST, authorizerPayloadFormatVersion: "2.0", enableSimpleResponses: true }',
        '      policy: { functionName: f, type: REQUEST, authorizerPayloadFormatVersion: "1.0" }',
        "",
      ].join("\n"),
    );
    const sim = await startLambdaSim(["--config", file, "--in-memory"]);
    expect(sim.output()).toContain("webapi0001");
    expect(sim.output()).toContain("legacyapi1");
  });
});
