import { beforeEach, describe, expect, it } from "vitest";
import { CreateEventBusCommand, EventBridgeClient, ListEventBusesCommand, ListRulesCommand, ListTargetsByRuleCommand, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { eventsSource, schedulesSource, snsSource, sqsSource } from "@lambda-sim/sources";
import { perTestSimulator } from "./support/per-test-simulator.ts";
import { HAS_BOTO3, runBoto3 } from "./support/boto3-script.ts";

// F5 (newuser7): ListRules' NextToken was an offset ("7"), so deleting the rules of each page
// while paging left 14 of 30. Tokens now name the last item returned.
const sims = perTestSimulator({ sources: [sqsSource, schedulesSource, eventsSource, snsSource] });
let events: EventBridgeClient;

const pattern = JSON.stringify({ source: ["shop"] });

// The JS SDK v3 has no EventBridge paginators (its model declares none): the loop by hand.
async function pages<T extends { NextToken?: string }>(call: (NextToken: string | undefined) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  let NextToken: string | undefined;
  do {
    const p = await call(NextToken);
    out.push(p);
    NextToken = p.NextToken;
  } while (NextToken !== undefined);
  return out;
}

async function allRuleNames(EventBusName?: string): Promise<string[]> {
  return (await pages((NextToken) => events.send(new ListRulesCommand({ EventBusName, NextToken })))).flatMap((p) => (p.Rules ?? []).map((r) => r.Name!));
}

describe("EventBridge list pagination", () => {
  beforeEach(async () => {
    events = new EventBridgeClient({ ...(await sims.start()).clientConfig, maxAttempts: 1 });
    return () => events.destroy();
  });

  it.skipIf(!HAS_BOTO3)("boto3 paginators deleting each page delete all 30 rules (pattern and scheduled) and all 12 buses in one pass (skipped without boto3)", async () => {
    for (let i = 0; i < 30; i++) {
      const Name = `sweep-${String(i).padStart(2, "0")}`;
      await events.send(new PutRuleCommand(i % 2 === 0 ? { Name, EventPattern: pattern } : { Name, ScheduleExpression: "rate(1 hour)" }));
    }
    for (let i = 0; i < 12; i++) await events.send(new CreateEventBusCommand({ Name: `bus-${String(i).padStart(2, "0")}` }));
    const r = await runBoto3(sims.current.endpoint, [
      "import os, boto3",
      "e = boto3.client('events', endpoint_url=os.environ['ENDPOINT'])",
      "pages = deleted = 0",
      "for p in e.get_paginator('list_rules').paginate(NamePrefix='sweep-', PaginationConfig={'PageSize': 7}):",
      "    pages += 1",
      "    for x in p['Rules']:",
      "        e.delete_rule(Name=x['Name']); deleted += 1",
      "print(pages, deleted)",
      // ListEventBuses has no boto3 paginator: the loop a script writes by hand.
      "deleted = 0; token = None",
      "while True:",
      "    p = e.list_event_buses(Limit=5, **({'NextToken': token} if token else {}))",
      "    for b in p['EventBuses']:",
      "        if b['Name'] != 'default': e.delete_event_bus(Name=b['Name']); deleted += 1",
      "    token = p.get('NextToken')",
      "    if not token: break",
      "print(deleted)",
    ]);
    expect(r.stderr).toBe("");
    expect(r.stdout.trim().split("\n")).toEqual(["5 30", "12"]);
    expect(await allRuleNames()).toEqual([]);
    expect((await events.send(new ListEventBusesCommand({}))).EventBuses!.map((b) => b.Name)).toEqual(["default"]);
  });

  it("the JS SDK: rules of a bus in name order, pattern and scheduled rules together; a rule's targets, Limit at a time", async () => {
    await events.send(new CreateEventBusCommand({ Name: "shop" }));
    const names = Array.from({ length: 9 }, (_, i) => `r-${i}`);
    for (const Name of names) await events.send(new PutRuleCommand({ Name, EventBusName: "shop", EventPattern: pattern }));
    const rules = await pages((NextToken) => events.send(new ListRulesCommand({ EventBusName: "shop", Limit: 4, NextToken })));
    expect(rules.map((p) => p.Rules!.length)).toEqual([4, 4, 1]);
    expect(rules.flatMap((p) => p.Rules!.map((r) => r.Name!))).toEqual(names);
    await events.send(new PutTargetsCommand({ Rule: "r-0", EventBusName: "shop", Targets: ["e", "a", "d", "b", "c"].map((Id) => ({ Id, Arn: `arn:aws:sqs:us-east-1:000000000000:${Id}` })) }));
    const targets = await pages((NextToken) => events.send(new ListTargetsByRuleCommand({ Rule: "r-0", EventBusName: "shop", Limit: 2, NextToken })));
    expect(targets.map((p) => p.Targets!.map((x) => x.Id!))).toEqual([["a", "b"], ["c", "d"], ["e"]]);
  });

  it("Limit takes 1-100; a NextToken not handed out is InvalidToken", async () => {
    await expect(events.send(new ListRulesCommand({ Limit: 101 }))).rejects.toMatchObject({ name: "ValidationException" });
    for (const NextToken of ["7", "garbage"]) {
      await expect(events.send(new ListRulesCommand({ NextToken }))).rejects.toMatchObject({ name: "InvalidToken", $metadata: { httpStatusCode: 400 } });
    }
  });
});
