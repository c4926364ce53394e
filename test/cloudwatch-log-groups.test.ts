import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DeleteLogGroupCommand,
  DeleteRetentionPolicyCommand,
  DescribeLogGroupsCommand,
  FilterLogEventsCommand,
  InvalidParameterException,
  ListTagsForResourceCommand,
  PutLogGroupDeletionProtectionCommand,
  PutRetentionPolicyCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  TagResourceCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { VirtualClock } from "@lambda-sim/core";
import { cloudwatchLogsSource } from "@lambda-sim/sources";
import { startTestSimulator, type TestSimulator } from "@lambda-sim/core/testing";
import { awsClientEnv } from "./support/aws-client-env.ts";

/**
 * Log groups managed as Terraform's aws_cloudwatch_log_group and deploy scripts do (T1):
 * CreateLogGroup with tags, retention, the tag operations on the group's ARN, the deprecated
 * per-group tag operations through Debian's aws CLI, a function writing into the group created
 * for it, retention expiring its events on service time, and all of it across a restart.
 */
const run = promisify(execFile);
const codeDir = fileURLToPath(new URL("./fixtures/functions/cloudwatch/", import.meta.url));
const AWS = process.env.AWS_CLI ?? "/usr/bin/aws";
const hasAwsCli = spawnSync(AWS, ["--version"], { stdio: "ignore" }).status === 0;
const ARN = (name: string) => `arn:aws:logs:us-east-1:000000000000:log-group:${name}`;
const T0 = Date.UTC(2026, 0, 1);

const dirs: string[] = [];
const sims: TestSimulator[] = [];
afterAll(async () => {
  for (const s of sims) await s.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), "lsim-loggroups-"));
  dirs.push(d);
  return d;
}

async function start(stateDir: string, clock = new VirtualClock(T0)) {
  const t = await startTestSimulator({
    stateDir,
    clock,
    functions: [{ functionName: "orders", runtime: "nodejs24.x", handler: "index.handler", codeDir, timeout: 5 }],
    sources: [cloudwatchLogsSource],
  });
  sims.push(t);
  return { t, clock, logs: new CloudWatchLogsClient(t.clientConfig), lambda: new LambdaClient(t.clientConfig) };
}

const describeGroup = async (logs: CloudWatchLogsClient, name: string) =>
  (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name }))).logGroups?.find((g) => g.logGroupName === name);

describe("CloudWatch Logs log-group management", () => {
  it("creates, tags, keeps a retention, refuses duplicates and bad values, and keeps it all across a restart", async () => {
    const dir = tmp();
    const a = await start(dir);
    await a.logs.send(new CreateLogGroupCommand({ logGroupName: "/app/orders", tags: { team: "shop", env: "dev" } }));
    await expect(a.logs.send(new CreateLogGroupCommand({ logGroupName: "/app/orders" }))).rejects.toThrow(ResourceAlreadyExistsException);
    await expect(a.logs.send(new CreateLogGroupCommand({ logGroupName: "/app/orders" }))).rejects.toThrow("The specified log group already exists");

    await a.logs.send(new PutRetentionPolicyCommand({ logGroupName: "/app/orders", retentionInDays: 14 }));
    const bad = a.logs.send(new PutRetentionPolicyCommand({ logGroupName: "/app/orders", retentionInDays: 2 }));
    await expect(bad).rejects.toThrow(InvalidParameterException);
    await expect(bad).rejects.toThrow("Value '2' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]");
    await expect(a.logs.send(new PutRetentionPolicyCommand({ logGroupName: "/app/none", retentionInDays: 7 }))).rejects.toThrow(ResourceNotFoundException);

    await a.logs.send(new TagResourceCommand({ resourceArn: ARN("/app/orders"), tags: { env: "prod", owner: "ada" } }));
    await a.logs.send(new UntagResourceCommand({ resourceArn: ARN("/app/orders"), tagKeys: ["team"] }));
    expect((await a.logs.send(new ListTagsForResourceCommand({ resourceArn: ARN("/app/orders") }))).tags).toEqual({ env: "prod", owner: "ada" });
    await expect(a.logs.send(new ListTagsForResourceCommand({ resourceArn: ARN("/app/none") }))).rejects.toThrow(ResourceNotFoundException);

    const g = await describeGroup(a.logs, "/app/orders");
    expect(g).toMatchObject({ logGroupName: "/app/orders", retentionInDays: 14, logGroupClass: "STANDARD", creationTime: T0, logGroupArn: ARN("/app/orders") });

    await a.t.close();
    const b = await start(dir);
    expect(await describeGroup(b.logs, "/app/orders")).toMatchObject({ retentionInDays: 14 });
    expect((await b.logs.send(new ListTagsForResourceCommand({ resourceArn: ARN("/app/orders") }))).tags).toEqual({ env: "prod", owner: "ada" });

    await b.logs.send(new DeleteRetentionPolicyCommand({ logGroupName: "/app/orders" }));
    expect((await describeGroup(b.logs, "/app/orders"))?.retentionInDays).toBeUndefined();
    // Deletion protection (CreateLogGroup's deletionProtectionEnabled) keeps the group until lifted.
    await b.logs.send(new CreateLogGroupCommand({ logGroupName: "/app/kept", deletionProtectionEnabled: true }));
    expect(await describeGroup(b.logs, "/app/kept")).toMatchObject({ deletionProtectionEnabled: true });
    await expect(b.logs.send(new DeleteLogGroupCommand({ logGroupName: "/app/kept" }))).rejects.toMatchObject({ name: "ValidationException", message: "Cannot delete log group with deletion protection enabled. Disable deletion protection first." });
    await b.logs.send(new PutLogGroupDeletionProtectionCommand({ logGroupIdentifier: ARN("/app/kept"), deletionProtectionEnabled: false }));
    await b.logs.send(new DeleteLogGroupCommand({ logGroupName: "/app/kept" }));
    expect(await describeGroup(b.logs, "/app/kept")).toBeUndefined();
    // Deleted, then created again: nothing of the old group's settings comes back.
    await b.logs.send(new DeleteLogGroupCommand({ logGroupName: "/app/orders" }));
    await b.logs.send(new CreateLogGroupCommand({ logGroupName: "/app/orders" }));
    expect((await b.logs.send(new ListTagsForResourceCommand({ resourceArn: ARN("/app/orders") }))).tags).toEqual({});
  });

  it("a function writes into the group created for it; its retention expires events on service time", async () => {
    const { logs, lambda, clock } = await start(tmp());
    const group = "/aws/lambda/orders";
    await logs.send(new CreateLogGroupCommand({ logGroupName: group, tags: { app: "shop" } }));
    await logs.send(new PutRetentionPolicyCommand({ logGroupName: group, retentionInDays: 1 }));
    await lambda.send(new InvokeCommand({ FunctionName: "orders", Payload: JSON.stringify({ id: 1 }) }));
    const events = async () => (await logs.send(new FilterLogEventsCommand({ logGroupName: group }))).events ?? [];
    expect((await events()).some((e) => e.message?.includes("order 1 accepted"))).toBe(true);
    expect(await describeGroup(logs, group)).toMatchObject({ retentionInDays: 1 });
    expect((await logs.send(new ListTagsForResourceCommand({ resourceArn: ARN(group) }))).tags).toEqual({ app: "shop" });

    // A day and a bit later the events are past their retention; the group stays.
    await clock.advanceBy(25 * 3_600_000);
    expect(await events()).toEqual([]);
    expect(await describeGroup(logs, group)).toMatchObject({ retentionInDays: 1, storedBytes: 0 });
    // Another function's group, auto-created by its first line, exists too: CreateLogGroup refuses it.
    await lambda.send(new InvokeCommand({ FunctionName: "orders", Payload: JSON.stringify({ id: 2 }) }));
    expect((await events()).some((e) => e.message?.includes("order 2 accepted"))).toBe(true);
    await expect(logs.send(new CreateLogGroupCommand({ logGroupName: group }))).rejects.toThrow(ResourceAlreadyExistsException);
  });

  it.skipIf(!hasAwsCli)("serves the CLI's create-log-group, put-retention-policy and the deprecated tag-log-group family", async () => {
    const { t, logs } = await start(tmp());
    const aws = (...args: string[]) => run(AWS, ["--endpoint-url", t.endpoint, "--output", "json", "logs", ...args], { env: awsClientEnv() });
    await aws("create-log-group", "--log-group-name", "/cli/g", "--tags", "a=1");
    await aws("put-retention-policy", "--log-group-name", "/cli/g", "--retention-in-days", "30");
    await aws("tag-log-group", "--log-group-name", "/cli/g", "--tags", "b=2");
    await aws("untag-log-group", "--log-group-name", "/cli/g", "--tags", "a");
    expect(JSON.parse((await aws("list-tags-log-group", "--log-group-name", "/cli/g")).stdout)).toEqual({ tags: { b: "2" } });
    const out = JSON.parse((await aws("describe-log-groups", "--log-group-name-prefix", "/cli/")).stdout);
    expect(out.logGroups[0]).toMatchObject({ logGroupName: "/cli/g", retentionInDays: 30 });
    const dup = await aws("create-log-group", "--log-group-name", "/cli/g").catch((e: { stderr: string }) => e);
    expect((dup as { stderr: string }).stderr).toContain("ResourceAlreadyExistsException");
    await aws("delete-log-group", "--log-group-name", "/cli/g");
    expect(await describeGroup(logs, "/cli/g")).toBeUndefined();
    // Eight aws CLI runs (a Python start each, 1-3 s on a loaded 2-core machine): the default 30 s was hit in CI.
  }, 90_000);
});
