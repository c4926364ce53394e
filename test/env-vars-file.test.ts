import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { runCli, startLambdaSim } from "./support/lambda-sim-process.ts";
import { writeStackTemplate } from "./support/sam-stack.ts";

/**
 * `lambda-sim start --env-vars env.json`: a SAM project's environment variables file, as SAM CLI's
 * `sam local start-api --env-vars` reads it. Only what a function declares is overridden (the
 * deployed function has no other variable); what the file sets beyond that is said at start.
 */
const ENV = "exports.handler = async () => ({ TABLE: process.env.TABLE, STAGE: process.env.STAGE, DEBUG: process.env.DEBUG ?? null });";
const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: nodejs24.x
    Handler: index.handler
    InlineCode: ${JSON.stringify(ENV)}
    Environment:
      Variables: { TABLE: prod-table, STAGE: prod }
Resources:
  Orders:
    Type: AWS::Serverless::Function
  Audit:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: audit-fn
`;

describe("lambda-sim start --env-vars", () => {
  it("overrides the variables functions declare, Parameters for all and an entry per function by logical id or name; says what it left out", { timeout: 90_000 }, async () => {
    const template = writeStackTemplate(TEMPLATE);
    const env = join(dirname(template), "env.json");
    writeFileSync(join(dirname(template), "samconfig.toml"), 'version = 0.1\n[default.deploy.parameters]\nstack_name = "shop"\n');
    writeFileSync(env, JSON.stringify({ Parameters: { TABLE: "local-table", REGION_HINT: "x", toString: "y" }, Orders: { STAGE: "dev", DEBUG: "1" }, "audit-fn": { STAGE: 7 }, Nope: { A: "b" } }));
    const sim = await startLambdaSim(["--template", template, "--env-vars", env, "--in-memory"]);
    const lambda = new LambdaClient({ endpoint: sim.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
    const call = async (fn: string) => JSON.parse(Buffer.from((await lambda.send(new InvokeCommand({ FunctionName: fn }))).Payload!).toString());
    try {
      const orders = /function (shop-Orders-\w+)/.exec(sim.output())![1]!;
      expect(await call(orders)).toEqual({ TABLE: "local-table", STAGE: "dev", DEBUG: null });
      expect(await call("audit-fn")).toEqual({ TABLE: "local-table", STAGE: "7", DEBUG: null });
      const out = sim.output();
      expect(out).toContain(`${env}: 4 environment variable(s) set in 2 function(s)`);
      expect(out).toContain(`${env}: Orders: DEBUG not set: its Environment does not declare it (SAM CLI ignores it too: declare it, e.g. DEBUG: "", to override)`);
      expect(out).toContain(`${env}: Nope names no function (the simulator has: Orders, Audit); its variables are not set`);
      expect(out).toContain(`${env}: Parameters REGION_HINT, toString not set: no function's Environment declares them`);
      // SAM CLI's settings file beside the template is not read, and the start says so (newuser15a).
      expect(out).toContain("samconfig.toml is not read: give its parameter_overrides with --parameter-overrides");
    } finally {
      lambda.destroy();
      await sim.kill();
    }
    // A file that is not SAM's shape is refused before anything starts.
    writeFileSync(env, JSON.stringify({ Orders: ["STAGE"] }));
    const bad = await runCli(["start", "--template", template, "--env-vars", env, "--in-memory", "--port", "0"]);
    expect([bad.code, bad.stderr]).toEqual([1, `lambda-sim: --env-vars ${env}: Orders: expected an object of variable names to values\n`]);
  });
});
