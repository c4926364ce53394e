import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CloudWatchClient, GetMetricStatisticsCommand, ListMetricsCommand, type Dimension } from "@aws-sdk/client-cloudwatch";
import { CreateEventBusCommand, EventBridgeClient, PutEventsCommand, PutRuleCommand } from "@aws-sdk/client-eventbridge";
import { cloudwatchMetricsSource, eventsSource } from "@lambda-sim/sources";
import { startTestSimulator, type TestSimulator } from "@lambda-sim/core/testing";
import { until } from "./support/until.ts";

/**
 * A rule that matches an event counts it whether or not it has targets (walkthrough F7): AWS's
 * AWS/Events metrics define MatchedEvents as "the number of events that matched with any rule" and
 * TriggeredRules as "the number of rules that have run and matched with any event" (EventBridge user
 * guide, Monitoring), neither depending on a target. `/_sim/state` (and so the dashboard) and
 * CloudWatch say the same.
 */
let t: TestSimulator;
let events: EventBridgeClient;
let cw: CloudWatchClient;
const startedAt = new Date();

beforeAll(async () => {
  t = await startTestSimulator({ sources: [eventsSource, cloudwatchMetricsSource] });
  events = new EventBridgeClient({ ...t.clientConfig, maxAttempts: 1 });
  cw = new CloudWatchClient(t.clientConfig);
});
afterAll(async () => {
  events?.destroy();
  cw?.destroy();
  await t?.close();
});

async function sum(metric: string, dimensions: Dimension[]): Promise<number | undefined> {
  const out = await cw.send(new GetMetricStatisticsCommand({ Namespace: "AWS/Events", MetricName: metric, Dimensions: dimensions, StartTime: new Date(startedAt.getTime() - 60_000), EndTime: new Date(Date.now() + 60_000), Period: 3600, Statistics: ["Sum"] }));
  const points = out.Datapoints ?? [];
  return points.length === 0 ? undefined : points.reduce((n, p) => n + p.Sum!, 0);
}

async function ruleState(bus: string, rule: string): Promise<{ matched: number; targets: unknown[] } | undefined> {
  const state = (await (await fetch(`${t.endpoint}/_sim/state`)).json()) as { buses: { list: { name: string; accepted: number; rules: { name: string; matched: number; targets: unknown[] }[] }[] } };
  return state.buses.list.find((b) => b.name === bus)?.rules.find((r) => r.name === rule);
}

describe("EventBridge: a rule without targets", () => {
  it("counts the events it matches in /_sim/state and in AWS/Events MatchedEvents and TriggeredRules", async () => {
    await events.send(new CreateEventBusCommand({ Name: "shop-bus" }));
    await events.send(new PutRuleCommand({ Name: "notarget", EventBusName: "shop-bus", EventPattern: JSON.stringify({ source: ["plain.src"] }) }));
    await events.send(new PutRuleCommand({ Name: "quiet", EventPattern: JSON.stringify({ source: ["plain.src"] }) }));
    const entry = { Source: "plain.src", DetailType: "t", Detail: "{}" };
    await events.send(new PutEventsCommand({ Entries: [{ ...entry, EventBusName: "shop-bus" }, { ...entry, EventBusName: "shop-bus" }, { ...entry, Source: "other.src", EventBusName: "shop-bus" }] }));
    await events.send(new PutEventsCommand({ Entries: [entry] }));

    expect(await ruleState("shop-bus", "notarget")).toMatchObject({ matched: 2, targets: [] });
    expect(await ruleState("default", "quiet")).toMatchObject({ matched: 1, targets: [] });

    // A custom bus's rule: EventBusName + RuleName; the default bus's: RuleName alone.
    await until(async () => (await sum("TriggeredRules", [{ Name: "EventBusName", Value: "shop-bus" }, { Name: "RuleName", Value: "notarget" }])) === 2);
    expect(await sum("TriggeredRules", [{ Name: "RuleName", Value: "quiet" }])).toBe(1);
    // Events that matched some rule: 3 of the 4 (account level), 2 of them on shop-bus.
    expect(await sum("MatchedEvents", [])).toBe(3);
    expect(await sum("MatchedEvents", [{ Name: "EventBusName", Value: "shop-bus" }])).toBe(2);
    const listed = await cw.send(new ListMetricsCommand({ Namespace: "AWS/Events" }));
    expect(new Set(listed.Metrics!.map((m) => m.MetricName))).toEqual(new Set(["MatchedEvents", "TriggeredRules"]));
  });
});
