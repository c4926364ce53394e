import { CreateScheduleCommand, GetScheduleCommand, GetScheduleGroupCommand, ListSchedulesCommand, ListTagsForResourceCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { startLambdaSim } from "./support/lambda-sim-process.ts";
import { writeStackTemplate } from "./support/sam-stack.ts";

/**
 * A template's schedule groups (AWS::Scheduler::ScheduleGroup) and the schedules in them (an
 * AWS::Scheduler::Schedule's or a ScheduleV2 event's GroupName): they were listed as not
 * simulated, and the schedules never ran.
 */
const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Resources:
  TenantGroup:
    Type: AWS::Scheduler::ScheduleGroup
    Properties:
      Name: tenant-a
      Tags: [{ Key: team, Value: billing }]
  ReportFunction:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: report
      Runtime: nodejs24.x
      Handler: index.handler
      InlineCode: "exports.handler = async (e) => e;"
      Events:
        Nightly:
          Type: ScheduleV2
          Properties: { Name: nightly, GroupName: !Ref TenantGroup, ScheduleExpression: "cron(0 2 * * ? *)" }
  Hourly:
    Type: AWS::Scheduler::Schedule
    Properties:
      Name: hourly
      GroupName: !Ref TenantGroup
      ScheduleExpression: rate(1 hour)
      FlexibleTimeWindow: { Mode: "OFF" }
      Target: { Arn: !GetAtt ReportFunction.Arn, RoleArn: arn:aws:iam::000000000000:role/x }
  HourlyInDefault:
    Type: AWS::Scheduler::Schedule
    Properties:
      Name: hourly
      ScheduleExpression: rate(1 hour)
      FlexibleTimeWindow: { Mode: "OFF" }
      Target: { Arn: !GetAtt ReportFunction.Arn, RoleArn: arn:aws:iam::000000000000:role/x }
  AliasedFunction:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: aliased
      Runtime: nodejs24.x
      Handler: index.handler
      InlineCode: "exports.handler = async (e) => e;"
      AutoPublishAlias: live
      Events:
        Weekly:
          Type: ScheduleV2
          Properties: { Name: weekly, GroupName: tenant-x, ScheduleExpression: "cron(0 4 ? * MON *)" }
Outputs:
  GroupArn: { Value: !GetAtt TenantGroup.Arn }
`;

describe("lambda-sim start --template with Scheduler schedule groups", () => {
  it("makes the group with its tags and the schedules in it, under the group's ARN", { timeout: 60_000 }, async () => {
    const sim = await startLambdaSim(["--template", writeStackTemplate(TEMPLATE), "--in-memory", "--clock", "virtual"]);
    const scheduler = new SchedulerClient({ endpoint: sim.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
    try {
      const arn = "arn:aws:scheduler:us-east-1:000000000000:schedule-group/tenant-a";
      expect(sim.output()).toContain(`output GroupArn: ${arn}`);
      expect(sim.output()).toContain("schedule nightly in group tenant-a: cron(0 2 * * ? *)");
      expect(sim.output()).not.toContain("not simulated");
      expect(await scheduler.send(new GetScheduleGroupCommand({ Name: "tenant-a" }))).toMatchObject({ Arn: arn, State: "ACTIVE" });
      expect((await scheduler.send(new ListTagsForResourceCommand({ ResourceArn: arn }))).Tags).toEqual([{ Key: "team", Value: "billing" }]);
      const listed = await scheduler.send(new ListSchedulesCommand({ GroupName: "tenant-a" }));
      expect(listed.Schedules!.map((s) => s.Name).sort()).toEqual(["hourly", "nightly"]);
      const nightly = await scheduler.send(new GetScheduleCommand({ Name: "nightly", GroupName: "tenant-a" }));
      expect(nightly).toMatchObject({ Arn: "arn:aws:scheduler:us-east-1:000000000000:schedule/tenant-a/nightly", Target: { Arn: "arn:aws:lambda:us-east-1:000000000000:function:report" } });
      // The same name in two groups: two schedules (review19 R19-1).
      expect((await scheduler.send(new GetScheduleCommand({ Name: "hourly" }))).GroupName).toBe("default");
      // A schedule on an alias, in a group the template does not declare: made with it (R19-2).
      const weekly = await scheduler.send(new GetScheduleCommand({ Name: "weekly", GroupName: "tenant-x" }));
      expect(weekly.Target!.Arn).toBe("arn:aws:lambda:us-east-1:000000000000:function:aliased:live");
    } finally {
      scheduler.destroy();
      await sim.kill();
    }
  });

  it("takes lambda-sim.yaml's GROUP/NAME keys, the group made at start, and a lambda:NAME:QUALIFIER target as the qualified ARN", { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "lambda-sim-groups-"));
    writeFileSync(
      join(dir, "lambda-sim.yaml"),
      [
        "functions:",
        "  report: { runtime: model, model: { durationMs: 5 } }",
        "schedules:",
        "  tick: { scheduleExpression: rate(1 hour), target: { arn: lambda:report } }",
        "  tenant-b/tick: { scheduleExpression: rate(2 hours), target: { arn: 'lambda:report:$LATEST' } }",
        "",
      ].join("\n"),
    );
    const sim = await startLambdaSim(["--config", join(dir, "lambda-sim.yaml"), "--in-memory", "--clock", "virtual"]);
    const scheduler = new SchedulerClient({ endpoint: sim.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
    try {
      expect((await scheduler.send(new GetScheduleGroupCommand({ Name: "tenant-b" }))).State).toBe("ACTIVE");
      const inGroup = await scheduler.send(new GetScheduleCommand({ Name: "tick", GroupName: "tenant-b" }));
      // Target.RoleArn is required by the API: a declared schedule has a placeholder, so get-then-update round trips (fuzz19 F11).
      expect(inGroup).toMatchObject({ ScheduleExpression: "rate(2 hours)", Target: { Arn: "arn:aws:lambda:us-east-1:000000000000:function:report:$LATEST", RoleArn: "arn:aws:iam::000000000000:role/lambda-sim-scheduler" } });
      expect((await scheduler.send(new GetScheduleCommand({ Name: "tick" }))).ScheduleExpression).toBe("rate(1 hour)");
    } finally {
      scheduler.destroy();
      await sim.kill();
    }
  });

  it("on a restart of the same state: the template's tags replace the group's, a schedule moved to another group (on an alias too) leaves the old one, API-made schedules stay; GetAtt gives the group's dates", { timeout: 90_000 }, async () => {
    const template = (tags: string, group: string) => `Transform: AWS::Serverless-2016-10-31
Resources:
  AliasedFunction:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: aliased
      Runtime: nodejs24.x
      Handler: index.handler
      InlineCode: "exports.handler = async (e) => e;"
      AutoPublishAlias: live
      Events:
        Weekly:
          Type: ScheduleV2
          Properties: { Name: weekly, GroupName: ${group}, ScheduleExpression: "cron(0 4 ? * MON *)" }
  TenantGroup:
    Type: AWS::Scheduler::ScheduleGroup
    Properties: { Name: tenant-a, Tags: ${tags} }
  OtherGroup:
    Type: AWS::Scheduler::ScheduleGroup
    Properties: { Name: tenant-b }
  Hourly:
    Type: AWS::Scheduler::Schedule
    Properties:
      Name: hourly
      GroupName: ${group}
      ScheduleExpression: rate(1 hour)
      FlexibleTimeWindow: { Mode: "OFF" }
      Target: { Arn: arn:aws:lambda:us-east-1:000000000000:function:nobody, RoleArn: arn:aws:iam::000000000000:role/x }
Outputs:
  Created: { Value: !GetAtt TenantGroup.CreationDate }
  Modified: { Value: !GetAtt TenantGroup.LastModificationDate }
`;
    const file = writeStackTemplate(template("[{ Key: team, Value: billing }, { Key: env, Value: dev }]", "!Ref TenantGroup"));
    const args = ["--template", file, "--state", join(dirname(dirname(file)), "state")];
    const arn = "arn:aws:scheduler:us-east-1:000000000000:schedule-group/tenant-a";
    const client = (endpoint: string) => new SchedulerClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });

    let sim = await startLambdaSim(args);
    let scheduler = client(sim.endpoint);
    try {
      // CreationDate and LastModificationDate: ISO 8601, the time the stack was made (a fresh state: the group's own, to the minute).
      const created = /output Created: (\S+)/.exec(sim.output())?.[1];
      expect(created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(sim.output()).toContain(`output Modified: ${created}`);
      const group = await scheduler.send(new GetScheduleGroupCommand({ Name: "tenant-a" }));
      expect(Math.abs(group.CreationDate!.getTime() - Date.parse(created!))).toBeLessThan(60_000);
      expect((await scheduler.send(new ListTagsForResourceCommand({ ResourceArn: arn }))).Tags).toEqual([{ Key: "team", Value: "billing" }, { Key: "env", Value: "dev" }]);
      expect((await scheduler.send(new GetScheduleCommand({ Name: "hourly", GroupName: "tenant-a" }))).GroupName).toBe("tenant-a");
      // The one on an alias is made through the API once the alias exists: the template's all the same.
      expect((await scheduler.send(new GetScheduleCommand({ Name: "weekly", GroupName: "tenant-a" }))).Target!.Arn).toBe("arn:aws:lambda:us-east-1:000000000000:function:aliased:live");
      // Made through the API, in the template's group: not the template's to remove.
      await scheduler.send(new CreateScheduleCommand({ Name: "by-hand", GroupName: "tenant-a", ScheduleExpression: "rate(2 hours)", FlexibleTimeWindow: { Mode: "OFF" }, Target: { Arn: "arn:aws:lambda:us-east-1:000000000000:function:nobody", RoleArn: "arn:aws:iam::000000000000:role/x" } }));
    } finally {
      scheduler.destroy();
      await sim.kill();
    }

    // The env tag taken out of the template, the schedule moved to the other group.
    writeFileSync(file, template("[{ Key: team, Value: payments }]", "!Ref OtherGroup"));
    sim = await startLambdaSim(args);
    scheduler = client(sim.endpoint);
    try {
      expect((await scheduler.send(new ListTagsForResourceCommand({ ResourceArn: arn }))).Tags).toEqual([{ Key: "team", Value: "payments" }]);
      const listed = await scheduler.send(new ListSchedulesCommand({}));
      expect(listed.Schedules!.map((x) => `${x.GroupName}/${x.Name}`).sort()).toEqual(["tenant-a/by-hand", "tenant-b/hourly", "tenant-b/weekly"]);
    } finally {
      scheduler.destroy();
      await sim.kill();
    }

    // Started on the same state without any configuration (another folder): nothing is pruned (review22 R22-6).
    sim = await startLambdaSim(args.slice(2));
    scheduler = client(sim.endpoint);
    try {
      const listed = await scheduler.send(new ListSchedulesCommand({}));
      expect(listed.Schedules!.map((x) => `${x.GroupName}/${x.Name}`).sort()).toEqual(["tenant-a/by-hand", "tenant-b/hourly", "tenant-b/weekly"]);
    } finally {
      scheduler.destroy();
      await sim.kill();
    }
  });
});
