import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import {
  CreateEventBusCommand,
  DescribeEventBusCommand,
  DescribeRuleCommand,
  DisableRuleCommand,
  EnableRuleCommand,
  EventBridgeClient,
  InvalidEventPatternException,
  ListEventBusesCommand,
  ListRulesCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  TestEventPatternCommand,
} from "@aws-sdk/client-eventbridge";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient, type Message } from "@aws-sdk/client-sqs";
import { LambdaClient, InvokeCommand, PutFunctionEventInvokeConfigCommand } from "@aws-sdk/client-lambda";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { eventsSource, schedulesSource, snsSource, sqsSource } from "@lambda-sim/sources";
import { TelemetryRecorder, type TestSimulator } from "@lambda-sim/core/testing";
import { perTestSimulator } from "./support/per-test-simulator.ts";
import { VirtualClock, type FunctionDefinition } from "@lambda-sim/core";
import { until } from "./support/until.ts";

const codeDir = fileURLToPath(new URL("./fixtures/functions/schedule-recorder/", import.meta.url));
const recorder: FunctionDefinition = { functionName: "recorder", runtime: "nodejs24.x", handler: "index.handler", codeDir, timeout: 3 };
const ACCOUNT = "000000000000";
const FUNCTION_ARN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:recorder`;
const queueArn = (name: string) => `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`;

let t: TestSimulator | undefined;
/** Started by each test, closed after it. */
const sims = perTestSimulator();
const clients: { destroy(): void }[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.destroy();
});

/** Service timers 60× faster: a minute of retry backoff takes a wall second; or on `clock` (a VirtualClock, moved by /_sim/clock/advance). */
async function start(clock?: VirtualClock) {
  t = await sims.start({ functions: [recorder], sources: [sqsSource, schedulesSource, eventsSource, snsSource], ...(clock === undefined ? { timeScale: 60 } : { clock }) });
  const events = new EventBridgeClient({ ...t.clientConfig, maxAttempts: 1 });
  const sqs = new SQSClient(t.clientConfig);
  const lambda = new LambdaClient(t.clientConfig);
  const sns = new SNSClient(t.clientConfig);
  clients.push(events, sqs, lambda, sns);
  const logs = new TelemetryRecorder(t.sim.telemetry);
  const received = () => logs.of("function.log").flatMap((e) => e.text.split("\n").filter((l) => l.includes("EVENT ")).map((l) => JSON.parse(l.slice(l.indexOf("EVENT ") + 6))));
  const queue = async (name: string) => (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: name.endsWith(".fifo") ? { FifoQueue: "true" } : {} }))).QueueUrl!;
  /** Receives until `n` messages came, with their attributes. */
  const drain = async (url: string, n: number) => {
    const got: Message[] = [];
    await until(async () => {
      const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, MessageAttributeNames: ["All"], AttributeNames: ["All"] }));
      got.push(...(r.Messages ?? []));
      return got.length >= n;
    });
    return got;
  };
  /** The messages a queue holds now, visible or not. */
  const held = async (url: string) => {
    const a = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"] }))).Attributes!;
    return Number(a.ApproximateNumberOfMessages) + Number(a.ApproximateNumberOfMessagesNotVisible);
  };
  return { sim: t.sim, events, sqs, lambda, sns, received, queue, drain, held };
}

describe("EventBridge buses", () => {
  it("PutEvents → pattern rules → a Lambda target with InputTransformer and a queue with the whole event", async () => {
    const { events, received, queue, drain } = await start();
    const url = await queue("orders-audit");
    const { EventBusArn } = await events.send(new CreateEventBusCommand({ Name: "orders" }));
    expect(EventBusArn).toBe(`arn:aws:events:us-east-1:${ACCOUNT}:event-bus/orders`);
    const pattern = { source: ["shop"], "detail-type": ["OrderPlaced"], detail: { total: [{ numeric: [">", 100] }], country: [{ "anything-but": "FR" }] } };
    const { RuleArn } = await events.send(new PutRuleCommand({ Name: "big-orders", EventBusName: "orders", EventPattern: JSON.stringify(pattern) }));
    expect(RuleArn).toBe(`arn:aws:events:us-east-1:${ACCOUNT}:rule/orders/big-orders`);
    await events.send(
      new PutTargetsCommand({
        Rule: "big-orders",
        EventBusName: "orders",
        Targets: [
          { Id: "fn", Arn: FUNCTION_ARN, InputTransformer: { InputPathsMap: { id: "$.detail.id", total: "$.detail.total" }, InputTemplate: '{"order": "<id>", "total": <total>, "rule": "<aws.events.rule-name>"}' } },
          { Id: "audit", Arn: queueArn("orders-audit") },
        ],
      }),
    );
    const entry = (detail: object, extra: object = {}) => ({ EventBusName: "orders", Source: "shop", DetailType: "OrderPlaced", Detail: JSON.stringify(detail), ...extra });
    const put = await events.send(
      new PutEventsCommand({
        Entries: [
          entry({ id: "o-1", total: 250, country: "DE" }),
          entry({ id: "o-2", total: 50, country: "DE" }), // too small
          entry({ id: "o-3", total: 900, country: "FR" }), // excluded country
          { EventBusName: "orders", Source: "shop", DetailType: "OrderPlaced" }, // no Detail
          entry({ id: "o-4" }, { EventBusName: "nowhere" }),
          entry({ id: "o-5", total: 101, country: "US" }, { Resources: ["arn:aws:shop:::order/o-5"], Time: new Date("2026-03-01T10:00:00.250Z") }),
        ],
      }),
    );
    expect(put.FailedEntryCount).toBe(2);
    expect(put.Entries?.[3]).toEqual({ ErrorCode: "InvalidArgument", ErrorMessage: "Parameter Detail is not valid. Reason: Detail is a required argument." });
    expect(put.Entries?.[4]).toEqual({ ErrorCode: "ResourceNotFoundException", ErrorMessage: "Event bus nowhere does not exist." });
    expect(put.Entries?.filter((e) => e.EventId !== undefined)).toHaveLength(4);

    await until(() => received().length >= 2);
    expect(received().sort((a, b) => a.order.localeCompare(b.order))).toEqual([
      { order: "o-1", total: 250, rule: "big-orders" },
      { order: "o-5", total: 101, rule: "big-orders" },
    ]);
    const audit = (await drain(url, 2)).map((m) => JSON.parse(m.Body!)).sort((a, b) => a.detail.id.localeCompare(b.detail.id));
    expect(audit[1]).toMatchObject({ version: "0", id: put.Entries![5]!.EventId, "detail-type": "OrderPlaced", source: "shop", account: ACCOUNT, region: "us-east-1", resources: ["arn:aws:shop:::order/o-5"], detail: { id: "o-5", total: 101, country: "US" } });
    expect(audit[1].time).toBe("2026-03-01T10:00:00Z");
    expect(audit[0].time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it("a target that cannot be reached goes to its dead-letter queue with AWS's attributes, after its retries", async () => {
    const { sim, events, queue, drain } = await start();
    const dlq = await queue("rule-dlq");
    await queue("flaky");
    await events.send(new PutRuleCommand({ Name: "all-shop", EventPattern: '{"source":["shop"]}' }));
    await events.send(
      new PutTargetsCommand({
        Rule: "all-shop",
        Targets: [
          { Id: "gone", Arn: "arn:aws:lambda:us-east-1:000000000000:function:gone", DeadLetterConfig: { Arn: queueArn("rule-dlq") } },
          { Id: "flaky", Arn: queueArn("flaky"), RetryPolicy: { MaximumRetryAttempts: 2 }, DeadLetterConfig: { Arn: queueArn("rule-dlq") } },
        ],
      }),
    );
    const fault = await fetch(`${sim.endpoint}/_sim/faults`, { method: "POST", body: JSON.stringify({ kind: "delivery-failure", target: "sqs:flaky", message: "queue unavailable" }) });
    expect(fault.status).toBeLessThan(300);
    const put = await events.send(new PutEventsCommand({ Entries: [{ Source: "shop", DetailType: "Ping", Detail: '{"n":1}' }] }));
    const got = await drain(dlq, 2);
    const byTarget = Object.fromEntries(got.map((m) => [m.MessageAttributes!.TARGET_ARN!.StringValue, m]));
    const attrs = (m: Message) => Object.fromEntries(Object.entries(m.MessageAttributes!).map(([k, v]) => [k, v.StringValue]));
    // A missing function: no retry.
    expect(attrs(byTarget["arn:aws:lambda:us-east-1:000000000000:function:gone"]!)).toMatchObject({ ERROR_CODE: "RESOURCE_NOT_FOUND", RETRY_ATTEMPTS: "0", RULE_ARN: `arn:aws:events:us-east-1:${ACCOUNT}:rule/all-shop` });
    // A failing queue: retried twice, then given up.
    expect(attrs(byTarget[queueArn("flaky")]!)).toMatchObject({ ERROR_CODE: "SDK_CLIENT_ERROR", ERROR_MESSAGE: "queue unavailable", RETRY_ATTEMPTS: "2", EXHAUSTED_RETRY_CONDITION: "MaximumRetryAttempts" });
    expect(JSON.parse(got[0]!.Body!)).toMatchObject({ id: put.Entries![0]!.EventId, source: "shop", detail: { n: 1 } });
  });

  it("a target's MaximumEventAgeInSeconds running out sends the event to its dead-letter queue", async () => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 1));
    const { sim, events, queue, drain, held } = await start(clock);
    const dlq = await queue("aged-dlq");
    await queue("stuck");
    await events.send(new PutRuleCommand({ Name: "to-stuck", EventPattern: '{"source":["shop"]}' }));
    // 60 s is the least MaximumEventAgeInSeconds takes (PutTargets RetryPolicy); retry attempts to spare.
    await events.send(new PutTargetsCommand({ Rule: "to-stuck", Targets: [{ Id: "stuck", Arn: queueArn("stuck"), RetryPolicy: { MaximumEventAgeInSeconds: 60, MaximumRetryAttempts: 185 }, DeadLetterConfig: { Arn: queueArn("aged-dlq") } }] }));
    const fault = await fetch(`${sim.endpoint}/_sim/faults`, { method: "POST", body: JSON.stringify({ kind: "delivery-failure", target: "sqs:stuck", message: "queue unavailable" }) });
    expect(fault.status).toBeLessThan(300);
    const put = await events.send(new PutEventsCommand({ Entries: [{ Source: "shop", DetailType: "Ping", Detail: '{"n":1}' }] }));
    const advance = async (seconds: number) => expect((await fetch(`${sim.endpoint}/_sim/clock/advance`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ seconds }) })).status).toBe(200);
    // Within the minute the event is still being retried: nothing dead-lettered yet.
    await advance(30);
    expect(await held(dlq)).toBe(0);
    await advance(60);
    const [m] = await drain(dlq, 1);
    const attrs = Object.fromEntries(Object.entries(m!.MessageAttributes!).map(([k, v]) => [k, v.StringValue]));
    expect(attrs).toMatchObject({ ERROR_CODE: "SDK_CLIENT_ERROR", ERROR_MESSAGE: "queue unavailable", EXHAUSTED_RETRY_CONDITION: "MaximumEventAgeInSeconds", TARGET_ARN: queueArn("stuck") });
    // Retried with backoff until the age ran out, far short of the 185 attempts.
    expect(Number(attrs.RETRY_ATTEMPTS)).toBeGreaterThan(1);
    expect(Number(attrs.RETRY_ATTEMPTS)).toBeLessThan(10);
    expect(JSON.parse(m!.Body!)).toMatchObject({ id: put.Entries![0]!.EventId, detail: { n: 1 } });
  });

  it("RemoveTargets stops a target's deliveries; DisableRule stops the rule's and EnableRule resumes them", async () => {
    const { events, queue, drain, held } = await start();
    const kept = await queue("kept");
    const removed = await queue("removed");
    await events.send(new PutRuleCommand({ Name: "two-targets", EventPattern: '{"source":["shop"]}' }));
    await events.send(new PutTargetsCommand({ Rule: "two-targets", Targets: [{ Id: "kept", Arn: queueArn("kept"), InputPath: "$.detail" }, { Id: "removed", Arn: queueArn("removed"), InputPath: "$.detail" }] }));
    const put = (n: number) => events.send(new PutEventsCommand({ Entries: [{ Source: "shop", DetailType: "X", Detail: JSON.stringify({ n }) }] }));
    const bodies = async (url: string, count: number) => (await drain(url, count)).map((m) => JSON.parse(m.Body!).n);
    await put(1);
    expect(await bodies(kept, 1)).toEqual([1]);
    expect(await bodies(removed, 1)).toEqual([1]);

    expect(await events.send(new RemoveTargetsCommand({ Rule: "two-targets", Ids: ["removed"] }))).toMatchObject({ FailedEntryCount: 0, FailedEntries: [] });
    await put(2);
    expect(await bodies(kept, 1)).toEqual([2]);
    // Back as a target, it gets the next event and never the one sent while it was removed (stored, if at all, before it).
    await events.send(new PutTargetsCommand({ Rule: "two-targets", Targets: [{ Id: "removed", Arn: queueArn("removed"), InputPath: "$.detail" }] }));
    await put(3);
    expect(await bodies(kept, 1)).toEqual([3]);
    expect(await bodies(removed, 1)).toEqual([3]);
    expect(await held(removed)).toBe(2);

    await events.send(new DisableRuleCommand({ Name: "two-targets" }));
    expect((await put(4)).FailedEntryCount).toBe(0);
    await events.send(new EnableRuleCommand({ Name: "two-targets" }));
    await put(5);
    // The event sent while the rule was disabled went nowhere; the one after EnableRule is delivered.
    expect(await bodies(kept, 1)).toEqual([5]);
    expect(await held(kept)).toBe(4);
  });

  it("takes PutEvents entries up to 1 MB in all and refuses a byte more", async () => {
    const { events } = await start();
    // Entry size: the UTF-8 bytes of Source, DetailType and Detail (user guide "Calculating PutEvents event entry size").
    const detail = (bytes: number) => JSON.stringify({ pad: "x".repeat(bytes - 'shopX{"pad":""}'.length) });
    const ok = await events.send(new PutEventsCommand({ Entries: [{ Source: "shop", DetailType: "X", Detail: detail(1_048_576) }] }));
    expect(ok.FailedEntryCount).toBe(0);
    const half = detail(524_289);
    const over = await events.send(new PutEventsCommand({ Entries: [{ Source: "shop", DetailType: "X", Detail: half }, { Source: "shop", DetailType: "X", Detail: half }] })).catch((e: unknown) => e);
    expect(over).toMatchObject({ name: "ValidationException", message: "Total size of the entries in the request is over the limit." });
  });

  it("delivers to a FIFO queue with the target's MessageGroupId, and from bus to bus", async () => {
    const { events, queue, drain } = await start();
    const fifo = await queue("ordered.fifo");
    await events.send(new CreateEventBusCommand({ Name: "central" }));
    await events.send(new PutRuleCommand({ Name: "forward", EventPattern: '{"source":["shop"]}' }));
    await events.send(new PutTargetsCommand({ Rule: "forward", Targets: [{ Id: "central", Arn: `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/central` }] }));
    await events.send(new PutRuleCommand({ Name: "to-fifo", EventBusName: "central", EventPattern: '{"detail":{"kind":[{"prefix":"ord"}]}}' }));
    await events.send(new PutTargetsCommand({ Rule: "to-fifo", EventBusName: "central", Targets: [{ Id: "q", Arn: queueArn("ordered.fifo"), InputPath: "$.detail", SqsParameters: { MessageGroupId: "g1" } }] }));
    await events.send(new PutEventsCommand({ Entries: [{ Source: "shop", DetailType: "X", Detail: '{"kind":"order","n":1}' }] }));
    const [m] = await drain(fifo, 1);
    expect(JSON.parse(m!.Body!)).toEqual({ kind: "order", n: 1 });
    expect(m!.Attributes?.MessageGroupId).toBe("g1");
  });

  it("delivers to an SNS topic target through the TargetRegistry", async () => {
    const { events, sns, queue, drain } = await start();
    const url = await queue("from-topic");
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "orders" }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: queueArn("from-topic"), Attributes: { RawMessageDelivery: "true" } }));
    await events.send(new PutRuleCommand({ Name: "to-topic", EventPattern: '{"source":["shop"]}' }));
    await events.send(new PutTargetsCommand({ Rule: "to-topic", Targets: [{ Id: "t", Arn: TopicArn, InputPath: "$.detail" }] }));
    await events.send(new PutEventsCommand({ Entries: [{ Source: "shop", DetailType: "X", Detail: '{"n":7}' }] }));
    const [m] = await drain(url, 1);
    expect(JSON.parse(m!.Body!)).toEqual({ n: 7 });
  });

  it("an async destination delivers its record to a bus as a Lambda Function Invocation Result event", async () => {
    const { events, lambda, queue, drain } = await start();
    const url = await queue("results");
    await events.send(new CreateEventBusCommand({ Name: "results" }));
    await events.send(new PutRuleCommand({ Name: "successes", EventBusName: "results", EventPattern: '{"source":["lambda"],"detail-type":["Lambda Function Invocation Result - Success"]}' }));
    await events.send(new PutTargetsCommand({ Rule: "successes", EventBusName: "results", Targets: [{ Id: "q", Arn: queueArn("results") }] }));
    const bus = `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/results`;
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "recorder", DestinationConfig: { OnSuccess: { Destination: bus } } }));
    await lambda.send(new InvokeCommand({ FunctionName: "recorder", InvocationType: "Event", Payload: Buffer.from('{"hello":1}') }));
    const [m] = await drain(url, 1);
    const event = JSON.parse(m!.Body!);
    expect(event).toMatchObject({ version: "0", source: "lambda", "detail-type": "Lambda Function Invocation Result - Success", resources: [bus, `${FUNCTION_ARN}:$LATEST`] });
    expect(event.detail).toMatchObject({ requestContext: { condition: "Success" }, requestPayload: { hello: 1 } });
  });

  it("transforms a scheduled rule's Scheduled Event for its target too", async () => {
    const { sim, events, queue, drain } = await start();
    const url = await queue("ticks");
    await events.send(new PutRuleCommand({ Name: "hourly", ScheduleExpression: "rate(1 hour)" }));
    await events.send(new PutTargetsCommand({ Rule: "hourly", Targets: [{ Id: "q", Arn: queueArn("ticks"), InputTransformer: { InputPathsMap: { t: "$.detail-type" }, InputTemplate: '{"kind": "<t>", "rule": "<aws.events.rule-name>"}' } }] }));
    await fetch(`${sim.endpoint}/_sim/schedules/hourly/fire`, { method: "POST" });
    const got = (await drain(url, 1)).map((m) => JSON.parse(m.Body!));
    expect(got[0]).toEqual({ kind: "Scheduled Event", rule: "hourly" });
  });

  it("refuses 101 targets without echoing what the model marks sensitive in them (review21 R21-4)", async () => {
    const { events } = await start();
    await events.send(new PutRuleCommand({ Name: "many", EventPattern: JSON.stringify({ source: ["shop"] }) }));
    const Targets = Array.from({ length: 101 }, (_, i) => ({ Id: `t${i}`, Arn: queueArn("q"), RoleArn: `arn:aws:iam::${ACCOUNT}:role/r`, RedshiftDataParameters: { Database: "db", Sql: "SELECT 'TOPSECRET'" } }));
    const refused = await events.send(new PutTargetsCommand({ Rule: "many", Targets })).catch((e: Error) => e);
    expect(refused).toMatchObject({ name: "ValidationException" });
    expect((refused as Error).message).toBe("1 validation error detected: Value at 'targets' failed to satisfy constraint: Member must have length less than or equal to 100");
  });

  it("describes buses and rules, tests patterns, and keeps scheduled rules beside pattern rules", async () => {
    const { events } = await start();
    await events.send(new CreateEventBusCommand({ Name: "b1", Description: "first" }));
    expect(await events.send(new DescribeEventBusCommand({ Name: "b1" }))).toMatchObject({ Name: "b1", Arn: `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/b1`, Description: "first" });
    expect((await events.send(new ListEventBusesCommand({}))).EventBuses?.map((b) => b.Name)).toEqual(["b1", "default"]);
    await events.send(new PutRuleCommand({ Name: "nightly", ScheduleExpression: "cron(0 3 * * ? *)" }));
    await events.send(new PutRuleCommand({ Name: "pattern", EventPattern: '{"source":["a"]}' }));
    await events.send(new DisableRuleCommand({ Name: "pattern" }));
    expect((await events.send(new ListRulesCommand({}))).Rules?.map((r) => [r.Name, r.State])).toEqual([["nightly", "ENABLED"], ["pattern", "DISABLED"]]);
    expect(await events.send(new DescribeRuleCommand({ Name: "pattern" }))).toMatchObject({ EventPattern: '{"source":["a"]}', EventBusName: "default" });
    const event = JSON.stringify({ id: "1", account: ACCOUNT, source: "com.example", time: "2026-01-01T00:00:00Z", region: "us-east-1", "detail-type": "d", detail: { ip: "10.0.0.7" } });
    expect((await events.send(new TestEventPatternCommand({ EventPattern: '{"detail":{"ip":[{"cidr":"10.0.0.0/24"}]}}', Event: event }))).Result).toBe(true);
    expect((await events.send(new TestEventPatternCommand({ EventPattern: '{"source":[{"wildcard":"org.*"}]}', Event: event }))).Result).toBe(false);
    // An event without one of id, account, source, time, region and detail-type is refused; resources may be left out.
    for (const field of ["id", "account", "source", "time", "region", "detail-type"]) {
      const partial = JSON.parse(event);
      delete partial[field];
      const refused = await events.send(new TestEventPatternCommand({ EventPattern: '{"source":["com.example"]}', Event: JSON.stringify(partial) })).catch((e: unknown) => e);
      expect(refused, field).toMatchObject({ name: "ValidationException", message: "Parameter Event is not valid." });
    }
    expect((await events.send(new TestEventPatternCommand({ EventPattern: '{"source":["com.example"]}', Event: "[1]" })).catch((e: unknown) => e))).toMatchObject({ name: "ValidationException", message: "Parameter Event is not valid." });
    const bad = await events.send(new PutRuleCommand({ Name: "bad", EventPattern: '{"source":"a"}' })).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(InvalidEventPatternException);
    expect((bad as Error).message).toBe('Event pattern is not valid. Reason: "source" must be an object or an array');
  });
});
