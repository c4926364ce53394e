import type { Source } from "../source.ts";
import type { Store } from "../store/store.ts";
import { builtInNames, type KnownNames } from "../faults/fault-names.ts";

/**
 * The names the state holds before anything starts: the functions (declared ones applied) and what
 * each source's `namesInState` reads from its tables; undefined for a kind no loaded source reads.
 */
export function stateNames(functions: () => readonly string[], store: Store, sources: readonly Source<any>[]): KnownNames {
  const read = sources.map((s) => s.namesInState?.(store) ?? {});
  return (kind) => {
    if (kind === "function") return functions();
    const lists = read.flatMap((names) => names[kind] ?? []);
    const known = read.some((names) => names[kind] !== undefined);
    return known ? [...new Set([...lists, ...builtInNames(kind)])] : undefined;
  };
}

/** The `name` column of a source's table of resources (`sqs_queues`): for its `namesInState`. */
export function namesInTable(store: Store, table: string): string[] {
  return (store.db.prepare(`SELECT name FROM ${table}`).all() as { name: string }[]).map((r) => r.name);
}
