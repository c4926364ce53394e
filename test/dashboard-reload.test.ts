import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { KinesisClient, PutRecordCommand } from "@aws-sdk/client-kinesis";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { GetQueueUrlCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { WebSocket } from "ws";
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

/** The mapping table's rows by their source: concurrent batches, batches, last size, errors, batch item failures, throttled, throttled records. */
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
    const [ERRORS, PARTIAL, THROTTLED, THROTTLED_RECORDS] = [3, 4, 5, 6];
    expect(column("sqs:jobs", ERRORS), rows["sqs:jobs"]!.join(" | ")).toBeGreaterThanOrEqual(4);
    expect([column("sqs:held", ERRORS), column("sqs:held", PARTIAL)]).toEqual([0, 0]);
    expect(column("sqs:held", THROTTLED), "throttled batches").toBeGreaterThanOrEqual(2);
    expect(column("sqs:held", THROTTLED_RECORDS), "records of throttled batches").toBeGreaterThanOrEqual(2);
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

/** Where the reload and restart tests leave their 1280x720 screenshots when DASHBOARD_SHOTS names a directory. */
const SHOTS = process.env.DASHBOARD_SHOTS;
async function shot(page: Page, name: string): Promise<void> {
  if (SHOTS === undefined) return;
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
  await page.screenshot({ path: join(SHOTS, `${name}-full.png`), fullPage: true });
}

function workshop(): string {
  const dir = mkdtempSync(join(tmpdir(), "dashboard-reload-workshop-"));
  const code = JSON.stringify(HANDLERS);
  writeFileSync(
    join(dir, "lambda-sim.yaml"),
    [
      "functions:",
      `  ok: { runtime: nodejs24.x, handler: index.noop, codeUri: ${code} }`,
      `  busy: { runtime: nodejs24.x, handler: index.noop, codeUri: ${code} }`,
      `  consume: { runtime: nodejs24.x, handler: index.fail, codeUri: ${code} }`,
      "queues:",
      "  orders: { visibilityTimeout: 10, redrivePolicy: { deadLetterTargetArn: sqs:orders-dlq, maxReceiveCount: 2 } }",
      "  orders-dlq: {}",
      "  held: {}",
      "eventSourceMappings:",
      "  - { functionName: consume, eventSourceArn: sqs:orders, batchSize: 1 }",
      "",
    ].join("\n"),
  );
  return join(dir, "lambda-sim.yaml");
}

/** What a teacher reads off the page: the DLQ list, each lane's chips, the invocation list, a queue's curve. */
async function picture(page: Page): Promise<{ dlq: string[]; chips: Record<string, string>; invocations: string[]; curve: number }> {
  const dlq = await page.locator("#sources tr.dlq-move").allTextContents();
  const chips = Object.fromEntries(await page.locator("#functions .lane").evaluateAll((lanes) => lanes.map((l) => [l.getAttribute("data-env-id")!, l.querySelector(".chips")!.textContent!.trim()])));
  const invocations = await page.locator("#invocations tr.invocation").allTextContents();
  // The distinct heights of the held queue's `visible` curve: 1 is a flat line, 0 no curve.
  const points = await page.locator(`#sources tr[data-queue="held"] svg polyline`).first().getAttribute("points").catch(() => null);
  const curve = new Set((points ?? "").split(" ").filter(Boolean).map((p) => p.split(",")[1])).size;
  return { dlq, chips, invocations: invocations.map((t) => t.replace(/\s+/g, " ").trim()), curve };
}

/** The `visible` counts the server sampled for `queue`, as a page that connects now gets them (its snapshot's queue curves). */
async function serverCurve(endpoint: string, queue: string): Promise<number[]> {
  const ws = new WebSocket(`${endpoint.replace("http", "ws")}/_sim/events`);
  try {
    return await new Promise((resolve, reject) => {
      ws.on("message", (data) => {
        const f = JSON.parse(String(data)) as { kind: string; views?: { queueCurves?: Record<string, [number, number, number, number][]> } };
        if (f.kind === "snapshot") resolve((f.views?.queueCurves?.[queue] ?? []).map(([, visible]) => visible));
      });
      ws.once("error", reject);
    });
  } finally {
    ws.close();
  }
}

/** The picture once it has not changed for 400 ms (the page draws at most every 120 ms), the curve aside (it moves every second). */
async function settled(page: Page): Promise<Awaited<ReturnType<typeof picture>>> {
  let last = await picture(page);
  let since = Date.now();
  await until(async () => {
    const next = await picture(page);
    if (JSON.stringify({ ...next, curve: 0 }) !== JSON.stringify({ ...last, curve: 0 })) since = Date.now();
    last = next;
    return Date.now() - since >= 400;
  });
  return last;
}

describe("the dashboard reloaded", () => {
  it.skipIf(skip !== undefined)(`shows the DLQ moves, lanes' chips, invocation list and queue curves it showed before${skip ? ` (${skip})` : ""}`, { timeout: 240_000 }, async () => {
    const sim = await startLambdaSim(["--config", workshop(), "--in-memory", "--clock", "virtual"]);
    const config = { endpoint: sim.endpoint, region: "us-east-1", credentials };
    const errors: string[] = [];
    const page = await openPage(`${sim.endpoint}/_sim/ui`, errors);
    await shows(page, "#status", /live/);
    const sqs = new SQSClient(config);
    const lambda = new LambdaClient(config);
    const advance = (seconds: number) => fetch(`${sim.endpoint}/_sim/clock/advance`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ seconds }) }).then((r) => expect(r.status).toBe(200));

    // Poison orders: each received twice (10 s apart), then moved to the DLQ.
    const { QueueUrl: orders } = await sqs.send(new GetQueueUrlCommand({ QueueName: "orders" }));
    for (const body of ["1", "2", "3"]) await sqs.send(new SendMessageCommand({ QueueUrl: orders, MessageBody: body }));
    for (let i = 0; i < 3; i++) await advance(11);
    await shows(page, "#sources tr[data-queue=orders] .moved", /^3$/, 60_000);
    // A queue filling in steps (its curve), a burst of `ok` (its lanes and their chips)...
    const { QueueUrl: held } = await sqs.send(new GetQueueUrlCommand({ QueueName: "held" }));
    for (let step = 1; step <= 3; step++) {
      for (let i = 0; i < 4; i++) await sqs.send(new SendMessageCommand({ QueueUrl: held, MessageBody: `m${i}` }));
      // The page shows a queue's depth from its samples (one a wall second), each a point of its
      // curve; the server samples on its own second, for the curve a reloaded page draws. Each step
      // is in both before the next.
      await shows(page, `#sources tr[data-queue="held"] .visible`, new RegExp(`^${step * 4}$`));
      await until(async () => (await serverCurve(sim.endpoint, "held")).includes(step * 4), 15_000);
    }
    await Promise.all([1, 2, 3, 4].map(() => lambda.send(new InvokeCommand({ FunctionName: "ok" }))));
    // ... then enough of another function's invocations (and clock advances) to use up the snapshot's last 300 events.
    for (let i = 0; i < 90; i++) await lambda.send(new InvokeCommand({ FunctionName: "busy" }));
    for (let i = 0; i < 20; i++) await advance(1);
    await until(async () => (await picture(page)).invocations.length === 20 && (await picture(page)).dlq.length === 3);
    const before = await settled(page);
    expect(before.curve, "the page drew the queue filling").toBeGreaterThan(2);
    await shot(page, "reload-1-before");

    await page.reload();
    await shows(page, "#status", /live/);
    await until(async () => (await picture(page)).invocations.length === 20);
    const after = await settled(page);
    await shot(page, "reload-2-after");
    expect(after.dlq, "the DLQ moves").toEqual(before.dlq);
    expect(after.chips, "each lane's chips").toEqual(before.chips);
    expect(Object.values(after.chips).filter((c) => /cold/.test(c)).length, "the burst's cold starts").toBeGreaterThanOrEqual(2);
    expect(after.invocations, "the invocation list").toEqual(before.invocations);
    expect(after.curve, "the queue's curve, not a flat line").toBeGreaterThan(2);
    expect(errors).toEqual([]);
    for (const c of [sqs, lambda]) c.destroy();
  });

  it.skipIf(skip !== undefined)(`starts afresh, saying since when it counts, when the simulator restarts under it${skip ? ` (${skip})` : ""}`, { timeout: 240_000 }, async () => {
    const state = mkdtempSync(join(tmpdir(), "dashboard-restart-state-"));
    const cfg = workshop();
    const first = await startLambdaSim(["--config", cfg, "--state", state, "--clock", "virtual"]);
    const port = new URL(first.endpoint).port;
    const errors: string[] = [];
    const page = await openPage(`${first.endpoint}/_sim/ui`, errors);
    await shows(page, "#status", /live/);
    const move = async (endpoint: string, moved: number) => {
      const sqs = new SQSClient({ endpoint, region: "us-east-1", credentials });
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: "orders" }));
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "poison" }));
      sqs.destroy();
      for (let i = 0; i < 3; i++) await fetch(`${endpoint}/_sim/clock/advance`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ seconds: 11 }) });
      await shows(page, "#sources tr[data-queue=orders] .moved", new RegExp(`^${moved}$`), 60_000);
    };
    await move(first.endpoint, 1);
    await move(first.endpoint, 2);
    await shows(page, "#cost-total", /^\$0\.0*[1-9]/);
    const since = async () => text(page, "#cost .since");
    const firstSince = await since();
    expect(firstSince).toMatch(/^since \d\d:\d\d:\d\d, this start$/);
    expect(await page.locator("#sources tr.dlq-move").count()).toBe(2);
    await shot(page, "restart-1-before");

    await first.kill();
    await shows(page, "#status", /disconnected/);
    // A minute of service time later (the state keeps it), so the new start's time differs.
    const second = await startLambdaSim(["--config", cfg, "--state", state, "--clock", "virtual", "--port", port]);
    await shows(page, "#status", /live/, 30_000);
    await shows(page, "#notice", /restarted/);
    // The counts, the cost and the lists are this start's: no DLQ rows beside "0 moved".
    await shows(page, "#sources tr[data-queue=orders] .moved", /^0$/);
    await shows(page, "#cost-total", /^\$0\.0+$/);
    expect(await page.locator("#sources tr.dlq-move").count()).toBe(0);
    expect(await page.locator("#invocations tr.invocation").count()).toBe(0);
    await shot(page, "restart-2-after");
    await move(second.endpoint, 1);
    await until(async () => (await page.locator("#sources tr.dlq-move").count()) === 1);
    expect(await since()).toMatch(/^since \d\d:\d\d:\d\d, this start$/);
    expect(await since(), "the new start's time").not.toBe(firstSince);
    await shot(page, "restart-3-one-more-move");
    expect(errors).toEqual([]);
  });
});
