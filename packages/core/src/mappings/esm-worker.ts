import type { Clock } from "../clock/clock.ts";
import { throttleBackoffMs } from "./throttle-backoff.ts";
import { isAwsError } from "../errors/aws-error.ts";
import type { Invoker } from "../invocation/invoker.ts";
import type { InvocationOrigin } from "../invocation/invoke-input.ts";
import type { Telemetry } from "../telemetry/telemetry.ts";
import { parseBatchItemFailures } from "./batch-item-failures.ts";
import type { BatchOutcome, PolledBatch, Poller, PollerScaling } from "./poller.ts";

export interface WorkerSettings {
  functionName: string;
  /** The version or alias the mapping invokes (its FunctionArn's qualifier); none: $LATEST. */
  qualifier?: string;
  batchSize: number;
  batchWindowMs: number;
  reportBatchItemFailures: boolean;
  /** ScalingConfig.MaximumConcurrency, or the source's ceiling. */
  maxConcurrency: number;
  /** The source's scaling rule (its PollerFactory's). */
  scaling: PollerScaling;
  /** The mapping and its source, for faults scoped to them, throttles and telemetry. */
  uuid?: string;
  sourceArn?: string;
  /** MetricsConfig asks for EventCount: its batches carry the flag for CloudWatch. */
  eventCountMetrics?: boolean;
}

/** Our choice: how long a lane waits after its source failed a poll. */
const POLL_ERROR_BACKOFF_MS = 10_000;

/**
 * The running side of one enabled event source mapping: lanes that each poll a batch, invoke the
 * function synchronously and settle the batch. Lanes are added at the scaling rate while batches
 * keep coming and leave again when their polls come back empty; all waiting is on the Clock.
 */
export class EsmWorker {
  private readonly settings: WorkerSettings;
  private readonly poller: Poller;
  private readonly invoker: Invoker;
  private readonly clock: Clock;
  private readonly telemetry: Telemetry;
  private readonly abort = new AbortController();
  private lanes = 0;
  /** Lanes are added for the backlog time since this instant; undefined while there is no backlog. */
  private scaledUntil: number | undefined;
  private readonly done: Promise<void>[] = [];
  /** The poll error last reported: the same one again is not repeated until a poll succeeds (fuzz19 F7). */
  private pollError: string | undefined;

  constructor(settings: WorkerSettings, poller: Poller, invoker: Invoker, clock: Clock, telemetry: Telemetry) {
    this.settings = settings;
    this.poller = poller;
    this.invoker = invoker;
    this.clock = clock;
    this.telemetry = telemetry;
  }

  get concurrency(): number {
    return this.lanes;
  }

  start(): void {
    const initial = Math.min(this.settings.scaling.initial, this.settings.maxConcurrency);
    for (let i = 0; i < initial; i++) this.addLane();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.allSettled(this.done);
  }

  private addLane(): void {
    this.lanes++;
    this.done.push(
      this.lane().finally(() => {
        this.lanes--;
        if (!this.abort.signal.aborted) this.emitScaled("down");
      }),
    );
  }

  private emitScaled(change: "up" | "down" | "backoff", backoffMs?: number): void {
    const { uuid = "", functionName, sourceArn = "" } = this.settings;
    this.telemetry.emit({ type: "mapping.scaled", mappingId: uuid, functionName, eventSourceArn: sourceArn, lanes: this.lanes, change, backoffMs });
  }

  private async lane(): Promise<void> {
    const signal = this.abort.signal;
    let throttles = 0;
    while (!signal.aborted) {
      let batch;
      try {
        batch = await this.poller.poll(this.settings.batchSize, this.settings.batchWindowMs, signal);
      } catch (e) {
        // The source is gone or failing (a deleted queue): say so, once (AWS reports it in the
        // mapping's LastProcessingResult, not again at each poll), and try again in a while.
        const message = (e as Error).message;
        if (message !== this.pollError) this.telemetry.emit({ type: "simulator.warning", message: `event source mapping for ${this.settings.functionName}: ${message}${this.pollError === undefined ? " (retried every 10 s; said again only if it changes)" : ""}` });
        this.pollError = message;
        // Unref: a deleted queue's retries would keep run-until-idle going forever.
        await this.clock.sleep(POLL_ERROR_BACKOFF_MS, signal, { unref: true }).catch(() => {});
        continue;
      }
      this.pollError = undefined;
      if (signal.aborted) {
        if (batch !== undefined) this.poller.settle(batch, { kind: "failed" });
        return;
      }
      if (batch === undefined) {
        // An empty poll: no backlog, and surplus lanes leave, so an idle mapping falls back to its initial lanes.
        this.scaledUntil = undefined;
        if (this.lanes > Math.min(this.settings.scaling.initial, this.settings.maxConcurrency)) return;
        continue;
      }
      this.scaleUp(batch.backlog ?? batch.itemIds.length >= this.settings.batchSize);
      for (;;) {
        const { outcome, requestId } = await this.run(batch);
        const { uuid = "", functionName, sourceArn = "" } = this.settings;
        const failed = outcome.kind === "partial" ? outcome.failedIds.length : undefined;
        this.telemetry.emit({ type: "mapping.batch", mappingId: uuid, functionName, eventSourceArn: sourceArn, size: batch.itemIds.length, outcome: outcome.kind, failed, lanes: this.lanes, eventCountMetrics: this.settings.eventCountMetrics || undefined, requestId });
        if (outcome.kind !== "throttled") {
          throttles = 0;
          this.settle(batch, outcome);
          break;
        }
        // Throttled: back off instead of scaling (aws-facts §6 "Backoff"), and try the same batch
        // again while its source keeps it (an SQS message until its visibility timeout); then it is
        // handed back, and comes again from the source.
        this.scaledUntil = undefined;
        const backoffMs = throttleBackoffMs(throttles++);
        this.emitScaled("backoff", backoffMs);
        const again = batch.retryThrottledUntil !== undefined && this.clock.now() + backoffMs <= batch.retryThrottledUntil;
        if (!again) this.settle(batch, outcome);
        await this.clock.sleep(backoffMs, signal).catch(() => {});
        if (!again) break;
        if (signal.aborted) {
          this.settle(batch, outcome);
          return;
        }
      }
    }
  }

  /**
   * +300 lanes per minute of service time for as long as the source has a backlog (aws-facts §6:
   * Lambda scales up "if messages are still available"), the backlog being what the source says
   * was still waiting after a batch (or, when it cannot tell, a full batch). A message alone in its
   * queue is no backlog, even with batchSize 1 and however long it was in flight. Lanes finishing
   * together (a function with a steady duration) get the lanes due for the whole time since the
   * last step, not one per arrival; a batch without backlog or an empty poll ends the backlog, so
   * unused rate never piles up.
   */
  private scaleUp(backlog: boolean): void {
    const now = this.clock.now();
    if (!backlog) {
      this.scaledUntil = undefined;
      return;
    }
    if (this.scaledUntil === undefined) {
      this.scaledUntil = now;
      return;
    }
    const step = 60_000 / this.settings.scaling.perMinute;
    const due = Math.floor((now - this.scaledUntil) / step);
    this.scaledUntil += due * step;
    const room = this.settings.maxConcurrency - this.lanes;
    for (let i = 0; i < Math.min(due, room); i++) this.addLane();
    if (due > 0 && room > 0) this.emitScaled("up");
  }

  /** A source failing to settle a batch is reported; the lane goes on (its records come back). */
  private settle(batch: PolledBatch, outcome: BatchOutcome): void {
    try {
      this.poller.settle(batch, outcome);
    } catch (e) {
      this.telemetry.emit({ type: "simulator.warning", message: `event source mapping for ${this.settings.functionName}: ${(e as Error).message}` });
    }
  }

  private origin(attempt: number | undefined): InvocationOrigin | undefined {
    const s = this.settings;
    return s.uuid === undefined || s.sourceArn === undefined ? undefined : { mappingUuid: s.uuid, sourceArn: s.sourceArn, ...(attempt === undefined ? {} : { attempt }) };
  }

  /** The batch's outcome, and the request id of the invocation that ran it (none when throttled). */
  private async run({ payload, itemIds, traceHeaders, attempt }: PolledBatch): Promise<{ outcome: BatchOutcome; requestId?: string }> {
    try {
      const out = await this.invoker.invoke({ functionName: this.settings.functionName, qualifier: this.settings.qualifier, payload, invocationType: "RequestResponse", origin: this.origin(attempt), traceHeaders });
      if (out.kind !== "result") return { outcome: { kind: "succeeded" } };
      const requestId = out.result.requestId;
      // A function error or timeout fails the whole batch; it returns after the visibility timeout.
      if (out.result.errorType !== undefined) return { outcome: { kind: "failed" }, requestId };
      return { outcome: this.settings.reportBatchItemFailures ? parseBatchItemFailures(out.result.payload, itemIds) : { kind: "succeeded" }, requestId };
    } catch (e) {
      if (isAwsError(e) && e.code === "TooManyRequestsException") return { outcome: { kind: "throttled" } };
      // Stopped in a recursive loop (reported by the Invoker): its messages return to the queue
      // and, past maxReceiveCount, go to its dead-letter queue (invocation-recursion).
      if (isAwsError(e) && e.code === "RecursiveInvocationException") return { outcome: { kind: "failed" } };
      this.telemetry.emit({ type: "simulator.warning", message: `event source mapping for ${this.settings.functionName}: ${String(e)}` });
      return { outcome: { kind: "failed" } };
    }
  }
}
