import type { Store } from "../store/store.ts";

/** Where a shard's consumer stands: after `sequenceNumber`, with the open tumbling window's state. */
export interface Checkpoint {
  /** The last record done; undefined: none yet (start at the oldest record kept). */
  sequenceNumber: string | undefined;
  window?: { start: number; state: unknown };
}

/**
 * Durable checkpoints of stream event source mappings (DESIGN.md "State and durability"): written
 * once a batch is done (succeeded, or handed to OnFailure), so after a crash processing resumes
 * after the last checkpoint; records past it run again (at least once, as on AWS).
 */
export class CheckpointStore {
  private readonly sql;

  constructor(store: Store) {
    const db = store.db;
    this.sql = {
      get: db.prepare("SELECT sequence_number, window_start, window_state FROM esm_checkpoints WHERE mapping_uuid = ? AND shard_id = ?"),
      save: db.prepare("INSERT OR REPLACE INTO esm_checkpoints (mapping_uuid, shard_id, sequence_number, window_start, window_state, updated_at) VALUES (?, ?, ?, ?, ?, ?)"),
      deleteMapping: db.prepare("DELETE FROM esm_checkpoints WHERE mapping_uuid = ?"),
    };
  }

  get(uuid: string, shardId: string): Checkpoint | undefined {
    const row = this.sql.get.get(uuid, shardId) as { sequence_number: string | null; window_start: number | null; window_state: string | null } | undefined;
    if (row === undefined) return undefined;
    const cp: Checkpoint = { sequenceNumber: row.sequence_number ?? undefined };
    if (row.window_start !== null) cp.window = { start: row.window_start, state: JSON.parse(row.window_state ?? "{}") };
    return cp;
  }

  save(uuid: string, shardId: string, cp: Checkpoint, now: number): void {
    this.sql.save.run(uuid, shardId, cp.sequenceNumber ?? null, cp.window?.start ?? null, cp.window === undefined ? null : JSON.stringify(cp.window.state), now);
  }

  deleteMapping(uuid: string): void {
    this.sql.deleteMapping.run(uuid);
  }
}
