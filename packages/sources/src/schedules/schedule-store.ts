import type { EventTarget } from "../events/event-store.ts";
import type { Store } from "@lambda-sim/core";

/** Which API owns a schedule: EventBridge Scheduler, or an EventBridge scheduled rule. */
export type ScheduleKind = "scheduler" | "rule";

/**
 * A target as both APIs spell it (Scheduler `Target`, EventBridge `Target`): a rule's target
 * (events/event-store.ts) whose `Id` only rules have.
 */
/** A rule's target, or a Scheduler schedule's (no Id; its KinesisParameters name a fixed PartitionKey). */
export type ScheduleTarget = Omit<EventTarget, "Id" | "KinesisParameters"> & { Id?: string; KinesisParameters?: { PartitionKey?: string; PartitionKeyPath?: string } };

/** What a schedule is, in AWS's names: stored as JSON, echoed back by Get/Describe. */
export interface ScheduleDefinition {
  ScheduleExpression: string;
  /** IANA zone; rules are always UTC (aws-facts §9.1). */
  ScheduleExpressionTimezone: string;
  State: "ENABLED" | "DISABLED";
  Description?: string;
  /** Epoch ms. */
  StartDate?: number;
  EndDate?: number;
  FlexibleTimeWindow: { Mode: "OFF" | "FLEXIBLE"; MaximumWindowInMinutes?: number };
  ActionAfterCompletion: "NONE" | "DELETE";
  Targets: ScheduleTarget[];
  /** Fields lambda-sim keeps but does not act on (RoleArn, KmsKeyArn, EventPattern, ...). */
  Extra?: Record<string, unknown>;
}

export interface ScheduleRecord {
  /** Row id, set when stored. */
  id?: number;
  kind: ScheduleKind;
  group: string;
  name: string;
  def: ScheduleDefinition;
  createdAt: number;
  modifiedAt: number;
  anchorAt: number;
  lastFireAt: number | undefined;
  skippedThrough: number | undefined;
  /**
   * Declared, not made through the API: by the configuration (`schedules:`, a template's schedules
   * translated into it), or by a template's action (a schedule on an alias, made through the API
   * once the alias exists, marked by the action's `x-lambda-sim-declared: template` header).
   */
  declared?: "config" | "template";
}

/** `scheduler/default/nightly`: the key of a schedule in maps and timer labels. */
export const keyOf = (s: { kind: ScheduleKind; group: string; name: string }) => `${s.kind}/${s.group}/${s.name}`;

interface Row {
  id: number;
  kind: ScheduleKind;
  grp: string;
  name: string;
  definition: string;
  created_at: number;
  modified_at: number;
  anchor_at: number;
  last_fire_at: number | null;
  skipped_through: number | null;
  declared: number;
}

const fromRow = (r: Row): ScheduleRecord => ({
  id: r.id,
  kind: r.kind,
  group: r.grp,
  name: r.name,
  def: JSON.parse(r.definition) as ScheduleDefinition,
  createdAt: r.created_at,
  modifiedAt: r.modified_at,
  anchorAt: r.anchor_at,
  lastFireAt: r.last_fire_at ?? undefined,
  skippedThrough: r.skipped_through ?? undefined,
  declared: r.declared === 1 ? "config" : r.declared === 2 ? "template" : undefined,
});

/** Every statement on the schedules table (STYLE.md 7.9: callers never write SQL). */
export class ScheduleStore {
  private readonly s;
  private readonly db: Store["db"];

  constructor(store: Store) {
    const db = store.db;
    const select = "SELECT s.*, f.last_fire_at, f.skipped_through FROM schedules s JOIN schedules_fires f ON f.schedule_id = s.id";
    this.s = {
      get: db.prepare<[string, string, string], Row>(`${select} WHERE kind = ? AND grp = ? AND name = ?`),
      list: db.prepare<[string], Row>(`${select} WHERE kind = ? ORDER BY grp, name`),
      all: db.prepare<[], Row>(`${select} ORDER BY kind, grp, name`),
      put: db.prepare<Record<string, unknown>, { id: number }>(
        `INSERT INTO schedules (kind, grp, name, definition, created_at, modified_at, anchor_at)
         VALUES (@kind, @group, @name, @definition, @createdAt, @modifiedAt, @anchorAt)
         ON CONFLICT (kind, grp, name) DO UPDATE SET definition = excluded.definition, modified_at = excluded.modified_at, anchor_at = excluded.anchor_at
         RETURNING id`,
      ),
      putFires: db.prepare(
        `INSERT INTO schedules_fires (schedule_id, last_fire_at, skipped_through) VALUES (?, ?, ?)
         ON CONFLICT (schedule_id) DO UPDATE SET last_fire_at = excluded.last_fire_at, skipped_through = excluded.skipped_through`,
      ),
      // One statement per batch of fires: row-by-row calls cost more than the rest of a fire.
      firedMany: db.prepare("UPDATE schedules_fires SET last_fire_at = f.value ->> 1 FROM json_each(?) AS f WHERE schedule_id = f.value ->> 0"),
      skipped: db.prepare("UPDATE schedules_fires SET skipped_through = ? WHERE schedule_id = ?"),
      delete: db.prepare("DELETE FROM schedules WHERE kind = ? AND grp = ? AND name = ?"),
      markDeclared: db.prepare("UPDATE schedules SET declared = ? WHERE kind = ? AND grp = ? AND name = ?"),
    };
    this.db = db;
  }

  get(kind: ScheduleKind, group: string, name: string): ScheduleRecord | undefined {
    const r = this.s.get.get(kind, group, name);
    return r === undefined ? undefined : fromRow(r);
  }

  list(kind?: ScheduleKind): ScheduleRecord[] {
    return (kind === undefined ? this.s.all.all() : this.s.list.all(kind)).map(fromRow);
  }

  /** Creates or replaces a schedule (and its fire times); sets `r.id`. */
  put(r: ScheduleRecord): void {
    this.db.transaction(() => {
      const { id } = this.s.put.get({ kind: r.kind, group: r.group, name: r.name, definition: JSON.stringify(r.def), createdAt: r.createdAt, modifiedAt: r.modifiedAt, anchorAt: r.anchorAt })!;
      r.id = id;
      this.s.putFires.run(id, r.lastFireAt ?? null, r.skippedThrough ?? null);
    })();
  }

  /** Records the scheduled times of delivered fires, in one statement. */
  fired(fires: readonly { r: ScheduleRecord; at: number }[]): void {
    if (fires.length > 0) this.s.firedMany.run(JSON.stringify(fires.map(({ r, at }) => [r.id, at])));
  }

  /** Records that fires up to `at` were missed while down and reported (so a restart reports them once). */
  skipped(r: ScheduleRecord, at: number): void {
    this.s.skipped.run(at, r.id);
  }

  /** The configuration (or a template's action) declares this schedule (see migration 0004). */
  markDeclared(r: { kind: ScheduleKind; group: string; name: string }, by: "config" | "template" = "config"): void {
    this.s.markDeclared.run(by === "config" ? 1 : 2, r.kind, r.group, r.name);
  }

  delete(r: { kind: ScheduleKind; group: string; name: string }): boolean {
    return this.s.delete.run(r.kind, r.group, r.name).changes > 0;
  }
}

/** `arn:aws:scheduler:<region>:<account>:schedule/<group>/<name>`, or a rule's `...:rule/<name>` (default bus). */
export function scheduleArn(s: { kind: ScheduleKind; group: string; name: string }, region: string, accountId: string): string {
  return s.kind === "rule" ? `arn:aws:events:${region}:${accountId}:rule/${s.name}` : `arn:aws:scheduler:${region}:${accountId}:schedule/${s.group}/${s.name}`;
}
