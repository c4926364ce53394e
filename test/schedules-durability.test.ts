import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { CreateScheduleCommand, CreateScheduleGroupCommand, GetScheduleCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { startLambdaSim } from "./support/lambda-sim-process.ts";
import { until } from "./support/until.ts";

const codeDir = fileURLToPath(new URL("./fixtures/functions/schedule-recorder/", import.meta.url));
const FUNCTION_ARN = "arn:aws:lambda:us-east-1:000000000000:function:recorder";
const ROLE = "arn:aws:iam::000000000000:role/scheduler";
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const start = (dir: string, extra: string[] = []) => startLambdaSim(["--config", join(dir, "lambda-sim.yaml"), "--state", join(dir, "state"), ...extra]);

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), "lambda-sim-schedules-crash-"));
  dirs.push(dir);
  writeFileSync(join(dir, "lambda-sim.yaml"), `functions:\n  recorder: { runtime: nodejs24.x, handler: index.handler, codeUri: ${JSON.stringify(codeDir)}, timeout: 3 }\n`);
  return dir;
}

const client = (endpoint: string) => new SchedulerClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" }, maxAttempts: 1 });
const fireTimeIn = (ms: number) => new Date(Math.ceil((Date.now() + ms) / 1000) * 1000).toISOString().slice(0, 19);
const count = (text: string, needle: string) => text.split(needle).length - 1;

describe("schedules across a SIGKILL and restart", () => {
  it("resume, and report the fires missed while down in one line", async () => {
    const dir = project();
    const first = await start(dir);
    let scheduler = client(first.endpoint);
    // A rate schedule fires as it is created, then each minute; a one-time schedule 1.5 s ahead,
    // killed before it comes.
    await scheduler.send(new CreateScheduleCommand({ Name: "minutely", ScheduleExpression: "rate(1 minute)", FlexibleTimeWindow: { Mode: "OFF" }, Target: { Arn: FUNCTION_ARN, RoleArn: ROLE, Input: '{"n":"minutely"}' } }));
    await until(() => first.output().includes('EVENT {"n":"minutely"}'));
    const at = fireTimeIn(1500);
    // In a group of its own: the warning names it as the config keys it, group first (newuser11 N1-10).
    await scheduler.send(new CreateScheduleGroupCommand({ Name: "batch" }));
    await scheduler.send(new CreateScheduleCommand({ Name: "once", GroupName: "batch", ScheduleExpression: `at(${at})`, FlexibleTimeWindow: { Mode: "OFF" }, Target: { Arn: FUNCTION_ARN, RoleArn: ROLE, Input: '{"n":"once"}' } }));
    await first.kill();
    scheduler.destroy();
    expect(first.output()).not.toContain('EVENT {"n":"once"}');
    await until(() => Date.parse(`${at}Z`) + 300 < Date.now());

    // Restarted 60× faster: the minutely schedule's next fire (a minute after creation) comes within a second.
    const second = await start(dir, ["--time-scale", "60"]);
    scheduler = client(second.endpoint);
    expect((await scheduler.send(new GetScheduleCommand({ Name: "once", GroupName: "batch" }))).ScheduleExpression).toBe(`at(${at})`);
    await until(() => second.output().includes('EVENT {"n":"minutely"}'));
    // One line. (On a loaded machine the 60× clock can pass the minutely's next fire while the
    // server is still starting; then it is listed too.)
    expect(second.output()).toMatch(/lambda-sim: warning: schedules: \d+ fire\(s\) were due while lambda-sim was down: (minutely \(1\), )?batch\/once \(1\); skipped them \(start with --catch-up for one catch-up fire per schedule\)\n/);
    expect(second.output()).not.toContain('EVENT {"n":"once"}');
    scheduler.destroy();
  }, 60_000);

  it("with --catch-up fire a missed schedule once", async () => {
    const dir = project();
    const first = await start(dir);
    const scheduler = client(first.endpoint);
    const at = fireTimeIn(1000);
    // In a group of its own: the warning names it as the config keys it, group first (newuser11 N1-10).
    await scheduler.send(new CreateScheduleGroupCommand({ Name: "batch" }));
    await scheduler.send(new CreateScheduleCommand({ Name: "once", GroupName: "batch", ScheduleExpression: `at(${at})`, FlexibleTimeWindow: { Mode: "OFF" }, Target: { Arn: FUNCTION_ARN, RoleArn: ROLE, Input: '{"n":"once"}' } }));
    await first.kill();
    scheduler.destroy();
    await until(() => Date.parse(`${at}Z`) + 300 < Date.now());
    const second = await start(dir, ["--catch-up"]);
    await until(() => second.output().includes('EVENT {"n":"once"}'));
    expect(second.output()).toContain("fired each schedule once to catch up (--catch-up)");
    // No fire of it is armed any more, so the one fire seen is the only one there will be.
    const listed = (await (await fetch(`${second.endpoint}/_sim/schedules`)).json()) as { name: string; nextFireAt: string | null; lastFireAt?: string }[];
    expect(listed.find((s) => s.name === "once")).toMatchObject({ nextFireAt: null, lastFireAt: expect.any(String) });
    expect(count(second.output(), 'EVENT {"n":"once"}')).toBe(1);
  }, 60_000);
});
