import { EventBridgeClient, ListTargetsByRuleCommand } from "@aws-sdk/client-eventbridge";
import { GetScheduleCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { describe, expect, it } from "vitest";
import { startLambdaSim } from "./support/lambda-sim-process.ts";
import { generatedName, writeStackTemplate } from "./support/sam-stack.ts";
import { until } from "./support/until.ts";

/**
 * A template's schedules on an AutoPublishAlias function target the alias (SAM points every event
 * source at it), so they are created once the alias is there: a Scheduler rate() schedule, which
 * starts invoking its target as it is created, and a scheduled rule, whose first fire is one period
 * after its creation, each run version 1 from the first fire on.
 */
const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Resources:
  Ticker:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs24.x
      Handler: index.handler
      InlineCode: |
        exports.handler = async (event, context) => {
          console.log("ran " + (event.from || event["detail-type"]) + " version " + context.functionVersion + " as " + context.invokedFunctionArn);
        };
      AutoPublishAlias: live
      Events:
        Every: { Type: ScheduleV2, Properties: { Name: every-five, ScheduleExpression: rate(5 minutes), Input: '{"from":"scheduler"}' } }
        Rule: { Type: Schedule, Properties: { Name: rule-five, Schedule: rate(5 minutes) } }
`;

describe("a template's schedules on an AutoPublishAlias function", () => {
  it("ScheduleV2 and Schedule rate() fires run the alias's version from the first one (virtual clock)", { timeout: 90_000 }, async () => {
    const sim = await startLambdaSim(["--template", writeStackTemplate(TEMPLATE), "--in-memory", "--clock", "virtual"]);
    const name = generatedName(sim.output(), "Ticker");
    const aliasArn = `arn:aws:lambda:us-east-1:000000000000:function:${name}:live`;
    const runs = (what: string) => sim.output().split("\n").filter((l) => l.includes(`ran ${what} `));

    // The Scheduler schedule's fire at its creation, on the alias created before it.
    await until(() => runs("scheduler").length === 1, 30_000);
    const advanced = await fetch(`${sim.endpoint}/_sim/clock/advance`, { method: "POST", body: JSON.stringify({ seconds: 300 }) });
    expect(advanced.status).toBe(200);
    // One period later: the schedule's second fire and the rule's first.
    await until(() => runs("scheduler").length === 2 && runs("Scheduled Event").length === 1, 30_000);
    for (const line of [...runs("scheduler"), ...runs("Scheduled Event")]) expect(line).toContain(`version 1 as ${aliasArn}`);
    expect(sim.output()).not.toContain("could not deliver");

    // What the APIs show: both target the alias.
    const c = { endpoint: sim.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } };
    const scheduler = new SchedulerClient(c);
    const events = new EventBridgeClient(c);
    expect((await scheduler.send(new GetScheduleCommand({ Name: "every-five" }))).Target!.Arn).toBe(aliasArn);
    expect((await events.send(new ListTargetsByRuleCommand({ Rule: "rule-five" }))).Targets!.map((t) => t.Arn)).toEqual([aliasArn]);
    scheduler.destroy();
    events.destroy();
  });
});
