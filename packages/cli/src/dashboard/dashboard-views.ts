import type { EventHub, TelemetryEvent } from "@lambda-sim/core";
import { addOutcome, asyncOutcome, successOutcome, type FinishedRow } from "./page/async-finished.js";
import { nextShard, type ShardConsumerView } from "./page/shard-consumers.js";
import { PageBacklog } from "./page-backlog.ts";
import { QueueCurves } from "./queue-curves.ts";

export type { ShardConsumerView };

/** Our bound: async attempts being followed at once (an attempt that never ends, as a dead simulator's, is not kept forever). */
const KEEP_ATTEMPTS = 10_000;

/**
 * The dashboard's own views, beside core's and the sources': what a page opened late (or
 * reloaded) cannot rebuild from the snapshot's last few events. Fed every event from the start
 * (`lambda-sim start` passes note() as onTelemetry, so the events of starting count too); each
 * event costs a switch on its type, and only async events and stream batches more.
 * - `asyncFinished`: where the last finished async events went (async-finished.js, the page's own
 *   rows), and the attempts running now, whose success the page has yet to see.
 * - `shardConsumers`: each stream shard's consumer as its last batch left it, so a shard stalled
 *   on a failing batch shows its consumer and growing iterator age between the (backed-off) retries,
 *   with the batches given up and where their records went, and how far it has read. Only live
 *   ones: a deleted mapping's shards, and a deleted stream's (or shard's), are forgotten when the
 *   view is read (no event says a mapping or stream went), so it neither grows with every mapping a
 *   test suite makes nor resends dead entries in every sampled frame.
 * - `throttles`: each function's throttles since the start, the last one's reason and caller.
 * - `backlog`: the events of the last invocations, DLQ moves and live environments' chips
 *   (page-backlog.ts), which the snapshot's `recent` (the last 300 events of any kind) loses first.
 * - `queueCurves`: each queue's gauges sampled by the server over the last two minutes (queue-curves.ts).
 */
export class DashboardViews {
  private readonly finished: FinishedRow[] = [];
  /** requestId -> the async attempt running (from async.attempt.started until it finishes or fails): as many as run at once. */
  private readonly attempts = new Map<string, number>();
  private readonly shards = new Map<string, ShardConsumerView>();
  /** functionName -> its throttles since the start, and the last one's reason and caller. */
  private readonly throttles = new Map<string, { count: number; reason: string; caller: string; time: number }>();
  private readonly backlog = new PageBacklog();
  private readonly curves = new QueueCurves();

  readonly note = (e: TelemetryEvent): void => {
    this.backlog.note(e);
    switch (e.type) {
      case "async.attempt.started":
        this.attempts.set(e.requestId, e.attempt);
        if (this.attempts.size > KEEP_ATTEMPTS) this.attempts.delete(this.attempts.keys().next().value!);
        return;
      case "invocation.finished": {
        const attempt = this.attempts.get(e.requestId);
        if (attempt === undefined) return;
        this.attempts.delete(e.requestId);
        if (e.status === "success") addOutcome(this.finished, e, ...successOutcome(attempt));
        return;
      }
      // An attempt that failed or was throttled is no longer running: the map holds what runs now.
      case "async.attempt.failed":
        this.attempts.delete(e.requestId);
        return;
      case "async.given-up":
      case "async.delivered":
      case "async.delivery-failed":
        this.attempts.delete(e.requestId);
        addOutcome(this.finished, e, ...asyncOutcome(e)!);
        return;
      case "invocation.throttled": {
        const t = this.throttles.get(e.functionName);
        if (t === undefined) this.throttles.set(e.functionName, { count: 1, reason: e.reason, caller: e.caller ?? "sync", time: e.time });
        else Object.assign(t, { count: t.count + 1, reason: e.reason, caller: e.caller ?? "sync", time: e.time });
        return;
      }
      case "mapping.batch":
      case "mapping.batch-given-up": {
        if (e.shardId === undefined) return;
        const key = `${e.mappingId} ${e.shardId}`;
        this.shards.set(key, nextShard(this.shards.get(key), e));
        return;
      }
      default:
        return;
    }
  };

  /** Adds the views to the snapshot (and sampled `views` frames) of `/_sim/events`. */
  addTo(hub: EventHub): void {
    // The page reads these two from a snapshot only (model.js applySnapshot): not resent every second.
    hub.addView("asyncFinished", () => ({ rows: this.finished, running: [...this.attempts.keys()] }), { snapshotOnly: true });
    hub.addView("shardConsumers", () => this.liveShards(hub.view("mappings"), hub.view("streams")));
    hub.addView("throttles", () => Object.fromEntries(this.throttles), { snapshotOnly: true });
    // What a reloaded page showed before (newuser14 F10): read from a snapshot only, as the two above.
    hub.addView("backlog", () => this.backlog.events(), { snapshotOnly: true });
    hub.addView("queueCurves", () => this.curves.view(), { snapshotOnly: true });
    this.curves.start(() => hub.view("queues"), () => hub.view("time"));
  }

  /** Stops sampling the queues (the simulator is closing). */
  close(): void {
    this.curves.stop();
  }

  /**
   * The shard consumers whose mapping is among `mappings` (core's view: `{ uuid }[]`) and, for a
   * Kinesis source, whose stream and shard are among `streams` (the Kinesis source's view:
   * `{ name, shards: { shardId }[] }[]`); the others are dropped for good. A view that is absent or
   * failed (not an array) prunes nothing.
   */
  liveShards(mappings: unknown, streams: unknown): ShardConsumerView[] {
    if (this.shards.size === 0) return [];
    const liveMappings = Array.isArray(mappings) ? new Set(mappings.map((m: { uuid: string }) => m.uuid)) : undefined;
    const liveShards = Array.isArray(streams) ? new Map(streams.map((st: { name: string; shards: { shardId: string }[] }) => [st.name, new Set(st.shards.map((sh) => sh.shardId))])) : undefined;
    for (const [key, sh] of this.shards) {
      const stream = KINESIS_STREAM.exec(sh.eventSourceArn)?.[1];
      const gone = (liveMappings !== undefined && !liveMappings.has(sh.mappingId)) || (stream !== undefined && liveShards !== undefined && liveShards.get(stream)?.has(sh.shardId) !== true);
      if (gone) this.shards.delete(key);
    }
    return [...this.shards.values()];
  }
}

/** A Kinesis stream's ARN, its name captured. */
const KINESIS_STREAM = /^arn:[^:]+:kinesis:[^:]*:[^:]*:stream\/([^/]+)$/;
