import type { Store } from "../store/store.ts";
import type { Attempts } from "./held-attempts.ts";
import type { RecordSpan } from "./stream-batches.ts";
import { TERMINATED_EARLY } from "./tumbling-window.ts";

/** Where a shard's consumer stands: after `sequenceNumber`, with the open tumbling window's state. */
export interface Checkpoint {
  /** The last record done; undefined: none yet (start at the oldest record kept). */
  sequenceNumber: string | undefined;
  window?: { start: number; state: unknown; records?: RecordSpan };
}

interface PendingSave {
  uuid: string;
  shardId: string;
  sequenceNumber: string | undefined;
  /** Serialised when saved: the consumer goes on with its window state. */
  window: { start: number; state: string | null; records: string | null; terminatedEarly: 0 | 1 } | undefined;
  now: number;
}

/**
 * Durable checkpoints of stream event source mappings (DESIGN.md "State and durability"): written
 * once a batch is done (succeeded, or handed to OnFailure), so after a crash processing resumes
 * after the last checkpoint; records past it run again (at least once, as on AWS).
 *
 * Saves made in one turn of the event loop are committed together at its end, the latest per
 * shard, in the store's group commit (shared with the other writers of that turn): a commit per
 * batch sat between one batch and the next on every shard. A crash before that commit, or a
 * commit that fails, runs the shard's last batch again, which at-least-once allows.
 *
 * Beside them, the attempts of the batches held by retries (HeldAttempts), written in the same
 * commits: after a restart a held batch counts on towards MaximumRetryAttempts (review37 #11).
 */
export class CheckpointStore {
  private readonly store: Store;
  private readonly sql;
  private readonly pending = new Map<string, PendingSave>();
  /** Held batches' attempts to write (undefined: to delete), by mapping, shard and first record. */
  private readonly pendingHeld = new Map<string, { uuid: string; shardId: string; sequenceNumber: string; attempts: Attempts | undefined }>();
  private scheduled = false;

  constructor(store: Store) {
    this.store = store;
    const db = store.db;
    this.sql = {
      get: db.prepare("SELECT sequence_number, window_start, window_state, window_records, window_terminated_early FROM esm_checkpoints WHERE mapping_uuid = ? AND shard_id = ?"),
      save: db.prepare("INSERT OR REPLACE INTO esm_checkpoints (mapping_uuid, shard_id, sequence_number, window_start, window_state, window_records, window_terminated_early, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
      deleteMapping: db.prepare("DELETE FROM esm_checkpoints WHERE mapping_uuid = ?"),
      held: db.prepare("SELECT shard_id, sequence_number, retries, invokes FROM esm_held_attempts WHERE mapping_uuid = ?"),
      saveHeld: db.prepare("INSERT OR REPLACE INTO esm_held_attempts (mapping_uuid, shard_id, sequence_number, retries, invokes) VALUES (?, ?, ?, ?, ?)"),
      deleteHeld: db.prepare("DELETE FROM esm_held_attempts WHERE mapping_uuid = ? AND shard_id = ? AND sequence_number = ?"),
      deleteMappingHeld: db.prepare("DELETE FROM esm_held_attempts WHERE mapping_uuid = ?"),
    };
  }

  get(uuid: string, shardId: string): Checkpoint | undefined {
    const saving = this.pending.get(key(uuid, shardId));
    if (saving !== undefined) {
      const { sequenceNumber, window } = saving;
      return window === undefined ? { sequenceNumber } : { sequenceNumber, window: readWindow(window.start, window.state, window.records, window.terminatedEarly) };
    }
    const row = this.sql.get.get(uuid, shardId) as { sequence_number: string | null; window_start: number | null; window_state: string | null; window_records: string | null; window_terminated_early: 0 | 1 } | undefined;
    if (row === undefined) return undefined;
    const cp: Checkpoint = { sequenceNumber: row.sequence_number ?? undefined };
    if (row.window_start !== null) cp.window = readWindow(row.window_start, row.window_state, row.window_records, row.window_terminated_early);
    return cp;
  }

  save(uuid: string, shardId: string, cp: Checkpoint, now: number): void {
    const w = cp.window;
    const window = w === undefined ? undefined : { start: w.start, state: (JSON.stringify(w.state) as string | undefined) ?? null, records: w.records === undefined ? null : JSON.stringify(w.records), terminatedEarly: w.state === TERMINATED_EARLY ? (1 as const) : (0 as const) };
    this.pending.set(key(uuid, shardId), { uuid, shardId, sequenceNumber: cp.sequenceNumber, window, now });
    this.schedule();
  }

  /** A mapping's held batches' attempts as saved, by `shardId sequenceNumber` of their first record. */
  held(uuid: string): Map<string, Attempts> {
    const out = new Map<string, Attempts>();
    const rows = this.sql.held.all(uuid) as { shard_id: string; sequence_number: string; retries: number; invokes: number }[];
    for (const r of rows) out.set(`${r.shard_id} ${r.sequence_number}`, { retries: r.retries, invokes: r.invokes });
    for (const p of this.pendingHeld.values()) {
      if (p.uuid !== uuid) continue;
      if (p.attempts === undefined) out.delete(`${p.shardId} ${p.sequenceNumber}`);
      else out.set(`${p.shardId} ${p.sequenceNumber}`, p.attempts);
    }
    return out;
  }

  /** Saves (or, with undefined, forgets) a held batch's attempts, in the next commit with the checkpoints. */
  saveHeld(uuid: string, shardId: string, sequenceNumber: string, attempts: Attempts | undefined): void {
    this.pendingHeld.set(`${key(uuid, shardId)}\n${sequenceNumber}`, { uuid, shardId, sequenceNumber, attempts: attempts === undefined ? undefined : { ...attempts } });
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.store.commits.write(() => this.writePending()).catch(() => {
      // Not saved (the database closed, a failed commit): a restart resumes the shard from its
      // previous checkpoint, running those records again (at least once).
      this.scheduled = false;
    });
  }

  /** Commits the saves not committed yet (also before the mappings stop). */
  flush(): void {
    this.store.commits.flush();
  }

  /** Inside the group commit's transaction. */
  private writePending(): void {
    this.scheduled = false;
    for (const { uuid, shardId, sequenceNumber, window, now } of this.pending.values()) {
      this.sql.save.run(uuid, shardId, sequenceNumber ?? null, window?.start ?? null, window?.state ?? null, window?.records ?? null, window?.terminatedEarly ?? 0, now);
    }
    this.pending.clear();
    for (const { uuid, shardId, sequenceNumber, attempts } of this.pendingHeld.values()) {
      if (attempts === undefined) this.sql.deleteHeld.run(uuid, shardId, sequenceNumber);
      else this.sql.saveHeld.run(uuid, shardId, sequenceNumber, attempts.retries, attempts.invokes);
    }
    this.pendingHeld.clear();
  }

  deleteMapping(uuid: string): void {
    for (const [k, p] of this.pending) if (p.uuid === uuid) this.pending.delete(k);
    for (const [k, p] of this.pendingHeld) if (p.uuid === uuid) this.pendingHeld.delete(k);
    this.sql.deleteMapping.run(uuid);
    this.sql.deleteMappingHeld.run(uuid);
  }
}

/** A saved window; one terminated early is TERMINATED_EARLY again (review18 R18-7: a restart lost the flag). */
function readWindow(start: number, state: string | null, records: string | null, terminatedEarly: 0 | 1): NonNullable<Checkpoint["window"]> {
  const w: NonNullable<Checkpoint["window"]> = { start, state: terminatedEarly === 1 ? TERMINATED_EARLY : JSON.parse(state ?? "{}") };
  if (records !== null) w.records = JSON.parse(records) as RecordSpan;
  return w;
}

const key = (uuid: string, shardId: string) => `${uuid}\n${shardId}`;
