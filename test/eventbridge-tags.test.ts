import { describe, expect, it } from "vitest";
import {
  CreateEventBusCommand,
  DeleteEventBusCommand,
  DeleteRuleCommand,
  DescribeRuleCommand,
  EventBridgeClient,
  LimitExceededException,
  ListTagsForResourceCommand,
  PutRuleCommand,
  ResourceNotFoundException,
  TagResourceCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-eventbridge";
import { eventsSource, schedulesSource } from "@lambda-sim/sources";
import { perTestSimulator } from "./support/per-test-simulator.ts";

/**
 * EventBridge tags (TagResource / UntagResource / ListTagsForResource) on buses and rules, pattern
 * and scheduled, with CreateEventBus's and PutRule's Tags: "In EventBridge, rules and event buses
 * can be tagged" (API reference), up to 50 per resource.
 */
const ARN = "arn:aws:events:us-east-1:000000000000";

const sims = perTestSimulator({ sources: [schedulesSource, eventsSource] });

/** A client of a new simulator (a restart when one runs), on `stateDir` if given. */
async function start(stateDir?: string): Promise<EventBridgeClient> {
  return new EventBridgeClient({ ...(await sims.start({ stateDir })).clientConfig, maxAttempts: 1 });
}

const list = async (events: EventBridgeClient, arn: string) => Object.fromEntries(((await events.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags ?? []).map((x) => [x.Key, x.Value]));
const refusal = async (p: Promise<unknown>) => (await p.then(() => undefined, (e: unknown) => e)) as Error;

describe("EventBridge tags", () => {
  it("keeps CreateEventBus's and PutRule's Tags, merges TagResource, removes UntagResource's keys, across a restart", async () => {
    const dir = sims.stateDir();
    let events = await start(dir);
    const bus = (await events.send(new CreateEventBusCommand({ Name: "orders", Tags: [{ Key: "team", Value: "a" }] }))).EventBusArn!;
    expect(bus).toBe(`${ARN}:event-bus/orders`);
    const rule = (await events.send(new PutRuleCommand({ Name: "big", EventBusName: "orders", EventPattern: '{"source":["shop"]}', Tags: [{ Key: "env", Value: "dev" }] }))).RuleArn!;
    const scheduled = (await events.send(new PutRuleCommand({ Name: "nightly", ScheduleExpression: "rate(1 day)", Tags: [{ Key: "kind", Value: "cron" }] }))).RuleArn!;
    expect([rule, scheduled]).toEqual([`${ARN}:rule/orders/big`, `${ARN}:rule/nightly`]);
    await events.send(new TagResourceCommand({ ResourceARN: bus, Tags: [{ Key: "team", Value: "b" }, { Key: "cost", Value: "42" }] }));
    await events.send(new UntagResourceCommand({ ResourceARN: rule, TagKeys: ["env", "missing"] }));
    await events.send(new TagResourceCommand({ ResourceARN: `${ARN}:event-bus/default`, Tags: [{ Key: "main", Value: "yes" }] }));
    events.destroy();
    events = await start(dir);
    expect(await list(events, bus)).toEqual({ team: "b", cost: "42" });
    expect(await list(events, rule)).toEqual({});
    expect(await list(events, scheduled)).toEqual({ kind: "cron" });
    expect(await list(events, `${ARN}:event-bus/default`)).toEqual({ main: "yes" });
    events.destroy();
  });

  it("refuses a missing bus or rule with EventBridge's messages, a 51st tag, and drops the tags of what is deleted", async () => {
    const events = await start();
    const missingBus = await refusal(events.send(new ListTagsForResourceCommand({ ResourceARN: `${ARN}:event-bus/nope` })));
    expect([missingBus.constructor, missingBus.message]).toEqual([ResourceNotFoundException, "Event bus nope does not exist."]);
    const missingRule = await refusal(events.send(new TagResourceCommand({ ResourceARN: `${ARN}:rule/nope`, Tags: [{ Key: "a", Value: "b" }] })));
    expect([missingRule.constructor, missingRule.message]).toEqual([ResourceNotFoundException, "Rule nope does not exist on EventBus default."]);
    await events.send(new CreateEventBusCommand({ Name: "b" }));
    const fifty = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
    await events.send(new TagResourceCommand({ ResourceARN: `${ARN}:event-bus/b`, Tags: fifty }));
    expect(await refusal(events.send(new TagResourceCommand({ ResourceARN: `${ARN}:event-bus/b`, Tags: [{ Key: "one", Value: "more" }] })))).toBeInstanceOf(LimitExceededException);
    expect(await refusal(events.send(new CreateEventBusCommand({ Name: "c", Tags: [...fifty, { Key: "k50", Value: "v" }] })))).toBeInstanceOf(LimitExceededException);
    expect(await refusal(events.send(new ListTagsForResourceCommand({ ResourceARN: `${ARN}:event-bus/c` })))).toBeInstanceOf(ResourceNotFoundException);
    // Deleted and created again: no tags left over, for a bus, its rules, and a scheduled rule.
    await events.send(new PutRuleCommand({ Name: "r", EventBusName: "b", EventPattern: '{"source":["x"]}', Tags: [{ Key: "a", Value: "1" }] }));
    await events.send(new PutRuleCommand({ Name: "s", ScheduleExpression: "rate(1 hour)", Tags: [{ Key: "a", Value: "1" }] }));
    await events.send(new DeleteEventBusCommand({ Name: "b" }));
    await events.send(new DeleteRuleCommand({ Name: "s" }));
    await events.send(new CreateEventBusCommand({ Name: "b" }));
    await events.send(new PutRuleCommand({ Name: "r", EventBusName: "b", EventPattern: '{"source":["x"]}' }));
    await events.send(new PutRuleCommand({ Name: "s", ScheduleExpression: "rate(1 hour)" }));
    expect([await list(events, `${ARN}:event-bus/b`), await list(events, `${ARN}:rule/b/r`), await list(events, `${ARN}:rule/s`)]).toEqual([{}, {}, {}]);
    events.destroy();
  });

  it("ignores PutRule's Tags on a rule that exists, pattern or scheduled, even at 50 tags (AWS: 'any tags you specify in the PutRule operation are ignored')", async () => {
    const events = await start();
    const put = (Name: string, more: Record<string, string>, Tags: { Key: string; Value: string }[]) => events.send(new PutRuleCommand({ Name, ...more, Tags }));
    await put("r1", { EventPattern: '{"source":["a"]}' }, [{ Key: "k1", Value: "1" }]);
    await put("r1", { EventPattern: '{"source":["b"]}' }, [{ Key: "k2", Value: "2" }]);
    expect(await list(events, `${ARN}:rule/r1`)).toEqual({ k1: "1" });
    await put("sch1", { ScheduleExpression: "rate(1 hour)" }, [{ Key: "s", Value: "1" }]);
    await put("sch1", { ScheduleExpression: "rate(2 hours)" }, [{ Key: "s2", Value: "2" }]);
    expect(await list(events, `${ARN}:rule/sch1`)).toEqual({ s: "1" });
    // At the cap, an update with other Tags succeeds and changes the rule, not its tags.
    const more = Array.from({ length: 49 }, (_, n) => ({ Key: `m${n}`, Value: "v" }));
    await events.send(new TagResourceCommand({ ResourceARN: `${ARN}:rule/r1`, Tags: more }));
    await put("r1", { EventPattern: '{"source":["d"]}' }, [{ Key: "extra", Value: "x" }]);
    expect((await events.send(new DescribeRuleCommand({ Name: "r1" }))).EventPattern).toBe('{"source":["d"]}');
    expect(Object.keys(await list(events, `${ARN}:rule/r1`))).toHaveLength(50);
    // A new rule with 51 tags is refused before it is made.
    const fiftyOne = Array.from({ length: 51 }, (_, n) => ({ Key: `t${n}`, Value: "v" }));
    expect(await refusal(put("r2", { EventPattern: '{"source":["a"]}' }, fiftyOne))).toBeInstanceOf(LimitExceededException);
    expect(await refusal(events.send(new DescribeRuleCommand({ Name: "r2" })))).toBeInstanceOf(ResourceNotFoundException);
    events.destroy();
  });
});
