import { GetFunctionConcurrencyCommand, GetFunctionConfigurationCommand, GetFunctionRecursionConfigCommand, InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startLambdaSim } from "./support/lambda-sim-process.ts";
import { generatedName, writeStackTemplate } from "./support/sam-stack.ts";

/**
 * A lambda-sim.yaml beside a SAM template may set some of a template function's settings without
 * declaring it again (newuser10: allowing one function's loop locally, or giving it a reservation,
 * needed the whole function copied, since an entry keyed by its logical id replaced it and was
 * refused for want of a runtime).
 */
const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Resources:
  WorkerFunction:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs24.x
      Handler: index.handler
      MemorySize: 256
      Timeout: 3
      Environment: { Variables: { STAGE: prod, COLOR: blue } }
      LoggingConfig: { LogFormat: JSON }
      InlineCode: "exports.handler = async () => ({ stage: process.env.STAGE, color: process.env.COLOR, extra: process.env.EXTRA });"
`;

const credentials = { accessKeyId: "x", secretAccessKey: "x" };

async function refusal(overlay: string): Promise<{ message: string; beside: string }> {
  const template = writeStackTemplate(TEMPLATE);
  const beside = join(template, "..", "lambda-sim.yaml");
  writeFileSync(beside, overlay);
  const message = await startLambdaSim(["--template", template, "--in-memory"]).then(
    async (sim) => {
      await sim.kill();
      return "";
    },
    (e: Error) => e.message,
  );
  return { message, beside };
}

describe("lambda-sim.yaml beside a template setting some of a template function's settings", () => {
  it("keeps the template's function and code, with the overlay's settings over its own (environment merged)", { timeout: 120_000 }, async () => {
    const template = writeStackTemplate(TEMPLATE);
    writeFileSync(
      join(template, "..", "lambda-sim.yaml"),
      "functions:\n  WorkerFunction:\n    timeout: 10\n    environment: { COLOR: green, EXTRA: local }\n    reservedConcurrency: 2\n    recursiveLoop: Allow\n    loggingConfig: { applicationLogLevel: DEBUG }\n",
    );
    const sim = await startLambdaSim(["--template", template, "--in-memory"]);
    const lambda = new LambdaClient({ endpoint: sim.endpoint, region: "us-east-1", credentials });
    try {
      const worker = generatedName(sim.output(), "WorkerFunction");
      expect(sim.output()).toContain(`function ${worker}: timeout, environment, reservedConcurrency, recursiveLoop, loggingConfig as lambda-sim.yaml sets them`);
      const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: worker }));
      expect(config.Timeout).toBe(10);
      expect(config.MemorySize).toBe(256);
      expect(config.Handler).toBe("index.handler");
      expect(config.Environment?.Variables).toEqual({ STAGE: "prod", COLOR: "green", EXTRA: "local" });
      // A level given alone keeps the template's JSON format, as UpdateFunctionConfiguration would.
      expect(config.LoggingConfig).toEqual({ LogFormat: "JSON", ApplicationLogLevel: "DEBUG", SystemLogLevel: "INFO", LogGroup: `/aws/lambda/${worker}` });
      expect((await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: worker }))).ReservedConcurrentExecutions).toBe(2);
      expect((await lambda.send(new GetFunctionRecursionConfigCommand({ FunctionName: worker }))).RecursiveLoop).toBe("Allow");
      const out = await lambda.send(new InvokeCommand({ FunctionName: worker }));
      expect(JSON.parse(Buffer.from(out.Payload!).toString())).toEqual({ stage: "prod", color: "green", extra: "local" });
    } finally {
      lambda.destroy();
      await sim.kill();
    }
  });

  it("refuses a setting out of AWS's range at its line", { timeout: 60_000 }, async () => {
    const { message, beside } = await refusal("functions:\n  WorkerFunction:\n    memorySize: 64\n");
    expect(message).toContain(`${beside}:3 functions.WorkerFunction.memorySize: expected`);
  });

  it("refuses what only a whole declaration can say (a model), suggesting nothing that would not work", { timeout: 60_000 }, async () => {
    const { message, beside } = await refusal("functions:\n  WorkerFunction:\n    model: { durationMs: 5 }\n");
    expect(message).toContain(`${beside}:3 functions.WorkerFunction`);
    expect(message).toContain("model");
  });

  it("refuses a log level over a Text log format, as AWS does, at its line", { timeout: 60_000 }, async () => {
    const { message, beside } = await refusal("functions:\n  WorkerFunction:\n    loggingConfig: { logFormat: Text, applicationLogLevel: DEBUG }\n");
    expect(message).toContain(`${beside}:3 functions.WorkerFunction.loggingConfig: LogLevel is not supported when LogFormat is set to "Text"`);
  });

  it("refuses a reservation the account cannot give, at the overlay's line", { timeout: 60_000 }, async () => {
    const { message, beside } = await refusal("account: { concurrentExecutions: 10 }\nfunctions:\n  WorkerFunction:\n    reservedConcurrency: 5\n");
    expect(message).toContain(`${beside}:4 functions.WorkerFunction.reservedConcurrency`);
  });
});
