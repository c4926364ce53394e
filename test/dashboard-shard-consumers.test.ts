import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { CreateEventSourceMappingCommand, CreateFunctionCommand, DeleteEventSourceMappingCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { CreateStreamCommand, DeleteStreamCommand, KinesisClient, PutRecordCommand } from "@aws-sdk/client-kinesis";
import { zipFiles } from "@lambda-sim/core/testing";
import { startLambdaSim, type LambdaSimProcess } from "./support/lambda-sim-process.ts";
import { until } from "./support/until.ts";

/**
 * The dashboard's `shardConsumers` view (each stream shard's consumer as its last batch left it)
 * keeps only live consumers: once a mapping is deleted (DeleteEventSourceMapping) or its stream is
 * (DeleteStream), its shards leave the view, so a sampled `views` frame does not resend them.
 */
let sim: LambdaSimProcess | undefined;
afterEach(async () => {
  await sim?.kill();
  sim = undefined;
});

type Shard = { mappingId: string; shardId: string; eventSourceArn: string };

describe("dashboard shardConsumers view", () => {
  it("forgets a deleted mapping's shards and a deleted stream's", { timeout: 60_000 }, async () => {
    sim = await startLambdaSim(["--in-memory"]);
    const config = { endpoint: sim.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" }, maxAttempts: 1 };
    const lambda = new LambdaClient(config);
    const kinesis = new KinesisClient(config);
    const ws = new WebSocket(`${sim.endpoint.replace("http", "ws")}/_sim/events`);
    let latest: Shard[] | undefined;
    ws.on("message", (data) => {
      const f = JSON.parse(String(data)) as { kind: string; views?: { shardConsumers?: Shard[] } };
      if ((f.kind === "views" || f.kind === "snapshot") && f.views?.shardConsumers !== undefined) latest = f.views.shardConsumers;
    });
    await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
    /** The view as a sampled frame sent after now carries it. */
    const sampled = async (): Promise<Shard[]> => {
      latest = undefined;
      ws.send('{"kind":"sample"}');
      await until(() => latest !== undefined);
      return latest!;
    };
    try {
      await lambda.send(new CreateFunctionCommand({ FunctionName: "reader", Runtime: "nodejs24.x", Handler: "index.handler", Role: "arn:aws:iam::000000000000:role/r", Code: { ZipFile: await zipFiles([{ name: "index.mjs", data: "export const handler = async () => ({});\n" }]) } }));
      const arns: Record<string, string> = {};
      const uuids: Record<string, string> = {};
      for (const name of ["s1", "s2"]) {
        await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
        arns[name] = `arn:aws:kinesis:us-east-1:000000000000:stream/${name}`;
        uuids[name] = (await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "reader", EventSourceArn: arns[name], StartingPosition: "TRIM_HORIZON", BatchSize: 10 }))).UUID!;
        await kinesis.send(new PutRecordCommand({ StreamName: name, PartitionKey: "k", Data: Buffer.from("{}") }));
      }
      await until(async () => (await sampled()).length === 2, 30_000);
      expect((await sampled()).map((s) => s.mappingId).sort()).toEqual([uuids.s1, uuids.s2].sort());

      await lambda.send(new DeleteEventSourceMappingCommand({ UUID: uuids.s1 }));
      await until(async () => !(await sampled()).some((s) => s.mappingId === uuids.s1), 10_000);
      expect((await sampled()).map((s) => s.eventSourceArn)).toEqual([arns.s2]);

      await kinesis.send(new DeleteStreamCommand({ StreamName: "s2" }));
      await until(async () => (await sampled()).length === 0, 10_000);
    } finally {
      ws.close();
      lambda.destroy();
      kinesis.destroy();
    }
  });
});
