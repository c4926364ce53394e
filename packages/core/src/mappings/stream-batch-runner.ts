import { whileHeld, type Clock } from "../clock/clock.ts";
import { sleepOn } from "../clock/system-clock.ts";
import { isAwsError } from "../errors/aws-error.ts";
import type { Invoker } from "../invocation/invoker.ts";
import type { TargetRegistry } from "../invocation/targets.ts";
import type { Telemetry } from "../telemetry/telemetry.ts";
import { throttleBackoffMs } from "./throttle-backoff.ts";
import { windowFields, windowState, type WindowContext } from "./tumbling-window.ts";
import { bisect, expiredCount, isTooOld, laneFields, onFailureRecord, parseStreamResponse, retryDelayMs, spanOf, type BatchLane, type FailureCondition, type RecordSpan, type StreamResponse } from "./stream-batches.ts";
import type { StreamRecord } from "./stream-reader.ts";
import { HeldAttempts, type Attempts } from "./held-attempts.ts";

export interface StreamRunSettings {
  functionName: string;
  /** The version or alias the mapping invokes (its FunctionArn's qualifier); none: $LATEST. */
  qualifier?: string;
  /** Unqualified, as the OnFailure record names it (aws-facts §8.2). */
  functionArn: string;
  sourceArn: string;
  /** The mapping's UUID, for faults scoped to it and for telemetry. */
  uuid?: string;
  /** MetricsConfig asks for EventCount: its batches carry the flag for CloudWatch. */
  eventCountMetrics?: boolean;
  batchInfoKey: string;
  reportBatchItemFailures: boolean;
  bisectBatchOnFunctionError: boolean;
  /** -1: until the records expire. */
  maximumRetryAttempts: number;
  maximumRecordAgeInSeconds: number;
  onFailureDestination?: string;
  /** Told what each invocation of a batch came to, as LastProcessingResult says it. */
  onProcessed?: (result: LastProcessingResult) => void;
}

/**
 * GetEventSourceMapping's LastProcessingResult of a stream mapping: "No records processed" until a
 * batch ran, then AWS's `OK` or `PROBLEM: Function call failed` (AWS CLI guide's
 * update-event-source-mapping example) for the last invocation.
 */
export type LastProcessingResult = "No records processed" | "OK" | "PROBLEM: Function call failed";

/** What the runner needs of the Invoker (a fake in unit tests). */
export type StreamInvoker = Pick<Invoker, "invoke" | "newRequestId">;

interface SubBatch extends Attempts {
  records: StreamRecord[];
  held?: string; // its key in HeldAttempts, once it waited for a retry
}

/**
 * Runs one batch of a shard (or of one partition-key lane) to its end, in order (aws-facts §8.2):
 * a failing batch is retried until it succeeds, its retries run out or its records expire, split
 * in two first when BisectBatchOnFunctionError is on (splitting is not a retry). Throttles back
 * off and are not retries. Records that end badly go to OnFailure and the shard moves on.
 * `complete` is called for every prefix that is done, so the checkpoint can follow.
 */
export class StreamBatchRunner {
  private readonly s: StreamRunSettings;
  private readonly invoker: StreamInvoker;
  private readonly clock: Clock;
  private readonly telemetry: Telemetry;
  private readonly targets: TargetRegistry | undefined;
  private readonly retentionMs: () => number;
  private readonly held: HeldAttempts;

  constructor(settings: StreamRunSettings, deps: { invoker: StreamInvoker; clock: Clock; telemetry: Telemetry; targets?: TargetRegistry; retentionMs: () => number; held?: HeldAttempts }) {
    this.s = settings;
    this.invoker = deps.invoker;
    this.clock = deps.clock;
    this.telemetry = deps.telemetry;
    this.targets = deps.targets;
    this.retentionMs = deps.retentionMs;
    this.held = deps.held ?? new HeldAttempts();
  }

  /**
   * Resolves with the window state the function last returned; "aborted" when the mapping stopped.
   * `lane`: the shard's lane the batch came from, and how many (ParallelizationFactor > 1), for telemetry.
   */
  async run(records: StreamRecord[], complete: (done: StreamRecord[], state: unknown, processed: boolean) => void, signal: AbortSignal, window?: WindowContext, lane?: BatchLane): Promise<{ state?: unknown } | "aborted"> {
    if (records.length === 0 && window?.isFinalInvokeForWindow === true) return this.runFinal(window, signal);
    // A batch a configuration update caught in its retries counts on (our choice: held-attempts.ts).
    const carried = this.held.carried(records);
    const queue: SubBatch[] = [{ records, retries: carried?.retries ?? 0, invokes: carried?.invokes ?? 0, held: carried?.key }];
    let state = window?.state;
    let throttles = 0;
    while (queue.length > 0) {
      if (signal.aborted) return "aborted";
      const b = queue[0]!;
      const expired = expiredCount(b.records, this.clock.now(), this.s.maximumRecordAgeInSeconds, this.retentionMs());
      if (expired > 0) {
        const old = b.records.splice(0, expired);
        if (b.records.length > 0 && b.held !== undefined) b.held = this.held.hold(b.records[0], b, b.held); // held by its first record left (review37 #9)
        await this.fail(spanOf(old), "RecordAgeExceeded", b.invokes, undefined, { lane });
        complete(old, state, false);
        if (b.records.length === 0) this.held.release(queue.shift()!.held);
        continue;
      }
      if (b.records.length === 0 && window === undefined) {
        queue.shift();
        continue;
      }
      const attempt = await this.invoke(b.records, window === undefined ? undefined : { ...window, state }, lane);
      if (attempt.kind === "throttled") {
        await this.pause(throttleBackoffMs(throttles++), signal, "throttle-backoff");
        continue;
      }
      throttles = 0;
      b.invokes++;
      const outcome = attempt.outcome;
      if (outcome.kind === "succeeded") {
        if (outcome.state !== undefined) state = windowState(outcome.state, (m) => this.telemetry.emit({ type: "simulator.warning", message: `event source mapping for ${this.s.functionName}: ${m}` }));
        this.held.release(queue.shift()!.held);
        complete(b.records, state, true);
        continue;
      }
      if (outcome.kind === "partial" && outcome.firstFailed > 0) {
        // Checkpoint before the lowest failed sequence number; the rest is retried (aws-facts §8.2).
        if (outcome.state !== undefined) state = windowState(outcome.state, (m) => this.telemetry.emit({ type: "simulator.warning", message: `event source mapping for ${this.s.functionName}: ${m}` }));
        complete(b.records.splice(0, outcome.firstFailed), state, true);
      } else if (this.s.bisectBatchOnFunctionError && b.records.length > 1) {
        const [first, second] = bisect(b.records);
        // The first half takes over the batch's HeldAttempts entry; the second is held as it is split off, with the retries it carries (review37 #10).
        queue.splice(0, 1, { records: first, retries: b.retries, invokes: 0, held: b.held }, { records: second, retries: b.retries, invokes: 0, held: this.held.hold(second[0], { retries: b.retries, invokes: 0 }, undefined) });
        continue;
      }
      if (this.s.maximumRetryAttempts !== -1 && b.retries >= this.s.maximumRetryAttempts) {
        this.held.release(queue.shift()!.held);
        // A half of a bisected batch carries its retries but counts its own invocations: retries
        // exhausted took at least retries + 1 (newuser9 P1-4: a half given up after one said 1).
        await this.fail(b.records.length === 0 ? undefined : spanOf(b.records), "RetryAttemptsExhausted", Math.max(b.invokes, b.retries + 1), attempt.response, { requestId: attempt.requestId, lane });
        complete(b.records, state, false);
        continue;
      }
      b.retries++;
      b.held = this.held.hold(b.records[0], b, b.held);
      await this.pause(retryDelayMs(b.retries), signal, "retry");
    }
    return { state };
  }

  /**
   * A tumbling window's final invocation (no records): "Tumbling windows fully support the existing
   * retry policies maxRetryAttempts and maxRecordAge" (AWS Lambda developer guide,
   * services-kinesis-windows), so it is retried like a batch of the window's records, until it
   * succeeds, its retries run out or, before a retry, the window's oldest record is older than
   * MaximumRecordAgeInSeconds (or the retention); then the window goes to OnFailure as its records
   * would, and the shard goes on. What the OnFailure record of a final invocation says is not
   * documented: our choice, KinesisBatchInfo spans the window's records.
   */
  private async runFinal(window: WindowContext, signal: AbortSignal): Promise<{ state?: unknown } | "aborted"> {
    let retries = 0;
    let invokes = 0;
    let throttles = 0;
    let tried = false;
    // A window saved by an older checkpoint has no span: its start bounds its records' arrival.
    const oldestMs = window.records?.first.arrivalMs ?? window.start;
    const given = { start: window.start, end: window.end };
    for (;;) {
      if (signal.aborted) return "aborted";
      // Age limits the retries, never the first attempt: by a window's end its first record is
      // about a window old, so a window longer than MaximumRecordAgeInSeconds would never close.
      // A throttled attempt was one too: the window ages out while the function is throttled, as
      // a batch of its records would (review17 R12: it waited behind the throttle for good).
      if (tried && isTooOld(oldestMs, this.clock.now(), this.s.maximumRecordAgeInSeconds, this.retentionMs())) {
        await this.fail(window.records, "RecordAgeExceeded", invokes, undefined, { finalInvokeForWindow: given, shardId: window.shardId });
        return {};
      }
      const attempt = await this.invoke([], window);
      tried = true;
      if (attempt.kind === "throttled") {
        await this.pause(throttleBackoffMs(throttles++), signal, "throttle-backoff");
        continue;
      }
      throttles = 0;
      invokes++;
      if (attempt.outcome.kind !== "failed") return {};
      if (this.s.maximumRetryAttempts !== -1 && retries >= this.s.maximumRetryAttempts) {
        await this.fail(window.records, "RetryAttemptsExhausted", invokes, attempt.response, { requestId: attempt.requestId, finalInvokeForWindow: given, shardId: window.shardId });
        return {};
      }
      retries++;
      await this.pause(retryDelayMs(retries), signal, "retry");
    }
  }

  /** A retry's or a throttle's wait on the Clock, named after the source (`/_sim/clock` lists it: newuser13 N13-7, it said `sleep`). */
  private pause(ms: number, signal: AbortSignal, why: string): Promise<void> {
    return sleepOn(this.clock, ms, signal, undefined, `mapping.${why}:${this.s.sourceArn.slice(this.s.sourceArn.lastIndexOf(":") + 1)}`).catch(() => {});
  }

  /**
   * One invocation of a batch, reported (`mapping.batch`) with its shard's iterator age: how long
   * the batch's last record waited in the stream until the mapping sent it to the function (AWS's
   * IteratorAge metric). A tumbling window's final invocation may carry no record: nothing to report.
   */
  private async invoke(records: StreamRecord[], window: WindowContext | undefined, lane?: BatchLane): ReturnType<StreamBatchRunner["invokeOnce"]> {
    const sentAt = this.clock.now();
    const r = await this.invokeOnce(records, window);
    // A throttle is a call that failed too (AWS's text for it is unconfirmed); a partial batch failure one that succeeded.
    this.s.onProcessed?.(r.kind === "ran" && r.outcome.kind !== "failed" ? "OK" : "PROBLEM: Function call failed");
    if (this.telemetry.active && records.length > 0) {
      const outcome = r.kind === "throttled" ? "throttled" : r.outcome.kind === "succeeded" ? "succeeded" : r.outcome.kind === "partial" ? "partial" : "failed";
      const last = records[records.length - 1]!;
      this.telemetry.emit({
        type: "mapping.batch", mappingId: this.s.uuid ?? "", functionName: this.s.functionName, eventSourceArn: this.s.sourceArn, size: records.length, outcome,
        shardId: last.shardId, iteratorAgeMs: Math.max(0, sentAt - last.arrivalMs), lastArrivalMs: last.arrivalMs, eventCountMetrics: this.s.eventCountMetrics || undefined,
        // The lane and the last record (the report's stall story follows a lane's failed batch until all of it is behind the checkpoint), the invocation (the page's rows).
        ...laneFields(lane), lastSequenceNumber: last.sequenceNumber, requestId: r.kind === "ran" && r.requestId !== "" ? r.requestId : undefined,
        ...(r.kind === "ran" && r.outcome.kind === "failed" && r.outcome.reason !== undefined ? { reason: r.outcome.reason } : {}),
      });
    }
    return r;
  }

  private async invokeOnce(
    records: StreamRecord[],
    window: WindowContext | undefined,
  ): Promise<{ kind: "throttled" } | { kind: "ran"; outcome: StreamResponse; requestId: string; response: { executedVersion: string; functionError?: string } }> {
    // The records' JSON as the read-ahead left it: the same bytes as JSON.stringify({ Records, ... }).
    const recordsJson = `{"Records":[${records.map((r) => (r.eventJson ??= JSON.stringify(r.event))).join(",")}]`;
    const payload = Buffer.from(window === undefined ? `${recordsJson}}` : `${recordsJson},${windowFields(window, this.s.sourceArn).slice(1)}`);
    try {
      const out = await this.invoker.invoke({ functionName: this.s.functionName, qualifier: this.s.qualifier, payload, invocationType: "RequestResponse", origin: { sourceArn: this.s.sourceArn, mappingUuid: this.s.uuid ?? "" } });
      if (out.kind !== "result") return { kind: "ran", outcome: { kind: "succeeded" }, requestId: "", response: { executedVersion: this.notRun() } };
      const r = out.result;
      if (r.errorType !== undefined) return { kind: "ran", outcome: { kind: "failed" }, requestId: r.requestId, response: { executedVersion: out.executedVersion, functionError: "Unhandled" } };
      const outcome = parseStreamResponse(r.payload, records.map((x) => x.sequenceNumber), this.s.reportBatchItemFailures, window !== undefined);
      return { kind: "ran", outcome, requestId: r.requestId, response: { executedVersion: out.executedVersion } };
    } catch (e) {
      if (isAwsError(e) && e.code === "TooManyRequestsException") return { kind: "throttled" };
      this.telemetry.emit({ type: "simulator.warning", message: `event source mapping for ${this.s.functionName}: ${String(e)}` });
      return { kind: "ran", outcome: { kind: "failed" }, requestId: "", response: { executedVersion: this.notRun(), functionError: "Unhandled" } };
    }
  }

  /**
   * The responseContext's executedVersion when no invocation answered (it threw before running):
   * the qualifier the mapping invokes, $LATEST when unqualified. Our choice for an alias, whose
   * version is only picked as it runs: its name.
   */
  private notRun(): string {
    return this.s.qualifier ?? "$LATEST";
  }

  /** Hands records that ended badly to OnFailure (or drops them with a warning when there is none). */
  private async fail(
    span: RecordSpan | undefined,
    condition: FailureCondition,
    invokes: number,
    response: { executedVersion: string; functionError?: string } | undefined,
    { requestId = "", finalInvokeForWindow, shardId = span?.shardId, lane }: { requestId?: string; finalInvokeForWindow?: { start: number; end: number }; shardId?: string; lane?: BatchLane } = {},
  ): Promise<void> {
    if (span === undefined && finalInvokeForWindow === undefined) return;
    const dest = this.s.onFailureDestination;
    const size = span?.size ?? 0;
    const what = `${finalInvokeForWindow === undefined ? "" : "the final invocation of a tumbling window of "}${size} record(s) of ${shardId} (${condition})`;
    const targets = this.targets;
    // Which shard lost which records, and where they went (the dashboard's shard rows, tail).
    const givenUp = {
      type: "mapping.batch-given-up", mappingId: this.s.uuid ?? "", functionName: this.s.functionName, eventSourceArn: this.s.sourceArn, shardId: shardId ?? "", size, condition,
      ...laneFields(lane), ...(span === undefined ? {} : { lastSequenceNumber: span.last.sequenceNumber }),
      ...(finalInvokeForWindow === undefined ? {} : { finalInvokeForWindow }),
    } as const;
    // A window with no record left to describe (an old checkpoint's): nothing an OnFailure record could say.
    if (dest === undefined || targets === undefined || span === undefined) {
      this.telemetry.emit(givenUp);
      this.telemetry.emit({ type: "simulator.warning", message: `event source mapping for ${this.s.functionName}: discarded ${what}` });
      return;
    }
    const body = onFailureRecord({
      requestId: requestId || this.invoker.newRequestId(),
      functionArn: this.s.functionArn,
      condition,
      approximateInvokeCount: invokes,
      response,
      now: this.clock.now(),
      batchInfoKey: this.s.batchInfoKey,
      streamArn: this.s.sourceArn,
      span,
    });
    // Held: the records go on (and the checkpoint after them) at this instant, though an SNS
    // destination awaits a commit's turn of the event loop, in which a VirtualClock would jump on.
    await whileHeld(this.clock, `esm.stream.on-failure:${this.s.functionName}`, () => targets.deliver(dest, JSON.stringify(body), undefined, undefined, {
      functionName: this.s.functionName,
      qualifier: this.s.qualifier,
      // The version that ran, as the record's responseContext says: a delivery-failure fault's
      // `qualifier` matches it as it matches invocations ($LATEST for an unqualified mapping).
      executedVersion: response?.executedVersion ?? this.notRun(),
      sourceArn: this.s.sourceArn,
      mappingUuid: this.s.uuid,
    }).then(
      () => this.telemetry.emit({ ...givenUp, destination: dest }),
      (e: unknown) => {
        this.telemetry.emit({ ...givenUp, destination: dest, error: (e as Error).message });
        this.telemetry.emit({ type: "simulator.warning", message: `event source mapping for ${this.s.functionName}: could not deliver ${what} to ${dest}: ${(e as Error).message}` });
      },
    ));
  }
}
