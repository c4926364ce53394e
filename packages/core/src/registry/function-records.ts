import type Database from "better-sqlite3";
import type { FunctionVersionConfig } from "./function-model.ts";
import type { FunctionRecord } from "./function-registry.ts";

/**
 * The functions as stored (the functions, function_versions and aliases tables), read once at
 * start: the registry keeps them in memory so that resolving an invocation never touches SQL.
 * `loaded` turns a stored configuration's directories into the paths they name now (state-paths.ts).
 */
export function loadFunctionRecords(db: Database.Database, loaded: (c: FunctionVersionConfig) => FunctionVersionConfig = (c) => c): FunctionRecord[] {
  const records = new Map<string, FunctionRecord>();
  const rows = db.prepare("SELECT name, source, latest, next_version, reserved_concurrency, recursive_loop FROM functions").all() as {
    name: string; source: "api" | "config"; latest: string; next_version: number; reserved_concurrency: number | null; recursive_loop: "Allow" | "Terminate" | null;
  }[];
  for (const row of rows) {
    records.set(row.name, {
      name: row.name,
      source: row.source,
      latest: loaded(JSON.parse(row.latest)),
      versions: new Map(),
      aliases: new Map(),
      nextVersion: row.next_version,
      reservedConcurrency: row.reserved_concurrency ?? undefined,
      recursiveLoop: row.recursive_loop ?? undefined,
    });
  }
  for (const row of db.prepare("SELECT name, version, config FROM function_versions").all() as { name: string; version: string; config: string }[]) {
    records.get(row.name)?.versions.set(row.version, loaded(JSON.parse(row.config)));
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
