import { beforeEach, describe, expect, it } from "vitest";
import { CreateScheduleCommand, DeleteScheduleCommand, ListSchedulesCommand, SchedulerClient, paginateListSchedules } from "@aws-sdk/client-scheduler";
import { schedulesSource, sqsSource } from "@lambda-sim/sources";
import { perTestSimulator } from "./support/per-test-simulator.ts";
import { HAS_BOTO3, runBoto3 } from "./support/boto3-script.ts";

// F5 (newuser7): ListSchedules' NextToken was an offset ("7"), so deleting the schedules of each
// page while paging left 14 of 30. Tokens now name the last schedule returned.
const sims = perTestSimulator({ sources: [sqsSource, schedulesSource] });
let scheduler: SchedulerClient;

// Far in the future: nothing fires while the test runs.
const create = (Name: string) =>
  scheduler.send(new CreateScheduleCommand({ Name, ScheduleExpression: "at(2099-01-01T00:00:00)", FlexibleTimeWindow: { Mode: "OFF" }, Target: { Arn: "arn:aws:lambda:us-east-1:000000000000:function:none", RoleArn: "arn:aws:iam::000000000000:role/r" } }));

async function names(NamePrefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const p of paginateListSchedules({ client: scheduler }, { NamePrefix })) out.push(...(p.Schedules ?? []).map((s) => s.Name!));
  return out;
}

describe("EventBridge Scheduler list pagination", () => {
  beforeEach(async () => {
    scheduler = new SchedulerClient({ ...(await sims.start()).clientConfig, maxAttempts: 1 });
    return () => scheduler.destroy();
  });

  it.skipIf(!HAS_BOTO3)("a boto3 paginator deleting every schedule of each page deletes all 30 in one pass (skipped without boto3)", async () => {
    for (let i = 0; i < 30; i++) await create(`sweep-${String(i).padStart(2, "0")}`);
    const r = await runBoto3(sims.current.endpoint, [
      "import os, boto3",
      "s = boto3.client('scheduler', endpoint_url=os.environ['ENDPOINT'])",
      "pages = deleted = 0",
      "for p in s.get_paginator('list_schedules').paginate(NamePrefix='sweep-', PaginationConfig={'PageSize': 7}):",
      "    pages += 1",
      "    for x in p['Schedules']:",
      "        s.delete_schedule(Name=x['Name'], GroupName=x['GroupName']); deleted += 1",
      "print(pages, deleted)",
    ]);
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("5 30");
    expect(await names("sweep-")).toEqual([]);
  });

  it("the JS SDK's paginator lists each schedule once while each page is deleted and new ones are created behind and ahead", async () => {
    const made = Array.from({ length: 10 }, (_, i) => `js-${i}`);
    for (const n of made) await create(n);
    const seen: string[] = [];
    for await (const p of paginateListSchedules({ client: scheduler, pageSize: 3 }, { NamePrefix: "js-" })) {
      const page = p.Schedules!.map((s) => s.Name!);
      seen.push(...page);
      for (const Name of page) await scheduler.send(new DeleteScheduleCommand({ Name }));
      if (seen.length === 3) {
        await create("js-0a"); // behind the position reached: not listed
        await create("js-9a"); // ahead: listed
      }
    }
    expect(seen).toEqual([...made, "js-9a"]);
  });

  it("MaxResults takes 1-100; a NextToken not handed out is a ValidationException", async () => {
    await expect(scheduler.send(new ListSchedulesCommand({ MaxResults: 101 }))).rejects.toMatchObject({ name: "ValidationException" });
    for (const NextToken of ["7", "garbage"]) {
      await expect(scheduler.send(new ListSchedulesCommand({ NextToken }))).rejects.toMatchObject({ name: "ValidationException", message: "The NextToken provided is invalid." });
    }
  });
});
