import { afterEach, describe, expect, it } from "vitest";
import { EventBridgeClient, ListTargetsByRuleCommand, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { CreateStreamCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient, type _Record } from "@aws-sdk/client-kinesis";
import { CreateScheduleCommand, GetScheduleCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { eventsSource, kinesisSource, schedulesSource } from "@lambda-sim/sources";
import { perTestSimulator } from "./support/per-test-simulator.ts";
import { until } from "./support/until.ts";

/**
 * A Kinesis data stream as an EventBridge rule's or a Scheduler schedule's target (a standard
 * target on AWS; newuser13 N13-1: the events were dropped "no target"): each event is one record,
 * its partition key the rule target's `KinesisParameters.PartitionKeyPath` into the event (the
 * event id by default), or the schedule's fixed `KinesisParameters.PartitionKey`. The targets'
 * parameters are listed back as put (N13-2).
 */
const STREAM_ARN = "arn:aws:kinesis:us-east-1:000000000000:stream/orders";
const ROLE = "arn:aws:iam::000000000000:role/events";

const sims = perTestSimulator();
const clients: { destroy(): void }[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.destroy();
});

async function start() {
  const t = await sims.start({ functions: [], sources: [kinesisSource, schedulesSource, eventsSource], timeScale: 60 });
  const events = new EventBridgeClient({ ...t.clientConfig, maxAttempts: 1 });
  const kinesis = new KinesisClient(t.clientConfig);
  const scheduler = new SchedulerClient({ ...t.clientConfig, maxAttempts: 1 });
  clients.push(events, kinesis, scheduler);
  await kinesis.send(new CreateStreamCommand({ StreamName: "orders", ShardCount: 1 }));
  /** Every record of the stream's shard, waiting until there are `n`. */
  const records = async (n: number) => {
    let got: _Record[] = [];
    await until(async () => {
      const { ShardIterator } = await kinesis.send(new GetShardIteratorCommand({ StreamName: "orders", ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" }));
      got = (await kinesis.send(new GetRecordsCommand({ ShardIterator }))).Records ?? [];
      return got.length >= n;
    });
    return got.map((r) => ({ key: r.PartitionKey, data: JSON.parse(Buffer.from(r.Data!).toString("utf8")) }));
  };
  return { events, scheduler, records };
}

describe("Kinesis streams as targets", () => {
  it("puts a rule's matching events on the stream, keyed by the target's PartitionKeyPath or the event id, and lists the parameters back", async () => {
    const { events, records } = await start();
    await events.send(new PutRuleCommand({ Name: "orders", EventPattern: JSON.stringify({ source: ["shop"] }) }));
    await events.send(
      new PutTargetsCommand({
        Rule: "orders",
        Targets: [
          { Id: "by-customer", Arn: STREAM_ARN, KinesisParameters: { PartitionKeyPath: "$.detail.customer" } },
          { Id: "by-event", Arn: STREAM_ARN },
        ],
      }),
    );
    const listed = (await events.send(new ListTargetsByRuleCommand({ Rule: "orders" }))).Targets;
    expect(listed).toEqual([
      { Id: "by-customer", Arn: STREAM_ARN, KinesisParameters: { PartitionKeyPath: "$.detail.customer" } },
      { Id: "by-event", Arn: STREAM_ARN },
    ]);
    const put = await events.send(new PutEventsCommand({ Entries: [{ Source: "shop", DetailType: "OrderPlaced", Detail: JSON.stringify({ customer: "ada", total: 600 }) }] }));
    const eventId = put.Entries![0]!.EventId!;
    const got = await records(2);
    expect(got.map((r) => r.key).sort()).toEqual(["ada", eventId].sort());
    for (const r of got) expect(r.data).toMatchObject({ id: eventId, source: "shop", "detail-type": "OrderPlaced", detail: { customer: "ada", total: 600 } });
    // An Id names one target of its rule: a request repeating one keeps its last.
    await events.send(new PutTargetsCommand({ Rule: "orders", Targets: [{ Id: "by-event", Arn: STREAM_ARN, Input: '"first"' }, { Id: "by-event", Arn: STREAM_ARN, Input: '"second"' }] }));
    expect((await events.send(new ListTargetsByRuleCommand({ Rule: "orders" }))).Targets?.map((x) => [x.Id, x.Input])).toEqual([["by-customer", undefined], ["by-event", '"second"']]);
  });

  it("puts a Scheduler schedule's Input on the stream with its PartitionKey, and returns the target as given", async () => {
    const { scheduler, records } = await start();
    const target = { Arn: STREAM_ARN, RoleArn: ROLE, Input: '{"report":"nightly"}', KinesisParameters: { PartitionKey: "reports" } };
    await scheduler.send(new CreateScheduleCommand({ Name: "nightly", ScheduleExpression: "rate(1 minute)", FlexibleTimeWindow: { Mode: "OFF" }, Target: target }));
    expect((await scheduler.send(new GetScheduleCommand({ Name: "nightly" }))).Target).toMatchObject(target);
    const [first] = await records(1);
    expect(first).toEqual({ key: "reports", data: { report: "nightly" } });
  });
});
