import { execFile, spawnSync } from "node:child_process";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import {
  ConflictException,
  CreateScheduleCommand,
  CreateScheduleGroupCommand,
  DeleteScheduleGroupCommand,
  GetScheduleCommand,
  GetScheduleGroupCommand,
  ListScheduleGroupsCommand,
  ListSchedulesCommand,
  ListTagsForResourceCommand,
  ResourceNotFoundException,
  SchedulerClient,
  TagResourceCommand,
  UntagResourceCommand,
  ValidationException,
} from "@aws-sdk/client-scheduler";
import { schedulesSource, sqsSource } from "@lambda-sim/sources";
import { TelemetryRecorder } from "@lambda-sim/core/testing";
import { VirtualClock, type FunctionDefinition } from "@lambda-sim/core";
import { perTestSimulator } from "./support/per-test-simulator.ts";
import { until } from "./support/until.ts";
import { awsClientEnv } from "./support/aws-client-env.ts";

/**
 * EventBridge Scheduler's schedule groups (CreateScheduleGroup, Get, List, Delete, tags): a
 * Terraform `aws_scheduler_schedule_group` or an SDK call that files schedules per tenant or per
 * campaign was refused with "Schedule group X does not exist" whatever it did.
 */
const codeDir = fileURLToPath(new URL("./fixtures/functions/schedule-recorder/", import.meta.url));
const recorder: FunctionDefinition = { functionName: "recorder", runtime: "nodejs24.x", handler: "index.handler", codeDir, timeout: 3 };
const TARGET = { Arn: "arn:aws:lambda:us-east-1:000000000000:function:recorder", RoleArn: "arn:aws:iam::000000000000:role/scheduler" };
const GROUP_ARN = "arn:aws:scheduler:us-east-1:000000000000:schedule-group/tenant-a";

/** boto3 (Debian's 1.26): a CreateScheduleGroup sent twice with one ClientToken, then with another. */
const BOTO3_RETRY = `
import json, os, boto3, botocore
s = boto3.client("scheduler", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
a = s.create_schedule_group(Name="boto3-group", ClientToken="tok")["ScheduleGroupArn"]
b = s.create_schedule_group(Name="boto3-group", ClientToken="tok")["ScheduleGroupArn"]
try:
    s.create_schedule_group(Name="boto3-group")
    conflict = None
except botocore.exceptions.ClientError as e:
    conflict = e.response["Error"]["Code"]
print(json.dumps({"same": a == b, "conflict": conflict}))
`;

const debianBoto3 = spawnSync("/usr/bin/python3", ["-c", "import boto3"], { stdio: "ignore" }).status === 0;

const sims = perTestSimulator();
const clients: { destroy(): void }[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.destroy();
});

async function start(clock?: VirtualClock) {
  const t = await sims.start({ functions: [recorder], sources: [sqsSource, schedulesSource], clock, stateDir: sims.stateDir() });
  const scheduler = new SchedulerClient({ ...t.clientConfig, maxAttempts: 1 });
  clients.push(scheduler);
  return { t, scheduler };
}

const fails = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as Error);

describe("EventBridge Scheduler schedule groups", () => {
  it("creates, gets, lists and tags a group; schedules live in it; both survive a restart", async () => {
    const clock = new VirtualClock(Date.parse("2026-12-06T09:00:00Z"));
    let { scheduler } = await start(clock);
    const created = await scheduler.send(new CreateScheduleGroupCommand({ Name: "tenant-a", Tags: [{ Key: "team", Value: "billing" }] }));
    expect(created.ScheduleGroupArn).toBe(GROUP_ARN);
    expect(await fails(scheduler.send(new CreateScheduleGroupCommand({ Name: "tenant-a" })))).toBeInstanceOf(ConflictException);

    const { ScheduleArn } = await scheduler.send(new CreateScheduleCommand({ Name: "nightly", GroupName: "tenant-a", ScheduleExpression: "cron(0 2 * * ? *)", FlexibleTimeWindow: { Mode: "OFF" }, Target: TARGET }));
    expect(ScheduleArn).toBe("arn:aws:scheduler:us-east-1:000000000000:schedule/tenant-a/nightly");
    // The same name in another group is another schedule.
    await scheduler.send(new CreateScheduleCommand({ Name: "nightly", ScheduleExpression: "cron(0 3 * * ? *)", FlexibleTimeWindow: { Mode: "OFF" }, Target: TARGET }));
    expect((await scheduler.send(new GetScheduleCommand({ Name: "nightly", GroupName: "tenant-a" }))).ScheduleExpression).toBe("cron(0 2 * * ? *)");
    expect((await scheduler.send(new ListSchedulesCommand({ GroupName: "tenant-a" }))).Schedules!.map((s) => [s.GroupName, s.Name])).toEqual([["tenant-a", "nightly"]]);

    await scheduler.send(new TagResourceCommand({ ResourceArn: GROUP_ARN, Tags: [{ Key: "env", Value: "dev" }, { Key: "team", Value: "payments" }] }));
    await scheduler.send(new UntagResourceCommand({ ResourceArn: GROUP_ARN, TagKeys: ["env"] }));

    ({ scheduler } = await start(clock));
    const group = await scheduler.send(new GetScheduleGroupCommand({ Name: "tenant-a" }));
    expect(group).toMatchObject({ Arn: GROUP_ARN, Name: "tenant-a", State: "ACTIVE", CreationDate: new Date("2026-12-06T09:00:00Z"), LastModificationDate: new Date("2026-12-06T09:00:00Z") });
    expect((await scheduler.send(new ListScheduleGroupsCommand({}))).ScheduleGroups!.map((g) => [g.Name, g.State])).toEqual([["default", "ACTIVE"], ["tenant-a", "ACTIVE"]]);
    expect((await scheduler.send(new ListScheduleGroupsCommand({ NamePrefix: "ten" }))).ScheduleGroups!.map((g) => g.Name)).toEqual(["tenant-a"]);
    expect((await scheduler.send(new ListTagsForResourceCommand({ ResourceArn: GROUP_ARN }))).Tags).toEqual([{ Key: "team", Value: "payments" }]);
    expect((await scheduler.send(new GetScheduleCommand({ Name: "nightly", GroupName: "tenant-a" }))).GroupName).toBe("tenant-a");
  });

  it("deleting a group deletes its schedules, which never fire again; the default group stays", async () => {
    const clock = new VirtualClock(Date.parse("2026-12-06T09:00:00Z"));
    const { t, scheduler } = await start(clock);
    const logs = new TelemetryRecorder(t.sim.telemetry);
    const fired = () => logs.of("function.log").filter((e) => e.text.includes("EVENT ")).length;
    await scheduler.send(new CreateScheduleGroupCommand({ Name: "tenant-a" }));
    await scheduler.send(new CreateScheduleCommand({ Name: "tick", GroupName: "tenant-a", ScheduleExpression: "rate(1 hour)", FlexibleTimeWindow: { Mode: "OFF" }, Target: { ...TARGET, Input: "{}" } }));
    await clock.advanceBy(0);
    await until(() => fired() === 1);
    // The simulator's own views tell the groups apart, and fire a group's schedule on demand.
    const listed = (await (await fetch(`${t.sim.endpoint}/_sim/schedules`)).json()) as { group: string; name: string }[];
    expect(listed).toEqual([expect.objectContaining({ group: "tenant-a", name: "tick" })]);
    const missing = await fetch(`${t.sim.endpoint}/_sim/schedules/tick/fire`, { method: "POST" });
    expect(missing.status).not.toBe(200);
    // It says which there are (newuser11 N1-9).
    expect(await missing.text()).toContain("no schedule or rule named tick (there are: tenant-a/tick;");
    expect(await (await fetch(`${t.sim.endpoint}/_sim/schedules/tenant-a/tick/fire`, { method: "POST" })).json()).toMatchObject({ fired: "tick", group: "tenant-a" });
    await until(() => fired() === 2);
    await scheduler.send(new DeleteScheduleGroupCommand({ Name: "tenant-a" }));
    expect(await fails(scheduler.send(new GetScheduleGroupCommand({ Name: "tenant-a" })))).toBeInstanceOf(ResourceNotFoundException);
    expect(await fails(scheduler.send(new GetScheduleCommand({ Name: "tick", GroupName: "tenant-a" })))).toBeInstanceOf(ResourceNotFoundException);
    expect((await scheduler.send(new ListSchedulesCommand({}))).Schedules).toEqual([]);
    await clock.advanceBy(3 * 3_600_000);
    expect(fired()).toBe(2);

    const deleteDefault = await fails(scheduler.send(new DeleteScheduleGroupCommand({ Name: "default" })));
    expect(deleteDefault).toBeInstanceOf(ValidationException);
    expect((await scheduler.send(new GetScheduleGroupCommand({ Name: "default" }))).State).toBe("ACTIVE");
  });

  it("refuses a schedule, a tag or a lookup naming a group that does not exist, with AWS's error", async () => {
    const { scheduler } = await start();
    const missing = await fails(scheduler.send(new CreateScheduleCommand({ Name: "x", GroupName: "nope", ScheduleExpression: "rate(1 hour)", FlexibleTimeWindow: { Mode: "OFF" }, Target: TARGET })));
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
    expect(missing!.message).toBe("Schedule group nope does not exist.");
    expect(await fails(scheduler.send(new DeleteScheduleGroupCommand({ Name: "nope" })))).toBeInstanceOf(ResourceNotFoundException);
    expect(await fails(scheduler.send(new ListSchedulesCommand({ GroupName: "nope" })))).toBeInstanceOf(ResourceNotFoundException);
    expect(await fails(scheduler.send(new ListTagsForResourceCommand({ ResourceArn: "arn:aws:scheduler:us-east-1:000000000000:schedule-group/nope" })))).toBeInstanceOf(ResourceNotFoundException);
    // The model's own checks: a group name outside its pattern, a tag ARN that is not a group's.
    expect(await fails(scheduler.send(new CreateScheduleGroupCommand({ Name: "bad name" })))).toBeInstanceOf(ValidationException);
    expect(await fails(scheduler.send(new ListTagsForResourceCommand({ ResourceArn: "arn:aws:scheduler:us-east-1:000000000000:schedule/default/x" })))).toBeInstanceOf(ValidationException);
  });

  it("answers a CreateScheduleGroup retried with its ClientToken with the group; refuses tags on the default group, past 50, or under aws:", async () => {
    const { t, scheduler } = await start();
    // An SDK retry after a lost answer sends the same ClientToken: the group it made, not a conflict.
    const first = await scheduler.send(new CreateScheduleGroupCommand({ Name: "tenant-a", ClientToken: "retry-1" }));
    expect(await scheduler.send(new CreateScheduleGroupCommand({ Name: "tenant-a", ClientToken: "retry-1" }))).toMatchObject({ ScheduleGroupArn: first.ScheduleGroupArn });
    expect(await fails(scheduler.send(new CreateScheduleGroupCommand({ Name: "tenant-a", ClientToken: "another" })))).toBeInstanceOf(ConflictException);
    // boto3 sends its own token too (as the aws CLI does). Where Debian's boto3 is missing, the JS SDK's calls above stand alone.
    if (debianBoto3) {
      const { stdout } = await promisify(execFile)("/usr/bin/python3", ["-c", BOTO3_RETRY], { env: awsClientEnv(t.endpoint, "/usr/bin:/bin"), timeout: 30_000 });
      expect(JSON.parse(stdout)).toEqual({ same: true, conflict: "ConflictException" });
    }

    const DEFAULT_ARN = "arn:aws:scheduler:us-east-1:000000000000:schedule-group/default";
    const onDefault = await fails(scheduler.send(new TagResourceCommand({ ResourceArn: DEFAULT_ARN, Tags: [{ Key: "team", Value: "x" }] })));
    expect(onDefault).toBeInstanceOf(ValidationException);
    expect(onDefault!.message).toBe("You cannot edit the default group.");
    expect(await fails(scheduler.send(new UntagResourceCommand({ ResourceArn: DEFAULT_ARN, TagKeys: ["team"] })))).toBeInstanceOf(ValidationException);
    expect((await scheduler.send(new ListTagsForResourceCommand({ ResourceArn: DEFAULT_ARN }))).Tags).toEqual([]);

    const tags = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ Key: `k${from + i}`, Value: "v" }));
    await scheduler.send(new TagResourceCommand({ ResourceArn: GROUP_ARN, Tags: tags(0, 49) }));
    // Overwriting a key adds none; the 50th is fine, the 51st is not.
    await scheduler.send(new TagResourceCommand({ ResourceArn: GROUP_ARN, Tags: [...tags(0, 1), ...tags(49, 1)] }));
    const tooMany = await fails(scheduler.send(new TagResourceCommand({ ResourceArn: GROUP_ARN, Tags: tags(50, 1) })));
    expect(tooMany).toBeInstanceOf(ValidationException);
    expect(tooMany!.message).toBe("A schedule group can have at most 50 tags; this request would leave it 51.");
    expect(await fails(scheduler.send(new CreateScheduleGroupCommand({ Name: "crowded", Tags: tags(0, 51) })))).toBeInstanceOf(ValidationException);
    const reserved = await fails(scheduler.send(new TagResourceCommand({ ResourceArn: GROUP_ARN, Tags: [{ Key: "aws:cloudformation:stack-name", Value: "x" }] })));
    expect(reserved).toBeInstanceOf(ValidationException);
    expect(reserved!.message).toBe("Tag key aws:cloudformation:stack-name is invalid: the aws: prefix is reserved for AWS use.");
    expect(await fails(scheduler.send(new CreateScheduleGroupCommand({ Name: "reserved", Tags: [{ Key: "AWS:x", Value: "y" }] })))).toBeInstanceOf(ValidationException);
    expect((await scheduler.send(new ListTagsForResourceCommand({ ResourceArn: GROUP_ARN }))).Tags).toHaveLength(50);
    expect(await fails(scheduler.send(new GetScheduleGroupCommand({ Name: "crowded" })))).toBeInstanceOf(ResourceNotFoundException);
  });
});
