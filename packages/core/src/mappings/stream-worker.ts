import type { Clock } from "../clock/clock.ts";
import type { TargetRegistry } from "../invocation/targets.ts";
import type { Telemetry } from "../telemetry/telemetry.ts";
import type { CheckpointStore } from "./checkpoint-store.ts";
import type { HeldAttempts } from "./held-attempts.ts";
import { ShardConsumer, type ShardConsumerSettings } from "./shard-consumer.ts";
import { StreamBatchRunner, type StreamInvoker, type StreamRunSettings } from "./stream-batch-runner.ts";
import type { StreamReader } from "./stream-reader.ts";

export type StreamWorkerSettings = StreamRunSettings & Omit<ShardConsumerSettings, "shardId">;

/** How often the worker looks for shards it does not consume yet (new streams, recreated ones). */
const SHARD_DISCOVERY_MS = 10_000;
/**
 * With a reader that says when shards change (StreamReader.waitForShards), the look is a backstop
 * (chosen): an idle day then fires 1,440 discovery timers per mapping instead of 8,640.
 */
const SHARD_DISCOVERY_BACKSTOP_MS = 60_000;

/**
 * The running side of one enabled stream event source mapping (Kinesis; DynamoDB Streams can
 * reuse it with its own StreamReader): one ShardConsumer per shard, each reading in order from
 * its durable checkpoint (aws-facts §8.2). Stopping waits for batches in flight to give up; their
 * records run again after the checkpoint (at least once).
 */
export class StreamWorker {
  private readonly settings: StreamWorkerSettings;
  private readonly reader: StreamReader;
  /** `held`: the mapping's, outliving this worker (held-attempts.ts). */
  private readonly deps: { invoker: StreamInvoker; clock: Clock; telemetry: Telemetry; checkpoints: CheckpointStore; targets?: TargetRegistry; held?: HeldAttempts };
  private readonly abort = new AbortController();
  private readonly consumers = new Map<string, Promise<void>>();
  private discovery: Promise<void> | undefined;

  constructor(settings: StreamWorkerSettings, reader: StreamReader, deps: StreamWorker["deps"]) {
    this.settings = settings;
    this.reader = reader;
    this.deps = deps;
  }

  start(): void {
    // Starting positions are fixed before CreateEventSourceMapping answers, so a record put after
    // the answer is after LATEST, whenever the consumers get going.
    try {
      for (const shardId of this.reader.shards()) ShardConsumer.startingCheckpoint({ ...this.settings, shardId }, this.reader, this.deps.checkpoints, this.deps.clock.now());
    } catch {
      // The stream is gone: discovery reports it.
    }
    this.discovery = this.discover();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.discovery;
    await Promise.allSettled(this.consumers.values());
  }

  private async discover(): Promise<void> {
    const signal = this.abort.signal;
    const { invoker, clock, telemetry, checkpoints, targets, held } = this.deps;
    const runner = new StreamBatchRunner(this.settings, { invoker, clock, telemetry, targets, held, retentionMs: () => this.reader.retentionMs() });
    while (!signal.aborted) {
      let shards: string[] = [];
      try {
        shards = this.reader.shards();
      } catch (e) {
        telemetry.emit({ type: "simulator.warning", message: `event source mapping for ${this.settings.functionName}: ${(e as Error).message}` });
      }
      for (const shardId of shards) {
        if (this.consumers.has(shardId)) continue;
        const consumer = new ShardConsumer({ ...this.settings, shardId }, this.reader, runner, checkpoints, clock, telemetry);
        this.consumers.set(
          shardId,
          consumer.run(signal).catch((e: unknown) => {
            telemetry.emit({ type: "simulator.warning", message: `event source mapping for ${this.settings.functionName}, ${shardId}: ${String(e)}` });
            this.consumers.delete(shardId);
          }),
        );
      }
      // Housekeeping (unref): looking for new shards is not work run-until-idle waits for.
      if (this.reader.waitForShards !== undefined) await this.reader.waitForShards(SHARD_DISCOVERY_BACKSTOP_MS, signal).catch(() => {});
      else await clock.sleep(SHARD_DISCOVERY_MS, signal, { unref: true }).catch(() => {});
    }
  }
}
