import type { CheckpointStore } from "./checkpoint-store.ts";
import type { StreamRecord } from "./stream-reader.ts";

/** A batch's attempts so far: the retries MaximumRetryAttempts counts, and its invocations. */
export interface Attempts {
  retries: number;
  invokes: number;
}

/**
 * The attempts of a stream mapping's batches held by retries, by the batch's first record. The
 * mapping's owner keeps one per mapping across the workers an UpdateEventSourceMapping stops and
 * starts: the restarted shard reads the held batch again from its checkpoint, and its attempts
 * count on from where they were, so its OnFailure record's approximateInvokeCount counts every
 * invocation (it said 0 when the update made the records too old at once). AWS does not document
 * what an update does to a batch in retries; keeping the count is our choice. Given the mapping's
 * CheckpointStore, the entries are saved with its checkpoints, so a restart of the simulator
 * counts on too (review37 #11: AWS's retry state outlives any one poller; how is not documented).
 */
export class HeldAttempts {
  private readonly byFirstRecord: Map<string, Attempts>;
  private readonly saved: { store: CheckpointStore; uuid: string } | undefined;

  constructor(saved?: { store: CheckpointStore; uuid: string }) {
    this.saved = saved;
    this.byFirstRecord = saved === undefined ? new Map() : saved.store.held(saved.uuid);
  }

  /**
   * The attempts of a held batch whose first record is among `records`, noted before the worker
   * was restarted. Not only the first: with ParallelizationFactor > 1 the shard's checkpoint may be
   * behind a held lane's batch (another lane held or in flight), so the restarted lane reads its
   * records done since the checkpoint again, and the held batch comes after them in its first batch.
   * The batch runs as a whole now: the entries of its other records (a bisected half's, held as it
   * was split off) are its own, and are dropped, so none is left behind once it ends.
   */
  carried(records: readonly StreamRecord[]): (Attempts & { key: string }) | undefined {
    if (this.byFirstRecord.size === 0) return undefined;
    let found: (Attempts & { key: string }) | undefined;
    for (const r of records) {
      const key = keyOf(r);
      const a = this.byFirstRecord.get(key);
      if (a === undefined) continue;
      if (found === undefined) found = { ...a, key };
      else this.release(key);
    }
    return found;
  }

  /** Notes a batch waiting for its retry; returns its key (a partial response moves its first record on). */
  hold(first: StreamRecord | undefined, attempts: Attempts, previous: string | undefined): string | undefined {
    this.release(previous);
    if (first === undefined) return undefined;
    const key = keyOf(first);
    const a = { retries: attempts.retries, invokes: attempts.invokes };
    this.byFirstRecord.set(key, a);
    this.saved?.store.saveHeld(this.saved.uuid, first.shardId, first.sequenceNumber, a);
    return key;
  }

  /** The batch ended (done, given up): nothing to carry. */
  release(key: string | undefined): void {
    if (key === undefined || !this.byFirstRecord.delete(key) || this.saved === undefined) return;
    const space = key.indexOf(" ");
    this.saved.store.saveHeld(this.saved.uuid, key.slice(0, space), key.slice(space + 1), undefined);
  }
}

function keyOf(r: StreamRecord): string {
  return `${r.shardId} ${r.sequenceNumber}`;
}
