import { beforeEach, describe, expect, it } from "vitest";
import { CloudWatchLogsClient, DescribeLogGroupsCommand, DescribeLogStreamsCommand, paginateDescribeLogGroups, paginateDescribeLogStreams } from "@aws-sdk/client-cloudwatch-logs";
import { cloudwatchLogsSource } from "@lambda-sim/sources";
import { perTestSimulator } from "./support/per-test-simulator.ts";
import { HAS_BOTO3, runBoto3 } from "./support/boto3-script.ts";

// F5 follow-up: DescribeLogStreams' nextToken was an offset, so a stream created while paging
// shifted the rest. Tokens now name the last item returned, for log groups too.
const sims = perTestSimulator({ sources: [cloudwatchLogsSource] });
let logs: CloudWatchLogsClient;

/** A function's output line, as its environment reports it (no process needed). */
const output = (functionName: string, environmentId: string) =>
  sims.current.sim.telemetry.emit({ type: "function.log", functionName, environmentId, text: `hello from ${environmentId}\n` });

async function groupNames(prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const p of paginateDescribeLogGroups({ client: logs }, { logGroupNamePrefix: prefix })) out.push(...p.logGroups!.map((g) => g.logGroupName!));
  return out;
}

describe("CloudWatch Logs list pagination", () => {
  beforeEach(async () => {
    logs = new CloudWatchLogsClient({ ...(await sims.start()).clientConfig, maxAttempts: 1 });
    return () => logs.destroy();
  });

  it.skipIf(!HAS_BOTO3)("a boto3 paginator deleting every log group of each page deletes all 60 in one pass (skipped without boto3)", async () => {
    for (let i = 0; i < 60; i++) output(`sweep-${String(i).padStart(2, "0")}`, `env-sweep-${i}`);
    expect(await groupNames("/aws/lambda/sweep-")).toHaveLength(60);
    const r = await runBoto3(sims.current.endpoint, [
      "import os, boto3",
      "l = boto3.client('logs', endpoint_url=os.environ['ENDPOINT'])",
      "pages = deleted = 0",
      "for p in l.get_paginator('describe_log_groups').paginate(logGroupNamePrefix='/aws/lambda/sweep-'):",
      "    pages += 1",
      "    for g in p['logGroups']:",
      "        l.delete_log_group(logGroupName=g['logGroupName']); deleted += 1",
      "print(pages, deleted)",
    ]);
    expect(r.stderr).toBe("");
    // 50 a page without `limit` (API reference).
    expect(r.stdout.trim()).toBe("2 60");
    expect(await groupNames("/aws/lambda/sweep-")).toEqual([]);
  });

  it("the JS SDK's DescribeLogStreams paginator lists each stream once, in either order, while streams are created", async () => {
    for (let i = 0; i < 12; i++) output("streams", `env-${String(i).padStart(2, "0")}`);
    const group = "/aws/lambda/streams";
    const all = (await logs.send(new DescribeLogStreamsCommand({ logGroupName: group }))).logStreams!.map((s) => s.logStreamName!);
    expect(all).toHaveLength(12);
    expect(all).toEqual([...all].sort());
    for (const descending of [false, true]) {
      const seen: string[] = [];
      for await (const p of paginateDescribeLogStreams({ client: logs, pageSize: 5 }, { logGroupName: group, descending })) {
        expect(p.logStreams!.length).toBeLessThanOrEqual(5);
        seen.push(...p.logStreams!.map((s) => s.logStreamName!));
      }
      expect(seen).toEqual(descending ? [...all].reverse() : all);
    }
    // A stream created after the first page, named before its position, is not listed; the rest are, once.
    const first = await logs.send(new DescribeLogStreamsCommand({ logGroupName: group, limit: 5 }));
    output("streams", "env-00a");
    const names = [...first.logStreams!.map((s) => s.logStreamName!)];
    let nextToken = first.nextToken;
    while (nextToken !== undefined) {
      const p = await logs.send(new DescribeLogStreamsCommand({ logGroupName: group, limit: 5, nextToken }));
      names.push(...p.logStreams!.map((s) => s.logStreamName!));
      nextToken = p.nextToken;
    }
    expect(names).toEqual(all);
  });

  it("a nextToken not handed out is InvalidParameterException; limit takes 1-50", async () => {
    output("tokens", "env-t");
    for (const nextToken of ["garbage", Buffer.from("5").toString("base64")]) {
      await expect(logs.send(new DescribeLogStreamsCommand({ logGroupName: "/aws/lambda/tokens", nextToken }))).rejects.toMatchObject({ name: "InvalidParameterException", message: "The specified nextToken is invalid." });
      await expect(logs.send(new DescribeLogGroupsCommand({ nextToken }))).rejects.toMatchObject({ name: "InvalidParameterException" });
    }
    await expect(logs.send(new DescribeLogGroupsCommand({ limit: 51 }))).rejects.toMatchObject({ name: "InvalidParameterException" });
  });
});
