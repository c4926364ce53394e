import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { startLambdaSim } from "./support/lambda-sim-process.ts";
import { generatedName, writeStackTemplate } from "./support/sam-stack.ts";

/**
 * `POST /_sim/faults` with the names a user has at hand (newuser2 N4): a template's logical id
 * is resolved as `lambda-sim tail --function` and scenarios resolve it, and a name the simulator
 * does not have is refused with a 404 naming it and listing the names it has, rather than a fault
 * that counts `matched: 0` forever.
 */
const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Resources:
  WorkerFunction:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs24.x
      Handler: index.handler
      InlineCode: "exports.handler = async (e) => e;"
  WorkQueue:
    Type: AWS::SQS::Queue
`;

async function listed(endpoint: string): Promise<unknown[]> {
  return ((await (await fetch(`${endpoint}/_sim/faults`)).json()) as { faults: unknown[] }).faults;
}

async function post(endpoint: string, body: unknown): Promise<{ status: number; errorType: string | null; json: any }> {
  const res = await fetch(`${endpoint}/_sim/faults`, { method: "POST", body: JSON.stringify(body) });
  return { status: res.status, errorType: res.headers.get("x-amzn-errortype"), json: await res.json() };
}

describe("POST /_sim/faults: names", () => {
  it("takes a template's logical ids and refuses names the simulator does not have, listing those it has", { timeout: 120_000 }, async () => {
    const sim = await startLambdaSim(["--template", writeStackTemplate(TEMPLATE), "--in-memory"]);
    const worker = generatedName(sim.output(), "WorkerFunction");
    const lambda = new LambdaClient({ endpoint: sim.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" }, maxAttempts: 1 });
    try {
      // A typo: 404, as Lambda answers for a function it does not have, naming what there is.
      const typo = await post(sim.endpoint, { kind: "error", function: "no-such-fn", errorType: "Boom" });
      expect(typo.status).toBe(404);
      expect(typo.errorType).toBe("ResourceNotFoundException");
      expect(typo.json.code).toBe("ResourceNotFoundException");
      expect(typo.json.message).toContain("Function not found: no-such-fn");
      expect(typo.json.message).toContain(worker);
      expect(typo.json.message).toContain("WorkerFunction");
      const queueTypo = await post(sim.endpoint, { kind: "error", function: "WorkerFunction", source: "sqs:WorkQueu" });
      expect(queueTypo.status).toBe(404);
      expect(queueTypo.json.message).toMatch(/fault\.source: Queue not found: WorkQueu \(the simulator has: shop-WorkQueue-\w+, WorkQueue\)/);
      // A list with one bad name adds none of it.
      const list = await post(sim.endpoint, [{ kind: "latency", function: "WorkerFunction", ms: 5 }, { kind: "error", function: "WorkerFunctoin" }]);
      expect(list.status).toBe(404);
      expect(list.json.message).toContain("faults[1].function: Function not found: WorkerFunctoin");
      expect(await listed(sim.endpoint)).toEqual([]);

      // The logical id resolves to the function it became, and the fault fires on it.
      const added = await post(sim.endpoint, { kind: "error", function: "WorkerFunction", errorType: "Boom" });
      expect(added.status).toBe(200);
      expect(added.json).toMatchObject({ kind: "error", function: worker, errorType: "Boom" });
      const out = await lambda.send(new InvokeCommand({ FunctionName: worker, Payload: "{}" }));
      expect(out.FunctionError).toBe("Unhandled");
      expect(JSON.parse(Buffer.from(out.Payload!).toString())).toMatchObject({ errorType: "Boom" });
      expect(await listed(sim.endpoint)).toEqual([expect.objectContaining({ function: worker, matched: 1, fired: 1 })]);

      // A queue by its logical id too; an ARN is taken as written, warned about when it names no function yet.
      const bySource = await post(sim.endpoint, { kind: "error", source: "sqs:WorkQueue" });
      expect(bySource.status).toBe(200);
      expect(bySource.json.source).toMatch(/^sqs:shop-WorkQueue-\w+$/);
      const later = await post(sim.endpoint, { kind: "throttle", function: "arn:aws:lambda:us-east-1:000000000000:function:created-later" });
      expect(later.status).toBe(200);
      expect(later.json.warning).toContain("no function named 'created-later' yet");
    } finally {
      lambda.destroy();
      await sim.kill();
    }
  });

  it("fails `lambda-sim start` whose lambda-sim.yaml has a fault naming a function it does not declare", { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "lambda-sim-fault-names-"));
    writeFileSync(
      join(dir, "lambda-sim.yaml"),
      ["functions:", "  orders: { runtime: model, model: { durationMs: 10 } }", "faults:", "  - { kind: error, function: order }"].join("\n"),
    );
    // Refused when it starts (were it to listen instead, the helper kills it after the test).
    await expect(startLambdaSim(["--in-memory", "--config", join(dir, "lambda-sim.yaml")])).rejects.toThrow("faults[0].function: Function not found: order (the simulator has: orders)");
  });
});
