import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { InvokeCommand, LambdaClient, TooManyRequestsException } from "@aws-sdk/client-lambda";
import { CloudWatchLogsClient, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import type { FunctionDefinition } from "@lambda-sim/core";
import { TelemetryRecorder, type TestSimulator } from "@lambda-sim/core/testing";
import { cloudwatchLogsSource } from "@lambda-sim/sources";
import { perTestSimulator } from "./support/per-test-simulator.ts";
import { until } from "./support/until.ts";

/**
 * What the logs say of an invocation a fault answered (newuser14 F19): an injected function error
 * reaches an environment, as a failing function does on AWS, so its log has START, the runtime's
 * error line, END and REPORT with the environment's figures (aws-facts §2.5), in the Tail, the
 * invocation's story and CloudWatch Logs; a throttle never reaches the function, so nothing.
 */
const node = (name: string, extra: Partial<FunctionDefinition> = {}): FunctionDefinition => ({
  functionName: name,
  runtime: "nodejs24.x",
  handler: "index.echo",
  codeDir: fileURLToPath(new URL("./fixtures/functions/node-basic/", import.meta.url)),
  timeout: 5,
  ...extra,
});
const python: FunctionDefinition = {
  functionName: "py",
  runtime: "python3.12",
  handler: "app.echo",
  codeDir: fileURLToPath(new URL("./fixtures/functions/python-basic/", import.meta.url)),
  timeout: 5,
};

const sims = perTestSimulator();
let t: TestSimulator;
let lambda: LambdaClient;
let logs: CloudWatchLogsClient;
afterEach(() => {
  lambda?.destroy();
  logs?.destroy();
});

async function start(functions: FunctionDefinition[], faults: unknown[]) {
  t = await sims.start({ functions, faults, sources: [cloudwatchLogsSource] });
  lambda = new LambdaClient({ ...t.clientConfig, maxAttempts: 1 });
  logs = new CloudWatchLogsClient(t.clientConfig);
}

/** Invokes with LogType Tail: the function error, the request id and the log's last 4 KB. */
async function invokeTail(name: string) {
  const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from('{"n":1}'), LogType: "Tail" }));
  return { functionError: out.FunctionError, requestId: out.$metadata.requestId!, log: Buffer.from(out.LogResult ?? "", "base64").toString("utf8") };
}

const REPORT = (id: string) => new RegExp(`^REPORT RequestId: ${id}\\tDuration: \\d+\\.\\d\\d ms\\tBilled Duration: (\\d+) ms\\tMemory Size: 128 MB\\tMax Memory Used: (\\d+) MB\\t`, "m");

describe("an injected function error's log", () => {
  it("has START, the Node runtime's Invoke Error line, END and a REPORT with the environment's figures, Init Duration on a cold start", async () => {
    await start([node("orders")], [{ kind: "error", function: "orders", nth: [1, 3], errorType: "PaymentDeclined", errorMessage: "card refused" }]);
    const cold = await invokeTail("orders");
    expect(cold.functionError).toBe("Unhandled");
    const lines = cold.log.split("\n").filter((l) => l !== "");
    expect(lines[0]).toBe(`START RequestId: ${cold.requestId} Version: $LATEST`);
    expect(lines[1]).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\t${cold.requestId}\\tERROR\\tInvoke Error \\t\\{"errorType":"PaymentDeclined","errorMessage":"card refused","stack":\\[\\]\\}$`));
    expect(lines[2]).toBe(`END RequestId: ${cold.requestId}`);
    expect(lines[3]).toMatch(REPORT(cold.requestId));
    // A cold start: the environment's Init is in the REPORT, and billed (aws-facts §2.5, since Aug 2025).
    expect(lines[3]).toMatch(/\tInit Duration: \d+\.\d\d ms\t$/);
    // The Node process's own reading, not a placeholder (the runtime alone uses tens of MB).
    expect(Number(lines[3]!.match(REPORT(cold.requestId))![2])).toBeGreaterThan(10);

    // The environment stays warm: the next (handled) invocation is warm in the same environment, and so is the next fault.
    const ok = await invokeTail("orders");
    expect(ok.functionError).toBeUndefined();
    const warm = await invokeTail("orders");
    expect(warm.functionError).toBe("Unhandled");
    expect(warm.log).toMatch(REPORT(warm.requestId));
    expect(warm.log).not.toContain("Init Duration");

    // The invocation's story and CloudWatch Logs have the same lines.
    await until(async () => ((await (await fetch(`${t.endpoint}/_sim/invocations/${warm.requestId}`)).json()) as { logs?: string[] }).logs?.some((l) => l.startsWith("REPORT")) === true);
    const story = (await (await fetch(`${t.endpoint}/_sim/invocations/${warm.requestId}`)).json()) as { logs: string[]; coldStart: boolean; environmentId: string };
    expect(story.logs.join("")).toMatch(new RegExp(`^START RequestId: ${warm.requestId} Version: \\$LATEST\\n.*\\tERROR\\tInvoke Error \\t.*\\nEND RequestId: ${warm.requestId}\\nREPORT RequestId: ${warm.requestId}\\t`));
    expect(story.environmentId).not.toBe("fault-injected");
    const events = async () => (await logs.send(new FilterLogEventsCommand({ logGroupName: "/aws/lambda/orders", filterPattern: `"${warm.requestId}"` }))).events ?? [];
    await until(async () => (await events()).some((e) => e.message!.startsWith("REPORT")));
    expect((await events()).map((e) => e.message!.split("\t")[0]!.split(" ")[0])).toEqual(["START", expect.stringMatching(/^\d{4}-/), "END", "REPORT"]);
  });

  it("has the Python runtime's [ERROR] line", async () => {
    await start([python], [{ kind: "error", function: "py", errorType: "PaymentDeclined", errorMessage: "card refused" }]);
    const out = await invokeTail("py");
    expect(out.functionError).toBe("Unhandled");
    expect(out.log).toContain(`START RequestId: ${out.requestId} Version: $LATEST\n[ERROR] PaymentDeclined: card refused\rTraceback (most recent call last):\nEND RequestId: ${out.requestId}\n`);
    expect(out.log).toMatch(REPORT(out.requestId));
  });

  it("has no runtime line for a provided.* runtime (the user's own program), START, END and REPORT still", async () => {
    const bash: FunctionDefinition = { functionName: "bash", runtime: "provided.al2023", handler: "function.handler", codeDir: fileURLToPath(new URL("./fixtures/functions/provided-bash/", import.meta.url)), timeout: 5 };
    await start([bash], [{ kind: "error", function: "bash", errorType: "PaymentDeclined" }]);
    const out = await invokeTail("bash");
    expect(out.functionError).toBe("Unhandled");
    expect(out.log).toMatch(new RegExp(`^START RequestId: ${out.requestId} Version: \\$LATEST\nEND RequestId: ${out.requestId}\nREPORT RequestId: ${out.requestId}\t`, "m"));
  });

  it("writes JSON records with a JSON LoggingConfig", async () => {
    await start([node("orders", { loggingConfig: { logFormat: "JSON" } })], [{ kind: "error", function: "orders", errorType: "PaymentDeclined", errorMessage: "card refused" }]);
    const out = await invokeTail("orders");
    const records = out.log.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as Record<string, any>);
    expect(records.map((r) => r.type ?? r.level)).toEqual(["platform.initStart", "platform.start", "ERROR", "platform.runtimeDone", "platform.report"]);
    expect(records[2]).toMatchObject({ level: "ERROR", requestId: out.requestId, message: { errorType: "PaymentDeclined", errorMessage: "card refused", stackTrace: [] } });
    // runtimeDone at WARN, as for any failed invocation (platform-log.ts).
    expect(records[3]!.record).toMatchObject({ requestId: out.requestId, status: "error", errorType: "Runtime.Unknown" });
    expect(records[4]!.record).toMatchObject({ requestId: out.requestId, status: "error", errorType: "Runtime.Unknown" });
  });
});

describe("the injected faults that happen to the process", () => {
  it("end in a REPORT whose Status and Error Type say what happened (timeout, crash), with START and END, as a real failure's", async () => {
    await start([node("orders", { timeout: 1 })], [
      { kind: "crash", function: "orders", nth: 1 },
      { kind: "timeout", function: "orders", nth: 2 },
    ]);
    const crashed = await invokeTail("orders");
    expect(crashed.log).toContain(`START RequestId: ${crashed.requestId} Version: $LATEST\n`);
    expect(crashed.log).toContain(`END RequestId: ${crashed.requestId}\n`);
    expect(crashed.log).toMatch(new RegExp(`REPORT RequestId: ${crashed.requestId}\t.*\tStatus: error\tError Type: Runtime.ExitError`));
    const timedOut = await invokeTail("orders");
    expect(timedOut.log).toMatch(new RegExp(`REPORT RequestId: ${timedOut.requestId}\tDuration: 1\\d\\d\\d\\.\\d\\d ms\t.*\tStatus: timeout`));
  });
});

describe("an injected throttle", () => {
  it("never reaches the function: no log line at all", async () => {
    await start([node("orders")], [{ kind: "throttle", function: "orders", reason: "ReservedFunctionConcurrentInvocationLimitExceeded" }]);
    const seen = new TelemetryRecorder(t.sim.telemetry);
    await expect(lambda.send(new InvokeCommand({ FunctionName: "orders", Payload: Buffer.from("{}") }))).rejects.toBeInstanceOf(TooManyRequestsException);
    t.sim.telemetry.flush();
    expect(seen.of("invocation.throttled")).toHaveLength(1);
    expect(seen.of("function.log")).toEqual([]);
    expect(seen.of("invocation.started")).toEqual([]);
    seen.dispose();
  });
});
