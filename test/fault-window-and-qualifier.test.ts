import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateAliasCommand, LambdaClient, PublishVersionCommand } from "@aws-sdk/client-lambda";
import { startTestSimulator, type TestSimulator } from "@lambda-sim/core/testing";

/**
 * `POST /_sim/faults` (walkthrough F7): a window too long for a Date is a 400 naming its key (the
 * body is valid JSON), and a `qualifier` the function has no version or alias of is refused as a
 * misspelt function name is, rather than a fault that never fires.
 */
const codeDir = fileURLToPath(new URL("./fixtures/functions/node-basic/", import.meta.url));
let t: TestSimulator;

beforeAll(async () => {
  t = await startTestSimulator({ functions: [{ functionName: "items", runtime: "nodejs24.x", handler: "index.handler", codeDir }] });
  const lambda = new LambdaClient({ ...t.clientConfig, maxAttempts: 1 });
  await lambda.send(new PublishVersionCommand({ FunctionName: "items" }));
  await lambda.send(new CreateAliasCommand({ FunctionName: "items", Name: "live", FunctionVersion: "1" }));
  lambda.destroy();
});
afterAll(async () => {
  await t?.close();
});

async function sim(method: string, path: string, body?: unknown): Promise<{ status: number; errorType: string | null; json: any }> {
  const res = await fetch(`${t.endpoint}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, errorType: res.headers.get("x-amzn-errortype"), json: await res.json() };
}

describe("POST /_sim/faults: window and qualifier", () => {
  it("refuses forSeconds / afterSeconds beyond what a Date holds with a 400 naming the key, and keeps nothing", async () => {
    for (const [key, body] of [
      ["forSeconds", { kind: "error", function: "items", forSeconds: 1e308 }],
      ["afterSeconds", { kind: "error", function: "items", afterSeconds: 1e13 }],
      ["forSeconds", { kind: "error", function: "items", afterSeconds: 4e12, forSeconds: 4.7e12 }],
    ] as const) {
      const r = await sim("POST", "/_sim/faults", body);
      expect([r.status, r.json.code], JSON.stringify(body)).toEqual([400, "BadRequest"]);
      expect(r.json.message, JSON.stringify(body)).toMatch(new RegExp(`^fault: ${key}: `));
      expect(r.json.message).not.toContain("JSON");
    }
    // Nothing half-added: the list still answers, and is empty.
    const listed = await sim("GET", "/_sim/faults");
    expect([listed.status, listed.json.faults]).toEqual([200, []]);
    // A long but representable window is fine.
    const ok = await sim("POST", "/_sim/faults", { kind: "error", function: "items", forSeconds: 86_400 * 365 * 100 });
    expect(ok.status).toBe(200);
    await sim("DELETE", "/_sim/faults");
  });

  it("refuses a qualifier the function has no version or alias of, as it refuses a misspelt function", async () => {
    const typo = await sim("POST", "/_sim/faults", { kind: "error", function: "items", qualifier: "nope" });
    expect([typo.status, typo.errorType, typo.json.code]).toEqual([404, "ResourceNotFoundException", "ResourceNotFoundException"]);
    expect(typo.json.message).toBe("fault.qualifier: Function not found: items:nope (items has: $LATEST, 1, live)");
    for (const qualifier of ["live", "1", "$LATEST"]) {
      expect((await sim("POST", "/_sim/faults", { kind: "error", function: "items", qualifier })).status, qualifier).toBe(200);
    }
    // By ARN too; in a list, one bad qualifier adds none.
    const list = await sim("POST", "/_sim/faults", [{ kind: "crash", function: "items", qualifier: "live" }, { kind: "error", function: "arn:aws:lambda:us-east-1:000000000000:function:items", qualifier: "2" }]);
    expect([list.status, list.json.message]).toEqual([404, "faults[1].qualifier: Function not found: items:2 (items has: $LATEST, 1, live)"]);
    expect((await sim("GET", "/_sim/faults")).json.faults).toHaveLength(3);
    await sim("DELETE", "/_sim/faults");
  });
});
