import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { EventBridgeClient, ListRulesCommand } from "@aws-sdk/client-eventbridge";
import { GetScheduleCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { startLambdaSim } from "./support/lambda-sim-process.ts";
import { until } from "./support/until.ts";

/**
 * newuser13: the start banner listed a disabled rule like an enabled one, and a rule whose
 * EventBusName is `!GetAtt Bus.Arn` by the bus's ARN where the others print its name. The
 * AWS::Events::Rule resource was mended first; a SAM function's EventBridgeRule, Schedule and
 * ScheduleV2 events and AWS::Scheduler::Schedule say it the same way.
 */
const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Resources:
  Bus: { Type: AWS::Events::EventBus, Properties: { Name: shop-bus } }
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs24.x
      Handler: index.handler
      InlineCode: 'exports.handler = async () => ({ ok: true });'
      Events:
        OffByArn: { Type: EventBridgeRule, Properties: { EventBusName: !GetAtt Bus.Arn, Pattern: { source: [shop] }, State: DISABLED } }
        OnByName: { Type: EventBridgeRule, Properties: { EventBusName: !Ref Bus, Pattern: { source: [shop] } } }
        Hourly: { Type: Schedule, Properties: { Schedule: rate(1 hour), Enabled: false } }
        Daily: { Type: ScheduleV2, Properties: { ScheduleExpression: rate(1 day), State: DISABLED } }
  Off:
    Type: AWS::Events::Rule
    Properties: { EventBusName: !GetAtt Bus.Arn, State: DISABLED, EventPattern: { source: [shop] }, Targets: [{ Id: f, Arn: !GetAtt Fn.Arn }] }
  Weekly:
    Type: AWS::Scheduler::Schedule
    Properties: { State: DISABLED, ScheduleExpression: rate(7 days), FlexibleTimeWindow: { Mode: "OFF" }, Target: { Arn: !GetAtt Fn.Arn, RoleArn: arn:aws:iam::000000000000:role/s } }
`;

it("marks every disabled rule and schedule (DISABLED) and names a rule's bus by its name, as the simulator has them", async () => {
  const dir = mkdtempSync(join(tmpdir(), "banner-rules-"));
  writeFileSync(join(dir, "template.yaml"), TEMPLATE);
  const sim = await startLambdaSim(["--template", join(dir, "template.yaml"), "--in-memory"]);
  await until(() => sim.output().includes("AWS tools:"));
  const line = (id: string) => sim.output().split("\n").find((l) => l.trimStart().startsWith(`${id} `)) ?? "";
  expect(line("Fn.OffByArn")).toMatch(/EventBridge rule \S+ \(DISABLED\): pattern on shop-bus → /);
  expect(line("Fn.OnByName")).toMatch(/EventBridge rule \S+: pattern on shop-bus → /);
  expect(line("Fn.Hourly")).toMatch(/EventBridge rule \S+ \(DISABLED\): rate\(1 hour\) → /);
  expect(line("Fn.Daily")).toMatch(/schedule \S+ \(DISABLED\): rate\(1 day\) → /);
  expect(line("Off")).toMatch(/EventBridge rule \S+ \(DISABLED\): pattern on shop-bus → /);
  expect(line("Weekly")).toMatch(/schedule \S+ \(DISABLED\): rate\(7 days\) → /);
  expect(sim.output()).not.toContain("event-bus/shop-bus");
  // What the banner says is what the AWS APIs answer.
  const config = { endpoint: sim.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } };
  const events = new EventBridgeClient(config);
  const scheduler = new SchedulerClient(config);
  try {
    const rules = (await events.send(new ListRulesCommand({ EventBusName: "shop-bus" }))).Rules ?? [];
    const stateOf = (part: string) => rules.find((r) => r.Name!.includes(part))?.State;
    expect([stateOf("OffByArn"), stateOf("OnByName"), stateOf("-Off-")]).toEqual(["DISABLED", "ENABLED", "DISABLED"]);
    const daily = /schedule (\S+) \(DISABLED\)/.exec(line("Fn.Daily"))![1]!;
    expect((await scheduler.send(new GetScheduleCommand({ Name: daily }))).State).toBe("DISABLED");
  } finally {
    events.destroy();
    scheduler.destroy();
    await sim.kill();
  }
}, 60_000);
