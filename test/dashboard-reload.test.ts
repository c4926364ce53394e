import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { KinesisClient, PutRecordCommand } from "@aws-sdk/client-kinesis";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { GetQueueUrlCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { chromiumSkip as skip, dashboardPages, shows, text } from "./support/dashboard-page.ts";
import { startLambdaSim } from "./support/lambda-sim-process.ts";
import { until } from "./support/until.ts";

/**
 * The dashboard as a workshop's late arrival (or a reload) sees it, in Debian's chromium, beside
 * a page that watched from the start: the mappings' counts, the async events that finished, a
 * stalled stream shard's consumer and iterator age, and a spent one-time schedule. On the virtual
 * clock, so nothing moves between the two looks but what the test moves.
 */
const HANDLERS = fileURLToPath(new URL("./fixtures/functions/http-handlers/", import.meta.url));
const openPage = dashboardPages();
const credentials = { accessKeyId: "x", secretAccessKey: "x" };

/** `at()` of a time `minutes` ahead of now (service time starts at the wall time), in UTC. */
const atMinutesAhead = (minutes: number) => `at(${new Date(Date.now() + minutes * 60_000).toISOString().slice(0, 19)})`;

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), "dashboard-reload-"));
  const code = JSON.stringify(HANDLERS);
  writeFileSync(
    join(dir, "lambda-sim.yaml"),
    [
      "functions:",
      `  ok: { runtime: nodejs24.x, handler: index.noop, codeUri: ${code} }`,
      `  fail: { runtime: nodejs24.x, handler: index.fail, codeUri: ${code}, eventInvokeConfig: { maximumRetryAttempts: 0 } }`,
      "  never: { runtime: model, handler: x, codeUri: ., reservedConcurrency: 0, model: { durationMs: 1 } }",
      "queues:",
      "  jobs: { visibilityTimeout: 30 }",
      "  held: { visibilityTimeout: 30 }",
      "  poison-failed: {}",
      "streams:",
      "  clicks: { shardCount: 1 }",
      "  poison: { shardCount: 2 }",
      "eventSourceMappings:",
      "  - { functionName: fail, eventSourceArn: sqs:jobs, batchSize: 1 }",
      "  - { functionName: never, eventSourceArn: sqs:held, batchSize: 1 }",
      "  - { functionName: fail, eventSourceArn: kinesis:clicks, startingPosition: TRIM_HORIZON }",
      "  - { functionName: fail, eventSourceArn: kinesis:poison, startingPosition: TRIM_HORIZON, maximumRetryAttempts: 1, destinationConfig: { onFailure: { destination: sqs:poison-failed } } }",
      "schedules:",
      `  once: { scheduleExpression: "${atMinutesAhead(5)}", target: { arn: lambda:ok } }`,
      "",
    ].join("\n"),
  );
  return join(dir, "lambda-sim.yaml");
}

/** The mapping table's rows by their source: lanes, batches, last size, errors, partial, throttled, returned to source. */
async function mappingRows(page: Page): Promise<Record<string, string[]>> {
  const rows = await page.locator("#sources tr[data-mapping]").evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent!.trim())));
  return Object.fromEntries(rows.map(([head, ...cells]) => [head!.split(" ")[0]!, cells]));
}

/** The iterator age of the stream's shard, in minutes, as the page shows it. */
async function ageMinutes(page: Page): Promise<number> {
  const age = await text(page, `#sources tr[data-shard="clicks shardId-000000000000"] .age`);
  const m = /^(\d+(?:\.\d)?) min$/.exec(age);
  if (m === null) throw new Error(`iterator age ${age}`);
  return Number(m[1]);
}

describe("the dashboard opened late", () => {
  it.skipIf(skip !== undefined)(`shows the counts, finished async events, stalled shard and spent schedule a page open from the start shows${skip ? ` (${skip})` : ""}`, { timeout: 240_000 }, async () => {
    const sim = await startLambdaSim(["--config", project(), "--in-memory", "--clock", "virtual"]);
    const config = { endpoint: sim.endpoint, region: "us-east-1", credentials };
    const errors: string[] = [];
    const early = await openPage(`${sim.endpoint}/_sim/ui`, errors);
    await shows(early, "#status", /live/);
    await shows(early, "#clock-mode", /^virtual$/);

    const sqs = new SQSClient(config);
    const lambda = new LambdaClient(config);
    const kinesis = new KinesisClient(config);
    for (const q of ["jobs", "held"]) {
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: q }));
      for (const body of ["a", "b"]) await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));
    }
    await kinesis.send(new PutRecordCommand({ StreamName: "clicks", PartitionKey: "k", Data: Buffer.from("poison") }));
    const { ShardId: poisoned } = await kinesis.send(new PutRecordCommand({ StreamName: "poison", PartitionKey: "k", Data: Buffer.from("poison") }));
    const asyncIds: string[] = [];
    for (const fn of ["ok", "ok", "ok", "fail"]) asyncIds.push((await lambda.send(new InvokeCommand({ FunctionName: fn, InvocationType: "Event" }))).$metadata.requestId!);
    for (const id of asyncIds) await shows(early, `#async tr[data-request-id="${id}"]`, /ok.*success|fail.*dropped/, 60_000);

    // Ten minutes of service time: the failing messages come back every 30 s, the shard's batch is
    // retried (backed off 1 s ... 60 s), the one-time schedule fires at its minute.
    const advance = (seconds: number) => fetch(`${sim.endpoint}/_sim/clock/advance`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ seconds }) }).then((r) => expect(r.status).toBe(200));
    await advance(600);
    await shows(early, `#sources tr[data-schedule="once"] .next-fire`, /will not fire again.*last fired/);

    const late = await openPage(`${sim.endpoint}/_sim/ui`, errors);
    await shows(late, "#status", /live/);
    // Every column since the simulator started, on both pages (the early one samples the server's counts too).
    await until(async () => JSON.stringify(await mappingRows(late)) === JSON.stringify(await mappingRows(early)) && Object.keys(await mappingRows(late)).length === 4, 30_000).catch(async (e: Error) => {
      throw new Error(`late ${JSON.stringify(await mappingRows(late))}\nearly ${JSON.stringify(await mappingRows(early))}\n${e.message}`);
    });
    const rows = await mappingRows(late);
    const column = (source: string, i: number) => Number.parseInt(rows[source]![i]!, 10);
    const [ERRORS, PARTIAL, THROTTLED, RETURNED] = [3, 4, 5, 6];
    expect(column("sqs:jobs", ERRORS), rows["sqs:jobs"]!.join(" | ")).toBeGreaterThanOrEqual(4);
    expect([column("sqs:held", ERRORS), column("sqs:held", PARTIAL)]).toEqual([0, 0]);
    expect(column("sqs:held", THROTTLED), "throttled batches").toBeGreaterThanOrEqual(2);
    expect(column("sqs:held", RETURNED), "records returned to the queue").toBeGreaterThanOrEqual(2);
    expect(column("kinesis:clicks", ERRORS), rows["kinesis:clicks"]!.join(" | ")).toBeGreaterThanOrEqual(5);

    // The function's throttles too: since the start, with their reason and who hit them.
    const throttle = `#functions [data-function="never"] .throttle`;
    await shows(late, throttle, /^throttled \d+× — ReservedFunctionConcurrentInvocationLimitExceeded \(by sqs:held\)$/);
    expect(await text(late, throttle)).toBe(await text(early, throttle));
    expect(Number(/throttled (\d+)×/.exec(await text(late, throttle))![1])).toBe(column("sqs:held", THROTTLED));

    // The async events that finished before the page opened, the schedule's fire among them.
    for (const id of asyncIds) await shows(late, `#async tr[data-request-id="${id}"]`, /ok.*success|fail.*dropped/);
    expect(await late.locator("#async tr[data-request-id]").count()).toBe(5);

    // The stalled shard: its consumer, retrying, and the age of the record it is held on (ten minutes).
    const shard = `#sources tr[data-shard="clicks shardId-000000000000"]`;
    await shows(late, `${shard} .consumer`, /fail retrying \(last batch failed\)/);
    expect(await ageMinutes(late)).toBeGreaterThanOrEqual(9.9);
    expect(await ageMinutes(late)).toBe(await ageMinutes(early));
    // It grows with service time, whether or not a retry ran meanwhile.
    const before = await ageMinutes(late);
    await advance(30);
    await until(async () => (await ageMinutes(late)) >= before + 0.4, 15_000);
    expect(await ageMinutes(late)).toBeLessThanOrEqual(before + 0.6);

    // The shard that gave its batch up (one retry, then OnFailure): how many batches and records went
    // where, its last failure, and read to its end; the other shard of that stream never had a record.
    const other = ["shardId-000000000000", "shardId-000000000001"].find((id) => id !== poisoned)!;
    for (const page of [early, late]) {
      const row = `#sources tr[data-shard="poison ${poisoned}"]`;
      await shows(page, `${row} .given-up`, /^1 batch, 1 record → sqs:poison-failed\s*RetryAttemptsExhausted · last failure \d\d:\d\d:\d\d, [\d.]+ min ago$/);
      await shows(page, `${row} .age`, /^caught up$/);
      expect(await text(page, `${row} .consumer`)).toBe("fail");
      await shows(page, `#sources tr[data-shard="poison ${other}"] .consumer`, /^fail no batch yet$/);
      expect(await text(page, `#sources tr[data-shard="poison ${other}"] .given-up`)).toBe("—");
    }

    await shows(late, `#sources tr[data-schedule="once"] .next-fire`, /will not fire again.*last fired/);
    expect(errors).toEqual([]);
    for (const c of [sqs, lambda, kinesis]) c.destroy();
  });
});
