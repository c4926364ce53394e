import { CreateEventBusCommand, EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { CreateTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { FunctionDefinition, HubFrame } from "@lambda-sim/core";
import { startTestSimulator, TelemetryRecorder, type TestSimulator } from "@lambda-sim/core/testing";
import { eventsSource, schedulesSource, snsSource, sqsSource } from "@lambda-sim/sources";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { applyFanoutEvent, applyFanoutViews, createFanout, type FanoutState } from "../packages/cli/src/dashboard/page/fanout-model.js";
import { until } from "./support/until.ts";

/**
 * Fan-out in telemetry and in the dashboard's snapshot, without a browser: what SNS and
 * EventBridge deliveries emit (a Lambda delivery names the invocation it made), and the counts a
 * client that connects afterwards gets in its snapshot equal those a client watching from the
 * start built from its own snapshot and every event after it, with the page's own model
 * (packages/cli/src/dashboard/page/fanout-model.js).
 */
const ACCOUNT = "000000000000";
const fn = (name: string) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`;
const queue = (name: string) => `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`;
const model = (functionName: string): FunctionDefinition => ({ functionName, runtime: "model", handler: "x", codeDir: process.cwd(), memorySize: 128, timeout: 3, model: { durationMs: 2, coldStartMs: 5, errorProbability: 0, timeoutProbability: 0 } });

let t: TestSimulator | undefined;
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  await t?.close();
  t = undefined;
});

/**
 * A client of /_sim/events that applies what it reads to the page's fan-out model; `sample()`
 * asks for the views as the page does every second, and resolves once they are applied.
 */
function watch(endpoint: string): Promise<{ state: FanoutState; frames: HubFrame[]; sample(): Promise<void> }> {
  const ws = new WebSocket(`${endpoint.replace("http", "ws")}/_sim/events`);
  sockets.push(ws);
  const state = createFanout();
  const frames: HubFrame[] = [];
  let sampled: (() => void) | undefined;
  const sample = () => new Promise<void>((r) => {
    sampled = r;
    ws.send(JSON.stringify({ kind: "sample" }));
  });
  return new Promise((resolve, reject) => {
    ws.on("message", (data) => {
      const f = JSON.parse(String(data)) as HubFrame;
      frames.push(f);
      if (f.kind === "snapshot") {
        applyFanoutViews(state, f.views, f.seq, f.time);
        for (const e of f.recent) applyFanoutEvent(state, e, true);
        resolve({ state, frames, sample });
      } else if (f.kind === "events") for (const e of f.events) applyFanoutEvent(state, e, false);
      else if (f.kind === "views") {
        applyFanoutViews(state, f.views, f.seq, f.time);
        sampled?.();
      }
    });
    ws.once("error", reject);
  });
}

/** The counts a person reads on the page: per topic and subscription, per bus, rule and target. */
function counts(s: FanoutState) {
  return {
    topics: [...s.topics.values()].map((t) => [t.name, t.published, Object.fromEntries([...t.subscriptions.values()].map((x) => [x.endpoint.split(":").pop(), [x.delivered, x.filteredOut, x.failed, x.deadLettered, x.dropped]]))]),
    buses: [...s.buses.values()].map((b) => [b.name, b.accepted, [...b.rules.values()].map((r) => [r.name, r.matched, [...r.targets.entries()].map(([id, x]) => [id, x.delivered, x.failed, x.deadLettered, x.dropped])])]),
  };
}

describe("SNS and EventBridge fan-out in telemetry and the dashboard's snapshot", () => {
  it("reports each publish, event, delivery and failure, and a late client's snapshot counts what a client watching from the start counted", { timeout: 60_000 }, async () => {
    t = await startTestSimulator({ functions: [model("ship"), model("bill")], sources: [sqsSource, schedulesSource, eventsSource, snsSource] });
    const recorded = new TelemetryRecorder(t.sim.telemetry);
    const early = await watch(t.endpoint);
    const sns = new SNSClient(t.clientConfig);
    const events = new EventBridgeClient(t.clientConfig);
    const sqs = new SQSClient(t.clientConfig);
    for (const q of ["audit", "fanout-dlq"]) await sqs.send(new CreateQueueCommand({ QueueName: q }));

    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "orders" }));
    const ship = (await sns.send(new SubscribeCommand({ TopicArn, Protocol: "lambda", Endpoint: fn("ship"), ReturnSubscriptionArn: true }))).SubscriptionArn!;
    const audit = (await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: queue("audit"), Attributes: { FilterPolicy: '{"kind":["refund"]}' }, ReturnSubscriptionArn: true }))).SubscriptionArn!;
    const ghost = (await sns.send(new SubscribeCommand({ TopicArn, Protocol: "lambda", Endpoint: fn("ghost"), Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: queue("fanout-dlq") }) }, ReturnSubscriptionArn: true }))).SubscriptionArn!;
    await events.send(new CreateEventBusCommand({ Name: "shop" }));
    const { RuleArn } = await events.send(new PutRuleCommand({ Name: "big-orders", EventBusName: "shop", EventPattern: JSON.stringify({ source: ["shop"], detail: { total: [{ numeric: [">", 100] }] } }) }));
    await events.send(new PutTargetsCommand({ Rule: "big-orders", EventBusName: "shop", Targets: [{ Id: "bill", Arn: fn("bill") }, { Id: "audit", Arn: queue("audit") }, { Id: "ghost", Arn: fn("ghost"), DeadLetterConfig: { Arn: queue("fanout-dlq") } }] }));
    // The page samples the views every second: the first client has seen the topic and the rule before any traffic.
    await early.sample();

    for (const kind of ["order", "order", "refund"]) await sns.send(new PublishCommand({ TopicArn, Message: `{"kind":"${kind}"}`, MessageAttributes: { kind: { DataType: "String", StringValue: kind } } }));
    const put = await events.send(new PutEventsCommand({ Entries: [500, 5, 700].map((total) => ({ EventBusName: "shop", Source: "shop", DetailType: "OrderPlaced", Detail: `{"total":${total}}` })) }));
    const invocations = () => recorded.of("invocation.finished").length;
    // 3 for ship, 2 for bill; 3 + 2×3 deliveries settled.
    await until(() => invocations() === 5 && recorded.of("sns.delivered").length + recorded.of("sns.delivery-failed").length === 7 && recorded.of("events.delivered").length + recorded.of("events.delivery-failed").length === 6);

    // Telemetry: who got what, and a Lambda delivery names the asynchronous invocation it made.
    expect(recorded.of("sns.published").map((e) => [e.deliveries, e.filteredOut ?? []])).toEqual([[2, [audit]], [2, [audit]], [3, []]]);
    const shipped = recorded.of("sns.delivered").filter((e) => e.subscriptionArn === ship);
    expect(shipped).toHaveLength(3);
    const asyncIds = new Set(recorded.of("async.enqueued").map((e) => e.requestId));
    for (const d of shipped) expect(asyncIds.has(d.requestId!)).toBe(true);
    expect(recorded.of("sns.delivery-failed").map((e) => [e.subscriptionArn, e.deadLetterArn, e.error.split(":")[0]])).toEqual(Array(3).fill([ghost, queue("fanout-dlq"), "ResourceNotFoundException"]));
    expect(recorded.of("events.routed").map((e) => [e.busName, e.rules])).toEqual([["shop", [RuleArn]], ["shop", []], ["shop", [RuleArn]]]);
    expect(recorded.of("events.routed").map((e) => e.eventId)).toEqual(put.Entries!.map((e) => e.EventId));
    const billed = recorded.of("events.delivered").filter((e) => e.targetId === "bill");
    expect(billed.map((e) => asyncIds.has(e.requestId!))).toEqual([true, true]);
    expect(recorded.of("events.delivery-failed").map((e) => [e.targetId, e.deadLetterArn, e.error.split(":")[0], e.retryInMs])).toEqual(Array(2).fill(["ghost", queue("fanout-dlq"), "RESOURCE_NOT_FOUND", undefined]));

    // A client connecting now: its snapshot counts what the first client counted from its own snapshot and the events since.
    const late = await watch(t.endpoint);
    const expected = {
      topics: [["orders", 3, { ship: [3, 0, 0, 0, 0], audit: [1, 2, 0, 0, 0], ghost: [0, 0, 3, 3, 0] }]],
      buses: [["default", 0, []], ["shop", 3, [["big-orders", 2, [["bill", 2, 0, 0, 0], ["audit", 2, 0, 0, 0], ["ghost", 0, 2, 2, 0]]]]]],
    };
    expect(counts(late.state)).toEqual(expected);
    // The first client counted the traffic from events alone: its last views were taken before any.
    await until(() => JSON.stringify(counts(early.state)) === JSON.stringify(expected)).catch(() => expect(counts(early.state)).toEqual(expected));
    const views = early.frames.filter((f) => f.kind === "views");
    expect(views).toHaveLength(1);
    expect((views[0]!.views.topics as { published: number }[])[0]!.published).toBe(0);
    recorded.dispose();
    for (const c of [sns, events, sqs]) c.destroy();
  });
});
