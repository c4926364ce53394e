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

/**
 * EventBridge Scheduler's schedule groups (CreateScheduleGroup, Get, List, Delete, tags): a
 * Terraform `aws_scheduler_schedule_group` or an SDK call that files schedules per tenant or per
 * campaign was refused with "Schedule group X does not exist" whatever it did.
 */
const codeDir = fileURLToPath(new URL("./fixtures/functions/schedule-recorder/", import.meta.url));
const recorder: FunctionDefinition = { functionName: "recorder", runtime: "nodejs24.x", handler: "index.handler", codeDir, timeout: 3 };
const TARGET = { Arn: "arn:aws:lambda:us-east-1:000000000000:function:recorder", RoleArn: "arn:aws:iam::000000000000:role/scheduler" };
const GROUP_ARN = "arn:aws:scheduler:us-east-1:000000000000:schedule-group/tenant-a";

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
    expect((await fetch(`${t.sim.endpoint}/_sim/schedules/tick/fire`, { method: "POST" })).status).not.toBe(200);
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
});
