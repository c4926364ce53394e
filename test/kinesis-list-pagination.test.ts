import { beforeEach, describe, expect, it } from "vitest";
import { CreateStreamCommand, KinesisClient, ListShardsCommand, ListStreamsCommand, paginateListStreams } from "@aws-sdk/client-kinesis";
import { kinesisSource } from "@lambda-sim/sources";
import { perTestSimulator } from "./support/per-test-simulator.ts";
import { HAS_BOTO3, runBoto3 } from "./support/boto3-script.ts";

// F5 follow-up: ListStreams answered as many streams as Limit asked (AWS: at most 100) and read
// any string as a NextToken.
const sims = perTestSimulator({ sources: [kinesisSource] });
let kinesis: KinesisClient;

async function createStreams(prefix: string, n: number): Promise<string[]> {
  const names = Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(3, "0")}`);
  for (const StreamName of names) await kinesis.send(new CreateStreamCommand({ StreamName, ShardCount: 1 }));
  return names;
}

describe("Kinesis list pagination", () => {
  beforeEach(async () => {
    kinesis = new KinesisClient({ ...(await sims.start()).clientConfig, maxAttempts: 1 });
    return () => kinesis.destroy();
  });

  it.skipIf(!HAS_BOTO3)("a boto3 paginator deleting every stream of each page deletes all 10 in one pass (skipped without boto3)", async () => {
    await createStreams("sweep", 10);
    const r = await runBoto3(sims.current.endpoint, [
      "import os, boto3",
      "k = boto3.client('kinesis', endpoint_url=os.environ['ENDPOINT'])",
      "deleted = 0",
      "for p in k.get_paginator('list_streams').paginate(PaginationConfig={'PageSize': 3}):",
      "    for n in p['StreamNames']:",
      "        if n.startswith('sweep-'): k.delete_stream(StreamName=n); deleted += 1",
      "print(deleted)",
    ]);
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("10");
    expect((await kinesis.send(new ListStreamsCommand({}))).StreamNames!.filter((n) => n.startsWith("sweep-"))).toEqual([]);
  });

  it("ListStreams answers at most 100 streams whatever Limit says, and the JS SDK's paginator lists them all", async () => {
    const names = await createStreams("many", 105);
    const first = await kinesis.send(new ListStreamsCommand({ Limit: 10_000 }));
    expect([first.StreamNames!.length, first.HasMoreStreams, typeof first.NextToken]).toEqual([100, true, "string"]);
    const seen: string[] = [];
    for await (const p of paginateListStreams({ client: kinesis }, {})) seen.push(...p.StreamNames!);
    expect(seen.filter((n) => n.startsWith("many-"))).toEqual(names);
  });

  it("a NextToken not handed out is InvalidArgumentException; Limit and MaxResults take the model's ranges", async () => {
    // The second token names a stream that exists, though not as a token handed out does.
    await createStreams("many", 2);
    for (const NextToken of ["garbage", Buffer.from("many-001").toString("base64")]) {
      await expect(kinesis.send(new ListStreamsCommand({ NextToken }))).rejects.toMatchObject({ name: "InvalidArgumentException" });
    }
    await expect(kinesis.send(new ListStreamsCommand({ Limit: 10_001 }))).rejects.toMatchObject({ name: "ValidationException" });
    await kinesis.send(new CreateStreamCommand({ StreamName: "wide", ShardCount: 3 }));
    const shards = await kinesis.send(new ListShardsCommand({ StreamName: "wide", MaxResults: 10_000 }));
    expect([shards.Shards!.length, shards.NextToken]).toEqual([3, undefined]);
  });
});
