import type { StreamRecord } from "./stream-reader.ts";

/**
 * The pure rules of stream event source mappings (aws-facts §8.2), kept apart from the worker so a
 * table of tests pins them: which lane a record takes, how a failed batch is split, which records
 * are too old, what a function's response means, and the OnFailure record.
 */

/**
 * ParallelizationFactor (1-10) runs that many batches of a shard at once, keeping order per
 * partition key (aws-facts §8.2): a key always lands in the same lane (FNV-1a of the key).
 */
export function laneOf(partitionKey: string, lanes: number): number {
  if (lanes <= 1) return 0;
  let h = 0x811c9dc5;
  for (let i = 0; i < partitionKey.length; i++) {
    h ^= partitionKey.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % lanes;
}

/**
 * The lane a batch ran in when its shard runs several (ParallelizationFactor > 1), and how many the
 * shard runs: a lane's number means `laneOf(key, count)`, so a watcher that sees the count change
 * (an update of ParallelizationFactor regroups the keys) knows the old numbers no longer hold.
 */
export interface BatchLane {
  index: number;
  count: number;
}

/** A batch's lane as telemetry carries it (`mapping.batch`, `mapping.batch-given-up`): nothing for a shard of one lane. */
export function laneFields(lane: BatchLane | undefined): { lane?: number; laneCount?: number } {
  return lane === undefined ? {} : { lane: lane.index, laneCount: lane.count };
}

/** BisectBatchOnFunctionError: the failed batch in two halves, the first the larger (ADG23). */
export function bisect<T>(records: readonly T[]): [T[], T[]] {
  const half = Math.ceil(records.length / 2);
  return [records.slice(0, half), records.slice(half)];
}

/**
 * How many leading records are too old to invoke with: older than MaximumRecordAgeInSeconds, or,
 * with the default -1, than the stream's retention (aws-facts §8.2: then they are gone anyway;
 * that they are reported to OnFailure as RecordAgeExceeded is our choice: AWS does not say).
 */
export function expiredCount(records: readonly StreamRecord[], now: number, maxAgeSeconds: number, retentionMs: number): number {
  let n = 0;
  while (n < records.length && isTooOld(records[n]!.arrivalMs, now, maxAgeSeconds, retentionMs)) n++;
  return n;
}

/** A record that arrived then is too old to invoke with now (see expiredCount). */
export function isTooOld(arrivalMs: number, now: number, maxAgeSeconds: number, retentionMs: number): boolean {
  const limit = maxAgeSeconds === -1 ? retentionMs : Math.min(maxAgeSeconds * 1000, retentionMs);
  return now - arrivalMs > limit;
}

/** Retries of a failing batch back off from 1 s, doubling, up to a minute (exact AWS backoff unconfirmed). */
export function retryDelayMs(attempt: number): number {
  return Math.min(1_000 * 2 ** Math.max(0, attempt - 1), 60_000);
}

export type StreamResponse =
  | { kind: "succeeded"; state?: unknown }
  /** `reason`: the function succeeded but its answer is refused (telemetry says why; AWS's metrics do not count it an error). */
  | { kind: "failed"; reason?: string }
  /** Records before `firstFailed` (an index into the batch) succeeded. */
  | { kind: "partial"; firstFailed: number; state?: unknown };

/**
 * Reads a stream function's response (aws-facts §8.2). With ReportBatchItemFailures,
 * `batchItemFailures` names sequence numbers; Lambda checkpoints before the lowest one. Invalid
 * entries (empty, null, unknown, wrong key) fail the whole batch. With a tumbling window the
 * response must carry `state`.
 */
/** AWS: "If the response does not contain a state property, Lambda considers this a failed invocation" (services-kinesis-windows). */
export const NO_STATE = "the answer has no `state` object (required with TumblingWindowInSeconds)";

export function parseStreamResponse(payload: Buffer, sequenceNumbers: readonly string[], reportFailures: boolean, window: boolean): StreamResponse {
  let response: unknown;
  try {
    const text = payload.toString("utf8");
    response = text === "" ? null : JSON.parse(text);
  } catch {
    return window ? { kind: "failed", reason: NO_STATE } : reportFailures ? { kind: "failed" } : { kind: "succeeded" };
  }
  const obj = response !== null && typeof response === "object" && !Array.isArray(response) ? (response as Record<string, unknown>) : undefined;
  let state: unknown;
  if (window) {
    if (obj === undefined || obj.state === undefined || obj.state === null || typeof obj.state !== "object") return { kind: "failed", reason: NO_STATE };
    state = obj.state;
  }
  const done = (): StreamResponse => (window ? { kind: "succeeded", state } : { kind: "succeeded" });
  if (!reportFailures || obj === undefined) return done();
  const list = obj.batchItemFailures;
  if (list === undefined || list === null) return done();
  if (!Array.isArray(list)) return { kind: "failed" };
  if (list.length === 0) return done();
  let lowest = Number.POSITIVE_INFINITY;
  for (const entry of list) {
    const id = entry !== null && typeof entry === "object" ? (entry as { itemIdentifier?: unknown }).itemIdentifier : undefined;
    const at = typeof id === "string" && id !== "" ? sequenceNumbers.indexOf(id) : -1;
    if (at < 0) return { kind: "failed" };
    lowest = Math.min(lowest, at);
  }
  return window ? { kind: "partial", firstFailed: lowest, state } : { kind: "partial", firstFailed: lowest };
}

export type FailureCondition = "RetryAttemptsExhausted" | "RecordAgeExceeded";

export interface OnFailureInput {
  requestId: string;
  functionArn: string;
  condition: FailureCondition;
  approximateInvokeCount: number;
  /** The last invocation's result; RecordAgeExceeded records carry none (aws-facts §8.2). */
  response?: { executedVersion: string; functionError?: string };
  now: number;
  batchInfoKey: string;
  streamArn: string;
  /** The records given up, or a tumbling window's when its final invocation is (stream-batch-runner). */
  span: RecordSpan;
}

/** Where a run of a shard's records starts and ends: what an OnFailure record says of them. */
export interface RecordSpan {
  shardId: string;
  first: { sequenceNumber: string; arrivalMs: number };
  last: { sequenceNumber: string; arrivalMs: number };
  size: number;
}

/** The span of records (at least one), in shard order. */
export function spanOf(records: readonly StreamRecord[]): RecordSpan {
  const first = records[0]!;
  const last = records.at(-1)!;
  return { shardId: first.shardId, first: { sequenceNumber: first.sequenceNumber, arrivalMs: first.arrivalMs }, last: { sequenceNumber: last.sequenceNumber, arrivalMs: last.arrivalMs }, size: records.length };
}

/** A span with more records after it (a tumbling window growing batch by batch). */
export function extendSpan(span: RecordSpan | undefined, records: readonly StreamRecord[]): RecordSpan | undefined {
  if (records.length === 0) return span;
  const more = spanOf(records);
  return span === undefined ? more : { ...span, last: more.last, size: span.size + more.size };
}

/** The OnFailure destination record of aws-facts §8.2 (records themselves not included). */
export function onFailureRecord(i: OnFailureInput): Record<string, unknown> {
  const { first, last } = i.span;
  const out: Record<string, unknown> = {
    requestContext: { requestId: i.requestId, functionArn: i.functionArn, condition: i.condition, approximateInvokeCount: i.approximateInvokeCount },
  };
  if (i.condition !== "RecordAgeExceeded" && i.response !== undefined) {
    const ctx: Record<string, unknown> = { statusCode: 200, executedVersion: i.response.executedVersion };
    if (i.response.functionError !== undefined) ctx.functionError = i.response.functionError;
    out.responseContext = ctx;
  }
  out.version = "1.0";
  out.timestamp = new Date(i.now).toISOString();
  out[i.batchInfoKey] = {
    shardId: i.span.shardId,
    startSequenceNumber: first.sequenceNumber,
    endSequenceNumber: last.sequenceNumber,
    approximateArrivalOfFirstRecord: new Date(first.arrivalMs).toISOString(),
    approximateArrivalOfLastRecord: new Date(last.arrivalMs).toISOString(),
    batchSize: i.span.size,
    streamArn: i.streamArn,
  };
  return out;
}
