import type { z } from "zod";

/** The parts of zod 4's schema definitions this walk reads (`schema._zod.def`). */
interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  valueType?: z.ZodType;
  element?: z.ZodType;
  items?: z.ZodType[];
  options?: z.ZodType[];
  getter?: () => z.ZodType;
}

const def = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/**
 * The keys `schema` allows in the map at `path` (e.g. ["functions", "orders"] → runtime, handler,
 * …), for the "did you mean" hint on an unknown key. Works for any section a source adds, since it
 * reads the schema rather than a list kept beside it. Unknown shapes give [] (no hint).
 */
export function schemaKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  const keys = new Set<string>();
  for (const s of schemasAt(schema, path, 0)) {
    for (const obj of objectsIn(s, 0)) for (const k of Object.keys(def(obj).shape ?? {})) keys.add(k);
  }
  return [...keys];
}

/** Wrappers (optional, default, pipe, …) are looked through; unions contribute every branch. */
function unwrap(schema: z.ZodType, depth: number): z.ZodType[] {
  if (depth > 20) return [];
  const d = def(schema);
  switch (d.type) {
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
    case "nonoptional":
    case "readonly":
    case "catch":
      return d.innerType === undefined ? [] : unwrap(d.innerType, depth + 1);
    case "pipe":
      return d.in === undefined ? [] : unwrap(d.in, depth + 1);
    case "lazy":
      return d.getter === undefined ? [] : unwrap(d.getter(), depth + 1);
    case "union":
      return (d.options ?? []).flatMap((o) => unwrap(o, depth + 1));
    default:
      return [schema];
  }
}

function objectsIn(schema: z.ZodType, depth: number): z.ZodType[] {
  return unwrap(schema, depth).filter((s) => def(s).type === "object");
}

function schemasAt(schema: z.ZodType, path: readonly PropertyKey[], i: number): z.ZodType[] {
  if (i === path.length) return [schema];
  const key = path[i]!;
  const next: z.ZodType[] = [];
  for (const s of unwrap(schema, 0)) {
    const d = def(s);
    if (d.type === "object") {
      const child = d.shape?.[String(key)];
      if (child !== undefined) next.push(child);
    } else if (d.type === "record" && d.valueType !== undefined) {
      next.push(d.valueType);
    } else if (d.type === "array" && d.element !== undefined) {
      next.push(d.element);
    } else if (d.type === "tuple" && typeof key === "number" && d.items?.[key] !== undefined) {
      next.push(d.items[key]);
    }
  }
  return next.flatMap((n) => schemasAt(n, path, i + 1));
}
