import { execFile, spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  InvalidParameterException,
  ResourceNotFoundException,
} from "@aws-sdk/client-cloudwatch-logs";
import { cloudwatchLogsSource } from "@lambda-sim/sources";
import { startTestSimulator, type TestSimulator } from "@lambda-sim/core/testing";
import { until } from "./support/until.ts";
import { awsClientEnv } from "./support/aws-client-env.ts";

/**
 * CloudWatch Logs as a user reads their function's logs: the SDK's four read operations and
 * Debian's `aws logs tail` against a simulator whose function ran.
 */
const run = promisify(execFile);
const codeDir = fileURLToPath(new URL("./fixtures/functions/cloudwatch/", import.meta.url));
const GROUP = "/aws/lambda/orders";
/** Debian's awscli 2.9 (`aws logs tail`); a pip-installed aws earlier on PATH may lack it. */
const AWS = process.env.AWS_CLI ?? "/usr/bin/aws";
const hasAwsCli = spawnSync(AWS, ["--version"], { stdio: "ignore" }).status === 0;

/** A CLI process's environment: fake credentials, no user configuration. */
const cliEnv = () => awsClientEnv();

let t: TestSimulator;
let lambda: LambdaClient;
let logs: CloudWatchLogsClient;

const invoke = (payload: unknown) => lambda.send(new InvokeCommand({ FunctionName: "orders", Payload: JSON.stringify(payload) }));

beforeAll(async () => {
  t = await startTestSimulator({
    functions: [{ functionName: "orders", runtime: "nodejs24.x", handler: "index.handler", codeDir, timeout: 5 }],
    sources: [cloudwatchLogsSource],
    sourceConfig: { logs: { maxEventsPerGroup: 40 } },
  });
  lambda = new LambdaClient(t.clientConfig);
  logs = new CloudWatchLogsClient(t.clientConfig);
  await invoke({ id: 1, latency: 250 });
  await invoke({ id: 2, level: "error", fail: true });
});

afterAll(async () => {
  lambda?.destroy();
  logs?.destroy();
  await t?.close();
});

describe("CloudWatch Logs for function logs", () => {
  it("has the function's group with one stream per environment, named as AWS names them", async () => {
    const groups = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/aws/lambda/" }));
    expect(groups.logGroups?.map((g) => g.logGroupName)).toEqual([GROUP]);
    expect(groups.logGroups?.[0]?.arn).toBe(`arn:aws:logs:us-east-1:000000000000:log-group:${GROUP}:*`);
    const streams = await logs.send(new DescribeLogStreamsCommand({ logGroupName: GROUP, orderBy: "LastEventTime", descending: true }));
    expect(streams.logStreams).toHaveLength(1);
    expect(streams.logStreams![0]!.logStreamName).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(streams.logStreams![0]!.lastEventTimestamp).toBeGreaterThanOrEqual(streams.logStreams![0]!.firstEventTimestamp!);
  });

  it("GetLogEvents returns START, the function's lines, END and REPORT, and pages with tokens", async () => {
    const stream = (await logs.send(new DescribeLogStreamsCommand({ logGroupName: GROUP }))).logStreams![0]!.logStreamName!;
    const all = await logs.send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: stream, startFromHead: true }));
    const messages = all.events!.map((e) => e.message!);
    expect(messages[0]).toMatch(/^START RequestId: [0-9a-f-]{36} Version: \$LATEST\n$/);
    expect(messages.some((m) => m.includes("order 1 accepted"))).toBe(true);
    expect(messages.some((m) => /^END RequestId: /.test(m))).toBe(true);
    expect(messages.filter((m) => m.startsWith("REPORT RequestId: "))).toHaveLength(2);
    for (const e of all.events!) expect(e.timestamp).toBeGreaterThan(0);

    // Two at a time from the end, then backwards to the start; the last page repeats its token.
    const tail = await logs.send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: stream, limit: 2 }));
    expect(tail.events!.map((e) => e.message)).toEqual(messages.slice(-2));
    expect(tail.nextBackwardToken).toMatch(/^b\/\d{56}$/);
    const seen = [...tail.events!];
    let token = tail.nextBackwardToken;
    for (;;) {
      const page = await logs.send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: stream, limit: 2, nextToken: token }));
      if (page.events!.length === 0) {
        expect(page.nextBackwardToken).toBe(token);
        break;
      }
      seen.unshift(...page.events!);
      token = page.nextBackwardToken;
    }
    expect(seen.map((e) => e.message)).toEqual(messages);
    const forward = await logs.send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: stream, nextToken: tail.nextForwardToken }));
    expect(forward.events).toEqual([]);
    expect(forward.nextForwardToken).toBe(tail.nextForwardToken);
  });

  it("FilterLogEvents matches terms, quoted phrases, ? alternatives, - exclusions and JSON", async () => {
    const filter = async (filterPattern: string) =>
      (await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, filterPattern }))).events!.map((e) => e.message!.trim());
    expect(await filter("order accepted")).toEqual([expect.stringContaining("order 1 accepted"), expect.stringContaining("order 2 accepted")]);
    expect(await filter('"order 2 accepted"')).toEqual([expect.stringContaining("order 2 accepted")]);
    expect((await filter("?START ?END")).length).toBe(4);
    expect(await filter('accepted -"order 2"')).toEqual([expect.stringContaining("order 1 accepted")]);
    expect(await filter('{ $.level = "error" }')).toEqual([expect.stringContaining('"id":2')]);
    expect(await filter("{ $.latency > 100 && $.id = 1 }")).toEqual([expect.stringContaining('"latency":250')]);
    expect((await filter("{ $.level = err* || $.latency < 0 }")).length).toBe(1);
    const events = (await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, filterPattern: "START" }))).events!;
    expect(events[0]!.logStreamName).toMatch(/\[\$LATEST\]/);
    expect(events[0]!.eventId).toMatch(/^\d{56}$/);
  });

  it("answers AWS's errors for a missing group or stream and a bad pattern", async () => {
    await expect(logs.send(new DescribeLogStreamsCommand({ logGroupName: "/aws/lambda/nope" }))).rejects.toThrow(ResourceNotFoundException);
    await expect(logs.send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: "nope" }))).rejects.toThrow("The specified log stream does not exist.");
    await expect(logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, filterPattern: "{ $.a = }" }))).rejects.toThrow(InvalidParameterException);
    const stream = (await logs.send(new DescribeLogStreamsCommand({ logGroupName: GROUP }))).logStreams![0]!.logStreamName!;
    await expect(logs.send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: stream, nextToken: "junk" }))).rejects.toThrow("The specified nextToken is invalid.");
  });

  it("keeps at most maxEventsPerGroup events, dropping the oldest", async () => {
    for (let i = 3; i < 12; i++) await invoke({ id: i });
    const events = (await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP }))).events!;
    expect(events).toHaveLength(40);
    expect(events.some((e) => e.message!.includes("order 1 accepted"))).toBe(false);
    expect(events.some((e) => e.message!.includes("order 11 accepted"))).toBe(true);
  });

  it.skipIf(!hasAwsCli)(`Debian's aws logs tail --follow prints lines logged after it started${hasAwsCli ? "" : " (skipped: no aws CLI here)"}`, async () => {
    // Unbuffered: into a pipe, Python would hold the lines until it exits.
    const child = spawn(AWS, ["logs", "tail", GROUP, "--follow", "--endpoint-url", t.endpoint, "--format", "short"], { env: { ...cliEnv(), PYTHONUNBUFFERED: "1" }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (b: Buffer) => (out += b.toString()));
    child.stderr.on("data", (b: Buffer) => (out += b.toString()));
    try {
      await until(() => out.includes("REPORT RequestId: "), 60_000);
      await invoke({ id: 99 });
      // The CLI polls FilterLogEvents every 5 s from the newest timestamp it has seen.
      await until(() => out.includes("order 99 accepted"), 60_000);
      // Events it has seen are not printed again (eventIds are stable).
      await until(() => out.split("REPORT RequestId: ").length > 2, 60_000);
      expect(out.split("order 99 accepted").length).toBe(2);
    } finally {
      child.kill();
    }
  }, 120_000);

  it.skipIf(!hasAwsCli)(`Debian's aws logs tail prints the function's lines${hasAwsCli ? "" : " (skipped: no aws CLI here)"}`, async () => {
    const env = cliEnv();
    let out = "";
    await until(async () => {
      out = (await run(AWS, ["logs", "tail", GROUP, "--endpoint-url", t.endpoint, "--format", "short"], { env, timeout: 30_000 })).stdout;
      return out.includes("order 11 accepted");
    }, 60_000);
    expect(out).toMatch(/REPORT RequestId: /);
  }, 90_000);
});
