import { describe, expect, it } from "vitest";
import { CreateStreamCommand, DeleteStreamCommand, DescribeStreamSummaryCommand, KinesisClient, ListStreamsCommand, PutRecordsCommand, ResourceInUseException, ResourceNotFoundException } from "@aws-sdk/client-kinesis";
import { SendMessageCommand, CreateQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import { VirtualClock } from "@lambda-sim/core";
import { kinesisSource, sqsSource } from "@lambda-sim/sources";
import type { TestSimulator } from "@lambda-sim/core/testing";
import { perTestSimulator } from "./support/per-test-simulator.ts";
import { until } from "./support/until.ts";

/**
 * fuzz19 F15: DeleteStream of a large stream answered only once one DELETE of all its records had
 * run, holding every other request and timer meanwhile (1.3 s per 100,000 records). Now it answers
 * at once, the stream DELETING while its records go in chunks, and a restart finishes the delete.
 */
const sims = perTestSimulator();
const RECORDS = 40_000;
const DATA = Buffer.alloc(1000, "x");

/** `count` records of 1 KB into `stream`, 500 per PutRecords. */
async function fill(kinesis: KinesisClient, stream: string, count: number): Promise<void> {
  for (let i = 0; i < count; i += 500) {
    const Records = Array.from({ length: Math.min(500, count - i) }, (_, j) => ({ PartitionKey: `k${i + j}`, Data: DATA }));
    const out = await kinesis.send(new PutRecordsCommand({ StreamName: stream, Records }));
    expect(out.FailedRecordCount).toBe(0);
  }
}

/** Records the store still holds for `stream` (what no API shows once the stream is gone: orphans). */
const storedRecords = (t: TestSimulator, stream: string) => t.sim.store.db.prepare("SELECT COUNT(*) FROM kinesis_records WHERE stream = ?").pluck().get(stream) as number;

const status = (kinesis: KinesisClient, stream: string) =>
  kinesis.send(new DescribeStreamSummaryCommand({ StreamName: stream })).then(
    (d) => d.StreamDescriptionSummary?.StreamStatus,
    (e: unknown) => (e instanceof ResourceNotFoundException ? "gone" : Promise.reject(e)),
  );

describe("DeleteStream of a large stream", () => {
  it("answers at once (DELETING), other requests are answered promptly meanwhile, then the stream and its records are gone", async () => {
    const t = await sims.start({ sources: [sqsSource, kinesisSource] });
    const kinesis = new KinesisClient({ ...t.clientConfig, maxAttempts: 1 });
    const sqs = new SQSClient({ ...t.clientConfig, maxAttempts: 1 });
    try {
      await kinesis.send(new CreateStreamCommand({ StreamName: "big", ShardCount: 4 }));
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "probe" }));
      await fill(kinesis, "big", RECORDS);

      // A prober sends back to back while the stream is deleted: its worst round trip.
      let probing = true;
      let worst = 0;
      const prober = (async () => {
        while (probing) {
          const t0 = performance.now();
          await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "ping" }));
          worst = Math.max(worst, performance.now() - t0);
        }
      })();
      const started = performance.now();
      await kinesis.send(new DeleteStreamCommand({ StreamName: "big" }));
      const answeredIn = performance.now() - started;
      expect(await status(kinesis, "big")).toBe("DELETING");
      expect(storedRecords(t, "big")).toBeGreaterThan(0);
      // Being deleted, it takes no writes (AWS: the stream must be ACTIVE; review22 R22-2).
      const refused = await kinesis.send(new PutRecordsCommand({ StreamName: "big", Records: [{ PartitionKey: "k", Data: DATA }] })).catch((e: Error) => e);
      expect(refused).toBeInstanceOf(ResourceInUseException);
      await until(async () => (await status(kinesis, "big")) === "gone");
      const deletedIn = performance.now() - started;
      probing = false;
      await prober;

      // Deleting in one go held every request for the whole delete; in chunks, a request waits
      // one chunk at most. Relative bounds: the machine's speed and load do not matter.
      expect(answeredIn).toBeLessThan(deletedIn / 2);
      expect(worst).toBeLessThan(deletedIn / 2);
      expect(storedRecords(t, "big")).toBe(0);
      expect((await kinesis.send(new ListStreamsCommand({}))).StreamNames).not.toContain("big");
    } finally {
      kinesis.destroy();
      sqs.destroy();
    }
  }, 120_000);

  it("is finished by a restart that interrupted it: no stream comes back, no record is left", async () => {
    const stateDir = sims.stateDir();
    let t = await sims.start({ sources: [kinesisSource], stateDir });
    let kinesis = new KinesisClient({ ...t.clientConfig, maxAttempts: 1 });
    await kinesis.send(new CreateStreamCommand({ StreamName: "doomed", ShardCount: 2 }));
    await kinesis.send(new CreateStreamCommand({ StreamName: "kept", ShardCount: 1 }));
    // Enough for a dozen chunks: still DELETING when the simulator closes.
    await fill(kinesis, "doomed", 12_000);
    await fill(kinesis, "kept", 10);
    await kinesis.send(new DeleteStreamCommand({ StreamName: "doomed" }));
    expect(await status(kinesis, "doomed")).toBe("DELETING");
    kinesis.destroy();
    await t.close();

    t = await sims.start({ sources: [kinesisSource], stateDir });
    kinesis = new KinesisClient({ ...t.clientConfig, maxAttempts: 1 });
    try {
      await until(async () => (await status(kinesis, "doomed")) === "gone");
      expect(storedRecords(t, "doomed")).toBe(0);
      expect(storedRecords(t, "kept")).toBe(10);
      expect((await kinesis.send(new ListStreamsCommand({}))).StreamNames).toEqual(["kept"]);
    } finally {
      kinesis.destroy();
    }
  }, 120_000);

  it("trims records past their retention in the background, however many there are", async () => {
    const clock = new VirtualClock(Date.UTC(2026, 5, 1));
    clock.startRunningDue();
    const t = await sims.start({ clock, sources: [kinesisSource] });
    const kinesis = new KinesisClient({ ...t.clientConfig, maxAttempts: 1 });
    try {
      await kinesis.send(new CreateStreamCommand({ StreamName: "old", ShardCount: 2 }));
      await fill(kinesis, "old", 12_000);
      // Past the 24 h default retention; the next trim (every minute) takes them all, chunk by chunk.
      await clock.advanceBy(25 * 3_600_000);
      await until(() => storedRecords(t, "old") === 0);
      expect(await status(kinesis, "old")).toBe("ACTIVE");
    } finally {
      kinesis.destroy();
    }
  }, 60_000);
});
