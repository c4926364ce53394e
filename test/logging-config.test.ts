import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CreateFunctionCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvalidParameterValueException,
  InvokeCommand,
  LambdaClient,
  PublishVersionCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { CloudWatchLogsClient, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { cloudwatchLogsSource } from "@lambda-sim/sources";
import { startTestSimulator, zipFiles, type TestSimulator } from "@lambda-sim/core/testing";
import type { FunctionDefinition } from "@lambda-sim/core";
import { until } from "./support/until.ts";

/**
 * LoggingConfig set through CreateFunction and UpdateFunctionConfiguration: returned by
 * GetFunction(Configuration) and applied to the function's next environments, as the variables
 * AWS sets from it (AWS_LAMBDA_LOG_FORMAT, AWS_LAMBDA_LOG_LEVEL, AWS_LAMBDA_LOG_GROUP_NAME) and
 * the group CloudWatch Logs gets the function's logs in.
 */
const SOURCE = `export const handler = async (event, context) => {
  console.info("info-" + event.n);
  console.warn("warn-" + event.n);
  return { logGroupName: context.logGroupName };
};`;
const ROLE = "arn:aws:iam::000000000000:role/r";
let t: TestSimulator;
let lambda: LambdaClient;
let logs: CloudWatchLogsClient;

beforeAll(async () => {
  // A function of lambda-sim.yaml's with `loggingConfig:` (as its schema leaves it).
  const codeDir = mkdtempSync(join(tmpdir(), "lambda-sim-logging-config-"));
  writeFileSync(join(codeDir, "index.mjs"), SOURCE);
  const declared: FunctionDefinition = { functionName: "declared-logs", runtime: "nodejs24.x", handler: "index.handler", codeDir, loggingConfig: { logFormat: "JSON", applicationLogLevel: "WARN", systemLogLevel: "INFO" } };
  t = await startTestSimulator({ sources: [cloudwatchLogsSource], functions: [declared] });
  lambda = new LambdaClient({ ...t.clientConfig, maxAttempts: 1 });
  logs = new CloudWatchLogsClient(t.clientConfig);
});

afterAll(async () => {
  lambda?.destroy();
  logs?.destroy();
  await t?.close();
});

async function create(name: string, LoggingConfig?: Record<string, string>) {
  const code = { ZipFile: await zipFiles([{ name: "index.mjs", data: SOURCE }]) };
  return lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: "nodejs24.x", Handler: "index.handler", Role: ROLE, Code: code, LoggingConfig: LoggingConfig as never }));
}

/** The invocation's log lines (LogType Tail) and what the handler saw as its log group. */
async function invoke(name: string, n: number) {
  const out = await lambda.send(new InvokeCommand({ FunctionName: name, LogType: "Tail", Payload: JSON.stringify({ n }) }));
  const lines = Buffer.from(out.LogResult!, "base64").toString().split("\n");
  // The function's own lines (not the platform's JSON records, whose request ids may hold `-${n}` too).
  return { lines: lines.filter((l) => l.includes(`-${n}`) && !l.startsWith('{"time"')), logGroupName: (JSON.parse(Buffer.from(out.Payload!).toString()) as { logGroupName: string }).logGroupName };
}

describe("LoggingConfig", () => {
  it("CreateFunction's JSON format, level and log group are returned and apply: JSON records at WARN and above, in that group", async () => {
    const created = await create("json-logs", { LogFormat: "JSON", ApplicationLogLevel: "WARN", LogGroup: "/custom/json-logs" });
    const expected = { LogFormat: "JSON", ApplicationLogLevel: "WARN", SystemLogLevel: "INFO", LogGroup: "/custom/json-logs" };
    expect(created.LoggingConfig).toEqual(expected);
    expect((await lambda.send(new GetFunctionCommand({ FunctionName: "json-logs" }))).Configuration?.LoggingConfig).toEqual(expected);

    const { lines, logGroupName } = await invoke("json-logs", 1);
    expect(logGroupName).toBe("/custom/json-logs");
    // INFO is below WARN: only the warning, as one JSON record.
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: "WARN", message: "warn-1" });
    await until(async () => (await logs.send(new FilterLogEventsCommand({ logGroupName: "/custom/json-logs", filterPattern: "warn-1" }))).events?.length === 1);
    // A published version keeps it.
    const v = await lambda.send(new PublishVersionCommand({ FunctionName: "json-logs" }));
    expect(v.LoggingConfig).toEqual(expected);
  });

  it("UpdateFunctionConfiguration changes what the next environments do: Text drops the levels and keeps the group; JSON starts both levels at INFO", async () => {
    await create("switch-logs", { LogFormat: "JSON", ApplicationLogLevel: "ERROR", LogGroup: "/custom/switch" });
    expect((await invoke("switch-logs", 1)).lines).toEqual([]);

    const text = await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "switch-logs", LoggingConfig: { LogFormat: "Text" } }));
    expect(text.LoggingConfig).toEqual({ LogFormat: "Text", LogGroup: "/custom/switch" });
    const second = await invoke("switch-logs", 2);
    expect(second.lines.map((l) => l.split("\t").slice(2).join("\t"))).toEqual(["INFO\tinfo-2", "WARN\twarn-2"]);
    expect(second.logGroupName).toBe("/custom/switch");

    const json = await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "switch-logs", LoggingConfig: { LogFormat: "JSON", LogGroup: "/aws/lambda/switch-logs" } }));
    expect(json.LoggingConfig).toEqual({ LogFormat: "JSON", ApplicationLogLevel: "INFO", SystemLogLevel: "INFO", LogGroup: "/aws/lambda/switch-logs" });
    const third = await invoke("switch-logs", 3);
    expect(third.lines.map((l) => (JSON.parse(l) as { level: string }).level)).toEqual(["INFO", "WARN"]);
    expect(third.logGroupName).toBe("/aws/lambda/switch-logs");
    // A level alone keeps the JSON format.
    const debug = await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "switch-logs", LoggingConfig: { SystemLogLevel: "DEBUG" } }));
    expect(debug.LoggingConfig).toMatchObject({ LogFormat: "JSON", ApplicationLogLevel: "INFO", SystemLogLevel: "DEBUG" });
  });

  it("defaults to Text and /aws/lambda/NAME, and refuses log levels with the Text format as AWS does", async () => {
    await create("plain-logs");
    expect((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "plain-logs" }))).LoggingConfig).toEqual({ LogFormat: "Text", LogGroup: "/aws/lambda/plain-logs" });
    const message = 'LogLevel is not supported when LogFormat is set to "Text". Remove LogLevel from your request or change the LogFormat to "JSON" and try again.';
    const onCreate = await create("refused-logs", { LogFormat: "Text", ApplicationLogLevel: "DEBUG" }).catch((e: unknown) => e);
    expect(onCreate).toBeInstanceOf(InvalidParameterValueException);
    expect((onCreate as Error).message).toBe(message);
    const onUpdate = await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "plain-logs", LoggingConfig: { SystemLogLevel: "WARN" } })).catch((e: unknown) => e);
    expect(onUpdate).toBeInstanceOf(InvalidParameterValueException);
    expect((onUpdate as Error).message).toBe(message);
    const badFormat = await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "plain-logs", LoggingConfig: { LogFormat: "XML" as never } })).catch((e: unknown) => e);
    expect((badFormat as Error).name).toBe("ValidationException");
    expect((badFormat as Error).message).toBe("1 validation error detected: Value 'XML' at 'loggingConfig.logFormat' failed to satisfy constraint: Member must satisfy enum value set: [JSON, Text]");
  });

  it("a lambda-sim.yaml function's loggingConfig is the same setting: returned, and applied to its environments", async () => {
    expect((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "declared-logs" }))).LoggingConfig).toEqual({ LogFormat: "JSON", ApplicationLogLevel: "WARN", SystemLogLevel: "INFO", LogGroup: "/aws/lambda/declared-logs" });
    const { lines, logGroupName } = await invoke("declared-logs", 7);
    expect(lines.map((l) => JSON.parse(l) as { level: string; message: string })).toEqual([expect.objectContaining({ level: "WARN", message: "warn-7" })]);
    expect(logGroupName).toBe("/aws/lambda/declared-logs");
  });
});
