import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { CloudWatchLogsClient, FilterLogEventsCommand, GetLogEventsCommand, type FilteredLogEvent } from "@aws-sdk/client-cloudwatch-logs";
import { cloudwatchLogsSource } from "@lambda-sim/sources";
import { startTestSimulator, TelemetryRecorder, type TestSimulator } from "@lambda-sim/core/testing";
import { HAS_PYTHON } from "./support/python.ts";

/**
 * F7 (newuser7): output past 1 MiB per invocation was cut from CloudWatch Logs too, the lines
 * after it lost, and the console's "not shown" note came with the next invocation. CloudWatch Logs
 * now gets every byte, a line one event up to the 256 KB event quota; only the previews are budgeted.
 */
const codeDir = fileURLToPath(new URL("./fixtures/functions/output-flood/", import.meta.url));
const pyCodeDir = fileURLToPath(new URL("./fixtures/functions/output-flood-py/", import.meta.url));
const GROUP = "/aws/lambda/huge";
/** CloudWatch Logs' event quota: 256 KB counting 26 bytes of overhead. */
const MAX_MESSAGE_BYTES = 262_144 - 26;

let t: TestSimulator;
let lambda: LambdaClient;
let logs: CloudWatchLogsClient;
let recorder: TelemetryRecorder;

async function invoke(payload: unknown, functionName = "huge"): Promise<string> {
  const out = await lambda.send(new InvokeCommand({ FunctionName: functionName, Payload: JSON.stringify(payload) }));
  expect(out.FunctionError).toBeUndefined();
  // The request id, as the function's START line names it.
  const finished = recorder.of("invocation.finished");
  return finished[finished.length - 1]!.requestId;
}

/** The events of one invocation, START to REPORT, read with FilterLogEvents page by page. */
async function invocationEvents(requestId: string, logGroupName = GROUP): Promise<string[]> {
  const all: FilteredLogEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await logs.send(new FilterLogEventsCommand({ logGroupName, nextToken }));
    all.push(...page.events!);
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  const messages = all.map((e) => e.message!);
  const start = messages.findIndex((m) => m.startsWith(`START RequestId: ${requestId}`));
  const report = messages.findIndex((m) => m.startsWith(`REPORT RequestId: ${requestId}`));
  expect(start).toBeGreaterThanOrEqual(0);
  expect(report).toBeGreaterThan(start);
  return messages.slice(start, report + 1);
}

beforeAll(async () => {
  t = await startTestSimulator({
    functions: [
      { functionName: "huge", runtime: "nodejs24.x", handler: "index.handler", codeDir, timeout: 30, memorySize: 512 },
      ...(HAS_PYTHON ? [{ functionName: "huge-py", runtime: "python3.12", handler: "app.huge", codeDir: pyCodeDir, timeout: 30, memorySize: 512 }] : []),
    ],
    sources: [cloudwatchLogsSource],
  });
  recorder = new TelemetryRecorder(t.sim.telemetry);
  lambda = new LambdaClient({ ...t.clientConfig, maxAttempts: 1 });
  logs = new CloudWatchLogsClient(t.clientConfig);
});

afterAll(async () => {
  recorder?.dispose();
  lambda?.destroy();
  logs?.destroy();
  await t?.close();
});

describe("function output in CloudWatch Logs", () => {
  it("gets every byte of a 3 MB line and the line after it, in events of at most 256 KB; GetLogEvents reads the same", async () => {
    const id = await invoke({ n: 3_000_000 });
    const events = await invocationEvents(id);
    expect(events[events.length - 2]).toBe(`END RequestId: ${id}\n`);
    const output = events.slice(1, -2);
    for (const m of output) expect(Buffer.byteLength(m)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    // The long line: its record prefix, then 3,000,000 x's across full-size events.
    const after = output.pop()!;
    expect(after).toMatch(new RegExp(`^\\S+\\t${id}\\tINFO\\tafter\\n$`));
    expect(output.length).toBe(Math.ceil(Buffer.byteLength(output.join("")) / MAX_MESSAGE_BYTES));
    const joined = output.map((m) => m.slice(0, -1)).join("");
    expect(joined).toMatch(new RegExp(`^\\S+\\t${id}\\tINFO\\tx+$`));
    expect(joined.length - joined.indexOf("x")).toBe(3_000_000);
    for (const m of output.slice(0, -1)) expect(Buffer.byteLength(m)).toBe(MAX_MESSAGE_BYTES);
    // Nothing of lambda-sim's own: the console's note is not the function's output.
    expect(events.some((m) => m.includes("[lambda-sim]"))).toBe(false);

    // GetLogEvents on the environment's stream, from the head, has the same events.
    const stream = (await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, filterPattern: `"${id}"`, limit: 1 }))).events![0]!.logStreamName!;
    const read: string[] = [];
    let token: string | undefined;
    for (;;) {
      const page = await logs.send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: stream, startFromHead: true, nextToken: token }));
      read.push(...page.events!.map((e) => e.message!));
      if (page.nextForwardToken === token) break;
      token = page.nextForwardToken;
    }
    expect(read.slice(read.indexOf(events[0]!), read.indexOf(events[events.length - 1]!) + 1)).toEqual(events);
  });

  it.skipIf(!HAS_PYTHON)("has a Python handler's 3,000,000-character print and the print after it (skipped without python3)", async () => {
    const id = await invoke({ n: 3_000_000 }, "huge-py");
    const output = (await invocationEvents(id, "/aws/lambda/huge-py")).slice(1, -2);
    expect(output.pop()).toBe("after\n");
    for (const m of output) expect(Buffer.byteLength(m)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(output.map((m) => m.slice(0, -1)).join("")).toBe("x".repeat(3_000_000));
  });

  it("keeps a printed line up to 256 KB as one event, whatever the pipe reads", async () => {
    const id = await invoke({ raw: true, n: 200_000 });
    const output = (await invocationEvents(id)).slice(1, -2);
    expect(output.map((m) => m.length)).toEqual([200_001, 6, expect.any(Number)]);
    expect(output[0]).toBe(`${"x".repeat(200_000)}\n`);
    expect(output[1]).toBe("after\n");
    // 300,000 characters: one full event and the rest, not 65,537-character reads.
    const id2 = await invoke({ raw: true, n: 300_000 });
    const long = (await invocationEvents(id2)).slice(1, 3);
    expect(long.map((m) => m.length)).toEqual([MAX_MESSAGE_BYTES, 300_000 - (MAX_MESSAGE_BYTES - 1) + 1]);
  });

  it("answers after 40 to 140 lines of 1 KB, whatever part of them is still in Node's buffer when the handler returns", async () => {
    // Output that filled the pipe but not Node's buffer (its 'drain' never comes) once made the
    // runtime exit without answering: Runtime.ExitError for 60 and 80 lines (review15 F0).
    for (let lines = 40; lines <= 140; lines += 10) {
      const out = await lambda.send(new InvokeCommand({ FunctionName: "huge", Payload: JSON.stringify({ lines, width: 1000 }) }));
      expect({ lines, error: out.FunctionError, payload: Buffer.from(out.Payload!).toString() }).toEqual({ lines, error: undefined, payload: '"done"' });
    }
  });

  it("tells the previews what they were not shown at the END of the same invocation, not with the next", async () => {
    const before = recorder.events.length;
    const id = await invoke({ n: 2_000_000 });
    const logged = recorder.events.slice(before).filter((e) => e.type === "function.log");
    const note = logged.findIndex((e) => e.text.includes("[lambda-sim]"));
    expect(note).toBeGreaterThanOrEqual(0);
    expect(logged[note]).toMatchObject({ requestId: id, audience: "console" });
    expect(logged[note]!.text).toMatch(/^\[lambda-sim\] \d+ bytes of function output not shown here \(over 1048576 bytes per invocation\); CloudWatch Logs has them all\n$/);
    expect(logged[note + 1]!.text).toBe(`END RequestId: ${id}\n`);
    // The previews saw at most the budget and one line more: a line is never cut for them.
    const shown = logged.slice(0, note).filter((e) => e.audience === undefined && !e.text.startsWith("START"));
    expect(shown.reduce((n, e) => n + Buffer.byteLength(e.text), 0)).toBeLessThanOrEqual(1024 * 1024 + MAX_MESSAGE_BYTES);
    // A subscriber that did not ask for every byte never sees the output past the budget.
    expect(logged.some((e) => e.audience === "logs")).toBe(false);
    // The next invocation starts afresh: no note of the last one's.
    const before2 = recorder.events.length;
    await invoke({ lines: 3, width: 10 });
    expect(recorder.events.slice(before2).some((e) => e.type === "function.log" && e.text.includes("[lambda-sim]"))).toBe(false);
  });
});

describe("a log group's byte cap (logs.maxBytesPerGroup)", () => {
  it("keeps the newest events of a function that prints more than the cap, and no more than a tenth over it", async () => {
    const small = await startTestSimulator({
      functions: [{ functionName: "huge", runtime: "nodejs24.x", handler: "index.handler", codeDir, timeout: 30, memorySize: 512 }],
      sources: [cloudwatchLogsSource],
      sourceConfig: { logs: { maxBytesPerGroup: 1024 * 1024 } },
    });
    const client = new LambdaClient({ ...small.clientConfig, maxAttempts: 1 });
    const cw = new CloudWatchLogsClient(small.clientConfig);
    try {
      for (let i = 0; i < 2; i++) expect((await client.send(new InvokeCommand({ FunctionName: "huge", Payload: JSON.stringify({ n: 3_000_000 }) }))).FunctionError).toBeUndefined();
      const messages: string[] = [];
      let nextToken: string | undefined;
      do {
        const page = await cw.send(new FilterLogEventsCommand({ logGroupName: GROUP, nextToken }));
        messages.push(...page.events!.map((e) => e.message!));
        nextToken = page.nextToken;
      } while (nextToken !== undefined);
      const size = messages.reduce((n, m) => n + m.length, 0);
      expect(size).toBeLessThanOrEqual(1.1 * 1024 * 1024);
      expect(messages[messages.length - 1]).toMatch(/^REPORT RequestId: /);
      expect(messages.some((m) => /\tINFO\tafter\n$/.test(m))).toBe(true);
    } finally {
      client.destroy();
      cw.destroy();
      await small.close();
    }
  });
});
