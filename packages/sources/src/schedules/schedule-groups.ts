import type { Store } from "@lambda-sim/core";

/** A Scheduler schedule group as stored: the default group has no dates. */
export interface ScheduleGroup {
  name: string;
  createdAt: number | undefined;
  modifiedAt: number | undefined;
  tags: Record<string, string>;
  /** The ClientToken of the CreateScheduleGroup that made it, if it had one. */
  clientToken: string | undefined;
}

export const DEFAULT_GROUP = "default";

interface Row {
  name: string;
  created_at: number | null;
  modified_at: number | null;
  tags: string;
  client_token: string | null;
}

const fromRow = (r: Row): ScheduleGroup => ({ name: r.name, createdAt: r.created_at ?? undefined, modifiedAt: r.modified_at ?? undefined, tags: JSON.parse(r.tags) as Record<string, string>, clientToken: r.client_token ?? undefined });

/**
 * EventBridge Scheduler's schedule groups (CreateScheduleGroup and its kin), in SQLite with the
 * schedules: a group made by the API or for a declared schedule outlives a restart, and its tags
 * with it. The schedules of a group live in ScheduleStore under the group's name.
 */
export class ScheduleGroups {
  private readonly sql;

  constructor(store: Store) {
    const db = store.db;
    this.sql = {
      get: db.prepare("SELECT * FROM schedule_groups WHERE name = ?"),
      list: db.prepare("SELECT * FROM schedule_groups ORDER BY name"),
      insert: db.prepare("INSERT INTO schedule_groups (name, created_at, modified_at, tags, client_token) VALUES (?, ?, ?, ?, ?)"),
      setTags: db.prepare("UPDATE schedule_groups SET tags = ? WHERE name = ?"),
      delete: db.prepare("DELETE FROM schedule_groups WHERE name = ?"),
    };
  }

  get(name: string): ScheduleGroup | undefined {
    const row = this.sql.get.get(name) as Row | undefined;
    return row === undefined ? undefined : fromRow(row);
  }

  list(): ScheduleGroup[] {
    return (this.sql.list.all() as Row[]).map(fromRow);
  }

  /** A new group at service time `now`; the caller has checked that none of its name exists. */
  create(name: string, now: number, tags: Record<string, string> = {}, clientToken?: string): ScheduleGroup {
    this.sql.insert.run(name, now, now, JSON.stringify(tags), clientToken ?? null);
    return { name, createdAt: now, modifiedAt: now, tags, clientToken };
  }

  /** Adds or overwrites `tags` (TagResource). Tags are not a modification of the group (LastModificationDate stays). */
  tag(name: string, tags: Record<string, string>): void {
    const g = this.get(name);
    if (g !== undefined) this.sql.setTags.run(JSON.stringify({ ...g.tags, ...tags }), name);
  }

  /** Removes the tags with these keys (UntagResource); a key the group lacks is no error. */
  untag(name: string, keys: readonly string[]): void {
    const g = this.get(name);
    if (g === undefined) return;
    const left = Object.fromEntries(Object.entries(g.tags).filter(([k]) => !keys.includes(k)));
    this.sql.setTags.run(JSON.stringify(left), name);
  }

  delete(name: string): void {
    this.sql.delete.run(name);
  }
}
