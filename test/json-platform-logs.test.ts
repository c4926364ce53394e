import type { ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateFunctionCommand, InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { CloudWatchLogsClient, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { cloudwatchLogsSource } from "@lambda-sim/sources";
import { startTestSimulator, zipFiles, type TestSimulator } from "@lambda-sim/core/testing";
import type { FunctionDefinition } from "@lambda-sim/core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startTail } from "./support/tail-process.ts";
import { until } from "./support/until.ts";

/**
 * With LoggingConfig LogFormat JSON, the platform's lines are JSON records, `{time, type, record}`,
 * as a 2026 CloudWatch Logs export of a JSON-format function shows them: platform.initStart,
 * platform.start and platform.report at the default SystemLogLevel INFO; platform.runtimeDone
 * (and the Init's records) at DEBUG, or WARN when the invocation failed. The same records in the
 * LogType Tail result, in CloudWatch Logs and in `lambda-sim tail --logs`. Text stays START / END / REPORT.
 */
const SOURCE = `export const handler = async (event) => {
  console.log("hello-" + event.n);
  if (event.sleep) await new Promise((r) => setTimeout(r, event.sleep));
  return { ok: true };
};`;
const ARN = "arn:aws:lambda:us-east-1:000000000000:function";
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const children: ChildProcess[] = [];
let t: TestSimulator;
let lambda: LambdaClient;
let logs: CloudWatchLogsClient;

beforeAll(async () => {
  const codeDir = mkdtempSync(join(tmpdir(), "json-platform-logs-"));
  writeFileSync(join(codeDir, "index.mjs"), SOURCE);
  // Functions of lambda-sim.yaml's, with `loggingConfig:` as its schema leaves it.
  const fn = (functionName: string, extra: Partial<FunctionDefinition>): FunctionDefinition => ({ functionName, runtime: "nodejs24.x", handler: "index.handler", codeDir, ...extra });
  t = await startTestSimulator({
    sources: [cloudwatchLogsSource],
    functions: [
      fn("info", { memorySize: 256, loggingConfig: { logFormat: "JSON", applicationLogLevel: "INFO", systemLogLevel: "INFO" } }),
      fn("debug", { timeout: 1, loggingConfig: { logFormat: "JSON", applicationLogLevel: "INFO", systemLogLevel: "DEBUG" } }),
      fn("warn", { timeout: 1, loggingConfig: { logFormat: "JSON", applicationLogLevel: "INFO", systemLogLevel: "WARN" } }),
      fn("text", {}),
    ],
  });
  lambda = new LambdaClient({ ...t.clientConfig, maxAttempts: 1 });
  logs = new CloudWatchLogsClient(t.clientConfig);
});
afterEach(() => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
});
afterAll(async () => {
  lambda?.destroy();
  logs?.destroy();
  await t?.close();
});

interface Record_ {
  time: string;
  type: string;
  record: Record<string, unknown>;
}

/** Invoke with LogType Tail: the request id and the tail's lines. */
async function invoke(name: string, payload: object) {
  const out = await lambda.send(new InvokeCommand({ FunctionName: name, LogType: "Tail", Payload: JSON.stringify(payload) }));
  const lines = Buffer.from(out.LogResult!, "base64").toString().split("\n").filter((l) => l !== "");
  return { id: out.$metadata.requestId!, lines, functionError: out.FunctionError };
}

const platform = (lines: string[]): Record_[] => lines.filter((l) => l.startsWith('{"time"')).map((l) => JSON.parse(l) as Record_);

describe("JSON platform logs", () => {
  it("at INFO: platform.initStart, platform.start and platform.report in the tail, no text lines, no runtimeDone", async () => {
    const cold = await invoke("info", { n: 1 });
    expect(cold.lines.some((l) => /^(START|END|REPORT) RequestId/.test(l))).toBe(false);
    const records = platform(cold.lines);
    expect(records.map((r) => r.type)).toEqual(["platform.initStart", "platform.start", "platform.report"]);
    for (const r of records) expect(Object.keys(r)).toEqual(["time", "type", "record"]);
    for (const r of records) expect(r.time).toMatch(ISO);
    const [initStart, start, report] = records as [Record_, Record_, Record_];
    expect(initStart.record).toEqual({
      initializationType: "on-demand",
      phase: "init",
      runtimeVersion: "nodejs24.x",
      runtimeVersionArn: "arn:aws:lambda:::runtime:nodejs24.x",
      functionName: "info",
      functionVersion: "$LATEST",
      instanceId: expect.stringMatching(/^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/),
      instanceMaxMemory: 256 * 1024 * 1024,
    });
    expect(start.record).toEqual({ requestId: cold.id, functionArn: `${ARN}:info`, version: "$LATEST" });
    expect(Object.keys(report.record)).toEqual(["requestId", "metrics", "status"]);
    expect(report.record).toMatchObject({ requestId: cold.id, status: "success" });
    const metrics = report.record.metrics as Record<string, number>;
    expect(Object.keys(metrics)).toEqual(["durationMs", "billedDurationMs", "memorySizeMB", "maxMemoryUsedMB", "initDurationMs"]);
    expect(metrics.memorySizeMB).toBe(256);
    // Billed: Duration and Init together, rounded up (the Aug 2025 INIT billing, aws-facts §2.5).
    expect(metrics.billedDurationMs).toBe(Math.ceil(metrics.durationMs! + metrics.initDurationMs!));
    // The function's own line is between start and report.
    const hello = cold.lines.findIndex((l) => l.includes("hello-1"));
    expect(hello).toBeGreaterThan(cold.lines.indexOf(JSON.stringify(start)));
    expect(hello).toBeLessThan(cold.lines.indexOf(JSON.stringify(report)));

    // Warm: no Init, no initDurationMs.
    const warm = await invoke("info", { n: 2 });
    const warmRecords = platform(warm.lines);
    expect(warmRecords.map((r) => r.type)).toEqual(["platform.start", "platform.report"]);
    expect(Object.keys(warmRecords[1]!.record.metrics as object)).not.toContain("initDurationMs");
  });

  it("CloudWatch Logs has the same records, one event each, in the function's stream", async () => {
    const { id } = await invoke("info", { n: 3 });
    let messages: string[] = [];
    await until(async () => {
      const events = (await logs.send(new FilterLogEventsCommand({ logGroupName: "/aws/lambda/info", filterPattern: `"${id}"` }))).events ?? [];
      messages = events.map((e) => e.message!.replace(/\n$/, ""));
      return messages.length === 3;
    });
    // The function's own record carries the request id too (the runtime's JSON format).
    expect(messages.map((m) => JSON.parse(m) as Record_ & { message?: string }).map((r) => r.type ?? r.message)).toEqual(["platform.start", "hello-3", "platform.report"]);
  });

  it("at DEBUG: platform.initRuntimeDone, platform.initReport and platform.runtimeDone too; a timeout's are status timeout", async () => {
    const cold = await invoke("debug", { n: 4 });
    const records = platform(cold.lines);
    expect(records.map((r) => r.type)).toEqual(["platform.initStart", "platform.initRuntimeDone", "platform.initReport", "platform.start", "platform.runtimeDone", "platform.report"]);
    expect(records[1]!.record).toEqual({ initializationType: "on-demand", phase: "init", status: "success" });
    expect(records[2]!.record).toEqual({ initializationType: "on-demand", phase: "init", status: "success", metrics: { durationMs: expect.any(Number) } });
    expect(records[4]!.record).toEqual({ requestId: cold.id, status: "success", metrics: { durationMs: expect.any(Number), producedBytes: '{"ok":true}'.length } });

    // A timeout: status timeout on both, no errorType (as AWS records one).
    const slow = await invoke("debug", { n: 5, sleep: 3000 });
    const ended = platform(slow.lines);
    expect(ended.map((r) => r.type)).toEqual(["platform.start", "platform.runtimeDone", "platform.report"]);
    expect(ended[1]!.record).toEqual({ requestId: slow.id, status: "timeout", metrics: { durationMs: expect.any(Number), producedBytes: 0 } });
    expect(ended[2]!.record).toEqual({ requestId: slow.id, metrics: expect.objectContaining({ billedDurationMs: expect.any(Number) }), status: "timeout" });
  }, 30_000);

  it("at WARN only a failed invocation's platform.runtimeDone shows", async () => {
    const out = await invoke("warn", { n: 6, sleep: 3000 });
    expect(out.functionError).toBe("Unhandled");
    const records = platform(out.lines);
    expect(records.map((r) => r.type)).toEqual(["platform.runtimeDone"]);
    expect(records[0]!.record).toEqual({ requestId: out.id, status: "timeout", metrics: { durationMs: expect.any(Number), producedBytes: 0 } });
  }, 30_000);

  it("a function made through CreateFunction with LoggingConfig JSON logs the same way", async () => {
    const code = { ZipFile: await zipFiles([{ name: "index.mjs", data: SOURCE }]) };
    await lambda.send(new CreateFunctionCommand({ FunctionName: "api-json", Runtime: "nodejs24.x", Handler: "index.handler", Role: "arn:aws:iam::000000000000:role/r", Code: code, LoggingConfig: { LogFormat: "JSON" } }));
    await until(async () => (await invoke("api-json", { n: 7 }).then(() => true, () => false)));
    const { lines } = await invoke("api-json", { n: 8 });
    expect(platform(lines).map((r) => r.type)).toEqual(["platform.start", "platform.report"]);
  });

  it("`lambda-sim tail --logs` prints the records; a Text function keeps START, END and REPORT", { timeout: 120_000 }, async () => {
    const tail = startTail(["--endpoint", t.endpoint, "--logs"], children);
    await until(() => tail.err().includes("following"), 60_000);
    const json = await invoke("info", { n: 9 });
    const text = await invoke("text", { n: 10 });
    expect(text.lines.filter((l) => /^(START|END|REPORT) RequestId/.test(l)).map((l) => l.split(" ")[0])).toEqual(["START", "END", "REPORT"]);
    expect(platform(text.lines)).toEqual([]);
    await until(() => tail.out().includes(`REPORT RequestId: ${text.id}`), 30_000);
    const reportLine = tail.out().split("\n").find((l) => l.includes('"type":"platform.report"') && l.includes(json.id));
    expect(reportLine).toMatch(/^\d\d:\d\d:\d\d\.\d{3} \[info\] \{"time":"[^"]+","type":"platform\.report","record":\{"requestId":"/);
  });
});
