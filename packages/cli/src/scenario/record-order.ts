import type { InvocationObserver } from "@lambda-sim/core";

/**
 * Per-key order of what a function processed successfully (expect `outOfOrderRecords`): for each
 * stream shard key (Kinesis partition key) or FIFO message group, the sequence numbers of the
 * records of successful invocations must only grow. A record processed after a later one of its
 * key counts once. Records of failed invocations are not processed; a batch that reported item
 * failures counts as processed, as a mapping checkpoints it.
 */
export class RecordOrder {
  /** Out-of-order records per source name (`clicks`, `orders.fifo`). */
  readonly outOfOrder = new Map<string, number>();
  /** Records of successful invocations checked. */
  checked = 0;
  private readonly last = new Map<string, bigint>();

  readonly observe: InvocationObserver = ({ payload, result }) => {
    if (result.errorType !== undefined || !payload.includes('"Records"')) return;
    let records: unknown;
    try {
      records = (JSON.parse(payload.toString("utf8")) as { Records?: unknown }).Records;
    } catch {
      return;
    }
    if (!Array.isArray(records)) return;
    for (const r of records as Record<string, any>[]) {
      const source = String(r.eventSourceARN ?? "").split(/[:/]/).at(-1) ?? "";
      // Kinesis: kinesis.partitionKey and sequenceNumber; SQS FIFO: attributes.MessageGroupId and SequenceNumber.
      const key = r.kinesis?.partitionKey ?? r.attributes?.MessageGroupId;
      const seq = r.kinesis?.sequenceNumber ?? r.attributes?.SequenceNumber;
      if (key === undefined || seq === undefined || !/^\d+$/.test(String(seq))) continue;
      this.checked++;
      const id = `${source}\u0000${key}`;
      const n = BigInt(seq);
      const prev = this.last.get(id);
      if (prev !== undefined && n < prev) this.outOfOrder.set(source, (this.outOfOrder.get(source) ?? 0) + 1);
      else this.last.set(id, n);
    }
    return;
  };
}
