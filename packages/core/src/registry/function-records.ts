import type { Store } from "../store/store.ts";
import type { AliasRecord } from "./alias-routing.ts";
import type { FunctionVersionConfig } from "./function-model.ts";
import type { StatePaths } from "./state-paths.ts";

/** One function as the registry holds it: $LATEST, its published versions and aliases, its settings. */
export interface FunctionRecord {
  name: string;
  source: "api" | "config";
  latest: FunctionVersionConfig;
  versions: Map<string, FunctionVersionConfig>;
  aliases: Map<string, AliasRecord>;
  nextVersion: number;
  /** PutFunctionConcurrency; undefined = the function draws on the unreserved pool. */
  reservedConcurrency?: number;
  /** PutFunctionRecursionConfig; undefined = AWS's default, Terminate. */
  recursiveLoop?: "Allow" | "Terminate";
}

/**
 * The functions as stored (the functions, function_versions and aliases tables of the Store,
 * DESIGN.md "State and durability"): read once at start, then written as each change is made.
 * The FunctionRegistry keeps the records in memory so that resolving an invocation never touches
 * SQL; this is the only place their rows are read or written. Configurations' directories inside
 * the state directory are stored relative to it (state-paths.ts).
 */
export class FunctionRecordStore {
  private readonly store: Store;
  private readonly paths: StatePaths;

  constructor(store: Store, paths: StatePaths) {
    this.store = store;
    this.paths = paths;
  }

  /** Every stored function, with its versions and aliases. */
  load(): FunctionRecord[] {
    const db = this.store.db;
    const loaded = (json: string) => this.paths.loadedConfig(JSON.parse(json) as FunctionVersionConfig);
    const records = new Map<string, FunctionRecord>();
    const rows = db.prepare("SELECT name, source, latest, next_version, reserved_concurrency, recursive_loop FROM functions").all() as {
      name: string; source: "api" | "config"; latest: string; next_version: number; reserved_concurrency: number | null; recursive_loop: "Allow" | "Terminate" | null;
    }[];
    for (const row of rows) {
      records.set(row.name, {
        name: row.name,
        source: row.source,
        latest: loaded(row.latest),
        versions: new Map(),
        aliases: new Map(),
        nextVersion: row.next_version,
        reservedConcurrency: row.reserved_concurrency ?? undefined,
        recursiveLoop: row.recursive_loop ?? undefined,
      });
    }
    for (const row of db.prepare("SELECT name, version, config FROM function_versions").all() as { name: string; version: string; config: string }[]) {
      records.get(row.name)?.versions.set(row.version, loaded(row.config));
    }
    for (const row of db.prepare("SELECT name, alias, function_version, description, routing, revision_id FROM aliases").all() as {
      name: string; alias: string; function_version: string; description: string; routing: string | null; revision_id: string;
    }[]) {
      records.get(row.name)?.aliases.set(row.alias, {
        name: row.alias,
        functionVersion: row.function_version,
        description: row.description,
        additionalVersionWeights: row.routing === null ? undefined : JSON.parse(row.routing),
        revisionId: row.revision_id,
      });
    }
    return [...records.values()];
  }

  /** A new function: its $LATEST, no version published yet. */
  created(rec: FunctionRecord): void {
    this.store.db.prepare("INSERT INTO functions (name, source, latest, next_version) VALUES (?, ?, ?, 1)").run(rec.name, rec.source, this.paths.json(rec.latest));
  }

  latestChanged(rec: FunctionRecord): void {
    this.store.db.prepare("UPDATE functions SET latest = ? WHERE name = ?").run(this.paths.json(rec.latest), rec.name);
  }

  /** A version published, and the number the next one gets, together. */
  published(rec: FunctionRecord, config: FunctionVersionConfig): void {
    this.store.transaction(() => {
      this.store.db.prepare("INSERT INTO function_versions (name, version, config) VALUES (?, ?, ?)").run(rec.name, config.version, this.paths.json(config));
      this.store.db.prepare("UPDATE functions SET next_version = ? WHERE name = ?").run(rec.nextVersion, rec.name);
    });
  }

  versionDeleted(name: string, version: string): void {
    this.store.db.prepare("DELETE FROM function_versions WHERE name = ? AND version = ?").run(name, version);
  }

  /** The function's row (its versions' and aliases' rows go with it: the schema's ON DELETE CASCADE). */
  deleted(name: string): void {
    this.store.db.prepare("DELETE FROM functions WHERE name = ?").run(name);
  }

  reservedConcurrencyChanged(rec: FunctionRecord): void {
    this.store.db.prepare("UPDATE functions SET reserved_concurrency = ? WHERE name = ?").run(rec.reservedConcurrency ?? null, rec.name);
  }

  recursiveLoopChanged(rec: FunctionRecord): void {
    this.store.db.prepare("UPDATE functions SET recursive_loop = ? WHERE name = ?").run(rec.recursiveLoop ?? null, rec.name);
  }

  aliasSaved(name: string, alias: AliasRecord): void {
    this.store.db
      .prepare("INSERT OR REPLACE INTO aliases (name, alias, function_version, description, routing, revision_id) VALUES (?, ?, ?, ?, ?, ?)")
      .run(name, alias.name, alias.functionVersion, alias.description, alias.additionalVersionWeights ? JSON.stringify(alias.additionalVersionWeights) : null, alias.revisionId);
  }

  aliasDeleted(name: string, alias: string): void {
    this.store.db.prepare("DELETE FROM aliases WHERE name = ? AND alias = ?").run(name, alias);
  }
}
