import { binaryOrder } from "../text/binary-order.ts";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type Database from "better-sqlite3";
import { SimError } from "../errors/sim-error.ts";

/** One numbered, append-only schema step. Never edit or reorder a migration that has shipped. */
export interface Migration {
  /** Who owns the tables: "core", "sqs", ... The ledger key is `owner:version`. */
  owner: string;
  version: number;
  name: string;
  sql: string;
}

/** Reads `NNNN-name.sql` files from a directory URL (e.g. `new URL("./migrations/", import.meta.url)`). */
export function loadMigrations(owner: string, dir: URL): Migration[] {
  const path = fileURLToPath(dir);
  return readdirSync(path)
    .filter((f) => /^\d{4}-.+\.sql$/.test(f))
    .sort()
    .map((f) => ({
      owner,
      version: Number(f.slice(0, 4)),
      name: f.slice(5, -4),
      sql: readFileSync(`${path}/${f}`, "utf8"),
    }));
}

/**
 * Applies each owner's pending migrations in order, each in its own transaction, and records them
 * in the `schema_migrations` ledger. A database whose ledger holds a version this code does not
 * know was written by a newer lambda-sim: refuse it rather than corrupt it.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[]): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    owner TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL, applied_at TEXT NOT NULL,
    PRIMARY KEY (owner, version))`);
  const applied = db.prepare("SELECT owner, MAX(version) AS version FROM schema_migrations GROUP BY owner").all() as {
    owner: string;
    version: number;
  }[];
  const byOwner = Map.groupBy(migrations, (m) => m.owner);
  for (const { owner, version } of applied) {
    const known = Math.max(0, ...(byOwner.get(owner) ?? []).map((m) => m.version));
    if (byOwner.has(owner) && version > known) {
      throw new SimError(
        "ERR_STATE_TOO_NEW",
        `the state directory was written by a newer lambda-sim (${owner} schema ${version}, this version knows ${known}); upgrade lambda-sim or use another --state directory`,
      );
    }
  }
  const done = new Set(applied.length ? (db.prepare("SELECT owner || ':' || version AS k FROM schema_migrations").pluck().all() as string[]) : []);
  const record = db.prepare("INSERT INTO schema_migrations (owner, version, name, applied_at) VALUES (?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))");
  for (const m of [...migrations].sort((a, b) => binaryOrder(a.owner, b.owner) || a.version - b.version)) {
    if (done.has(`${m.owner}:${m.version}`)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.owner, m.version, m.name);
    })();
  }
}
