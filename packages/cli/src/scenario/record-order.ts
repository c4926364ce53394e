import type { InvocationObserver } from "@lambda-sim/core";

/** A record processed after a later one of its key. */
export interface OutOfOrder {
  /** What the key is: a FIFO message group, or a Kinesis partition key. */
  kind: "group" | "partition key";
  key: string;
  /** The record's id: an SQS message id, or a Kinesis sequence number. */
  id: string;
  /** The id of the later record of its key, processed before it. */
  after: string;
}

/**
 * Per-key order of what a function processed successfully (expect `outOfOrderRecords`): for each
 * stream shard key (Kinesis partition key) or FIFO message group, the sequence numbers of the
 * records of successful invocations must only grow. A record processed after a later one of its
 * key counts once. Records of failed invocations are not processed, nor those a batch's answer
 * returned (batchItemFailures, newuser9 P1-6): an SQS message named there goes back to its queue,
 * and a stream is checkpointed before the lowest sequence number named there and retried from it
 * (aws-facts §6, §8.2). An answer that names failures counts so whether or not its mapping has
 * ReportBatchItemFailures (the observer does not see the mapping; without it AWS takes none).
 */
export class RecordOrder {
  /** Out-of-order records per source name (`clicks`, `orders.fifo`). */
  readonly outOfOrder = new Map<string, number>();
  /** Records of successful invocations checked. */
  checked = 0;
  /**
   * The first record processed out of order, per source: its key, its id (an SQS message id, a
   * Kinesis sequence number) and the id of the later record of its key processed before it: what
   * a CI log's reader needs to find the bug (newuser9 P1-3).
   */
  readonly first = new Map<string, OutOfOrder>();
  private readonly last = new Map<string, { seq: bigint; id: string }>();

  readonly observe: InvocationObserver = ({ payload, result }) => {
    if (result.errorType !== undefined || !payload.includes('"Records"')) return;
    let records: unknown;
    try {
      records = (JSON.parse(payload.toString("utf8")) as { Records?: unknown }).Records;
    } catch {
      return;
    }
    if (!Array.isArray(records)) return;
    const failed = returnedIds(result.payload);
    // A stream batch is retried from its lowest failed sequence number on: none of those counts.
    let retriedFrom: bigint | undefined;
    for (const r of records as Record<string, any>[]) {
      const seq = r.kinesis?.sequenceNumber;
      if (failed !== undefined && seq !== undefined && failed.has(String(seq)) && /^\d+$/.test(String(seq)) && (retriedFrom === undefined || BigInt(seq) < retriedFrom)) retriedFrom = BigInt(seq);
    }
    for (const r of records as Record<string, any>[]) {
      if (failed !== undefined && r.messageId !== undefined && failed.has(String(r.messageId))) continue;
      const source = String(r.eventSourceARN ?? "").split(/[:/]/).at(-1) ?? "";
      // Kinesis: kinesis.partitionKey and sequenceNumber; SQS FIFO: attributes.MessageGroupId and SequenceNumber.
      const key = r.kinesis?.partitionKey ?? r.attributes?.MessageGroupId;
      const seq = r.kinesis?.sequenceNumber ?? r.attributes?.SequenceNumber;
      if (key === undefined || seq === undefined || !/^\d+$/.test(String(seq))) continue;
      const n = BigInt(seq);
      if (retriedFrom !== undefined && r.kinesis !== undefined && n >= retriedFrom) continue;
      this.checked++;
      const at = `${source}\u0000${key}`;
      const id = String(r.messageId ?? seq);
      const prev = this.last.get(at);
      if (prev !== undefined && n < prev.seq) {
        this.outOfOrder.set(source, (this.outOfOrder.get(source) ?? 0) + 1);
        if (!this.first.has(source)) this.first.set(source, { kind: r.kinesis === undefined ? "group" : "partition key", key: String(key), id, after: prev.id });
      } else this.last.set(at, { seq: n, id });
    }
    return;
  };
}

/** The item identifiers a batch's answer returned as failed (`batchItemFailures`), if it names any. */
function returnedIds(response: Buffer): Set<string> | undefined {
  if (!response.includes('"batchItemFailures"')) return undefined;
  try {
    const failures = (JSON.parse(response.toString("utf8")) as { batchItemFailures?: unknown }).batchItemFailures;
    if (!Array.isArray(failures) || failures.length === 0) return undefined;
    return new Set(failures.map((f: { itemIdentifier?: unknown }) => String(f?.itemIdentifier)));
  } catch {
    return undefined;
  }
}
