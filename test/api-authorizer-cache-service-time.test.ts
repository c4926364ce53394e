import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VirtualClock, type FunctionDefinition } from "@lambda-sim/core";
import { startTestSimulator, TelemetryRecorder, type TestSimulator } from "@lambda-sim/core/testing";
import { apiGatewaySource } from "@lambda-sim/sources";
import { apiConfigSchema, apiId } from "../packages/sources/src/http/api-config.ts";
import { httpCall } from "./support/http-call.ts";
import { until } from "./support/until.ts";

/**
 * A Lambda authorizer's answer is cached for `authorizerResultTtlInSeconds` of service time (the
 * Clock): on the virtual clock, moved only by `/_sim/clock/advance`, a 60 s TTL still answers from
 * the cache 59 s on, and calls the authorizer again at 60 s. "If it is greater than 0, API Gateway
 * caches authorizer responses" for that many seconds (API Gateway Authorizer.authorizerResultTtlInSeconds).
 */
const codeDir = fileURLToPath(new URL("./fixtures/functions/http-handlers/", import.meta.url));
const fn = (functionName: string, handler: string): FunctionDefinition => ({ functionName, runtime: "nodejs24.x", handler: `index.${handler}`, codeDir, timeout: 5 });

const apis = apiConfigSchema.parse({
  rest: {
    protocolType: "REST",
    routes: { "GET /guarded": { functionName: "guarded", authorizer: "token" } },
    authorizers: { token: { functionName: "policy-auth", type: "TOKEN", identitySource: "method.request.header.Authorization", authorizerResultTtlInSeconds: 60 } },
  },
  http: {
    routes: { "GET /guarded": { functionName: "guarded", authorizer: "simple" } },
    authorizers: { simple: { functionName: "simple-auth", enableSimpleResponses: true, identitySource: "$request.header.Authorization", authorizerResultTtlInSeconds: 60 } },
  },
});
const REST = apiId("000000000000", "us-east-1", "rest");
const HTTP = apiId("000000000000", "us-east-1", "http");

let t: TestSimulator;
let events: TelemetryRecorder;
beforeAll(async () => {
  const clock = new VirtualClock(Date.UTC(2026, 5, 1));
  clock.startRunningDue();
  t = await startTestSimulator({
    clock,
    functions: [fn("guarded", "echo"), fn("policy-auth", "policyAuthorizer"), fn("simple-auth", "simpleAuthorizer")],
    sources: [apiGatewaySource],
    sourceConfig: { apis },
  });
  events = new TelemetryRecorder(t.sim.telemetry);
});
afterAll(() => t?.close());

const calls = (functionName: string) => events.of("invocation.finished").filter((e) => e.functionName === functionName).length;
const advance = (seconds: number) => fetch(`${t.endpoint}/_sim/clock/advance`, { method: "POST", body: JSON.stringify({ seconds }) });

describe("an authorizer's cached answer on the virtual clock (TTL 60 s)", () => {
  for (const [kind, url, authorizer] of [
    ["REST TOKEN", () => `${t.endpoint}/_aws/execute-api/${REST}/Prod/guarded`, "policy-auth"],
    ["HTTP API simple", () => `${t.endpoint}/_aws/execute-api/${HTTP}/guarded`, "simple-auth"],
  ] as const) {
    it(`${kind}: still cached 59 s on; called again at 60 s`, async () => {
      const get = async () => (await httpCall(url(), { headers: { Authorization: "allow" } })).status;
      expect(await get()).toBe(200);
      await until(() => calls(authorizer) === 1);
      expect((await advance(59)).status).toBe(200);
      expect(await get()).toBe(200);
      expect(calls(authorizer)).toBe(1);
      expect((await advance(1)).status).toBe(200);
      expect(await get()).toBe(200);
      await until(() => calls(authorizer) === 2);
      // The new answer is cached from now: 59 s more are answered from it.
      expect((await advance(59)).status).toBe(200);
      expect(await get()).toBe(200);
      expect(calls(authorizer)).toBe(2);
    });
  }
});
