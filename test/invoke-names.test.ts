import { describe, expect, it } from "vitest";
import { runCli, startLambdaSim } from "./support/lambda-sim-process.ts";
import { generatedName, writeStackTemplate } from "./support/sam-stack.ts";

/**
 * `lambda-sim invoke NAME` with the names a user has at hand: a template's logical id works as it
 * does for `tail --function` (and says so on stderr); an unknown name is Lambda's
 * ResourceNotFoundException; and an unsigned call to a simulator under --auth says which keys to set.
 */
const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Resources:
  WorkerFunction:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs24.x
      Handler: index.handler
      InlineCode: "exports.handler = async (e) => ({ got: e });"
`;

/** The environment of a shell with no keys of any kind (the test runner's may hold some). */
function withoutKeys(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "LAMBDA_SIM_ACCESS_KEY_ID", "LAMBDA_SIM_SECRET_ACCESS_KEY", "LAMBDA_SIM_TOKEN", "AWS_ENDPOINT_URL", "LAMBDA_SIM_ENDPOINT"]) delete env[k];
  return env;
}

describe("lambda-sim invoke NAME", () => {
  it("invokes a function named by its template logical id, and says so; an unknown name is ResourceNotFoundException", { timeout: 120_000 }, async () => {
    const sim = await startLambdaSim(["--template", writeStackTemplate(TEMPLATE), "--in-memory"]);
    const worker = generatedName(sim.output(), "WorkerFunction");
    const byId = await runCli(["invoke", "WorkerFunction", "--payload", '{"x":1}', "--endpoint", sim.endpoint], withoutKeys());
    expect(byId).toEqual({ code: 0, stdout: '{"got":{"x":1}}\n', stderr: `lambda-sim invoke: WorkerFunction is the template's logical id of function ${worker}\n` });
    // Its own name needs no note.
    const byName = await runCli(["invoke", worker, "--payload", '{"x":2}', "--endpoint", sim.endpoint], withoutKeys());
    expect(byName).toEqual({ code: 0, stdout: '{"got":{"x":2}}\n', stderr: "" });
    await sim.kill();
  });

  it("resolves a logical id with a qualifier (LogicalId:alias, LogicalId:version) as it does without (walkthrough F7)", { timeout: 120_000 }, async () => {
    const template = TEMPLATE.replace("      Handler: index.handler\n", "      Handler: index.handler\n      AutoPublishAlias: live\n");
    const sim = await startLambdaSim(["--template", writeStackTemplate(template), "--in-memory"]);
    const worker = generatedName(sim.output(), "WorkerFunction");
    for (const qualifier of ["live", "1"]) {
      const byId = await runCli(["invoke", `WorkerFunction:${qualifier}`, "--payload", '{"x":3}', "--endpoint", sim.endpoint], withoutKeys());
      expect(byId).toEqual({ code: 0, stdout: '{"got":{"x":3}}\n', stderr: `lambda-sim invoke: WorkerFunction is the template's logical id of function ${worker}\n` });
    }
    // A qualifier the function lacks is Lambda's answer for the function's own name.
    const noAlias = await runCli(["invoke", "WorkerFunction:nope", "--endpoint", sim.endpoint], withoutKeys());
    expect(noAlias.code).toBe(1);
    expect(noAlias.stderr).toContain(`ResourceNotFoundException: Function not found: arn:aws:lambda:us-east-1:000000000000:function:${worker}:nope\n`);
    const unknown = await runCli(["invoke", "NoSuchFunction", "--endpoint", sim.endpoint], withoutKeys());
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe("ResourceNotFoundException: Function not found: arn:aws:lambda:us-east-1:000000000000:function:NoSuchFunction:$LATEST\n");
    await sim.kill();
  });

  it("says which keys to set when a simulator under --auth refuses an unsigned call", { timeout: 120_000 }, async () => {
    const sim = await startLambdaSim(["--template", writeStackTemplate(TEMPLATE), "--in-memory", "--auth"], { LAMBDA_SIM_ACCESS_KEY_ID: "AKIDEXAMPLE", LAMBDA_SIM_SECRET_ACCESS_KEY: "secret-example" });
    const unsigned = await runCli(["invoke", "WorkerFunction", "--endpoint", sim.endpoint], withoutKeys());
    expect(unsigned.code).toBe(1);
    expect(unsigned.stderr).toBe(
      "MissingAuthenticationTokenException: Missing Authentication Token\n" +
        `lambda-sim invoke: the simulator at ${sim.endpoint} runs with --auth and wants signed requests: set LAMBDA_SIM_ACCESS_KEY_ID and LAMBDA_SIM_SECRET_ACCESS_KEY (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) to the keys it was started with\n`,
    );
    // With the keys, the logical id works under --auth too (/_sim/template takes the token derived from the secret).
    const signed = await runCli(["invoke", "WorkerFunction", "--payload", "{}", "--endpoint", sim.endpoint], { ...withoutKeys(), LAMBDA_SIM_ACCESS_KEY_ID: "AKIDEXAMPLE", LAMBDA_SIM_SECRET_ACCESS_KEY: "secret-example" });
    expect([signed.code, signed.stdout]).toEqual([0, '{"got":{}}\n']);
    await sim.kill();
  });
});
