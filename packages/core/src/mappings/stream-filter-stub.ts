import { lambdaErrors } from "../errors/lambda-errors.ts";

/**
 * TEMPORARY stand-in for filter-criteria.ts (the sqs branch's EventBridge-pattern matcher with
 * `parseFilterCriteria` / `matchesFilters`): the same two calls under other names, so stream
 * mappings filter today. TODO(merge): switch the callers to filter-criteria.ts and delete this.
 *
 * Event filtering (aws-facts §6 "Filtering basics", §8.2): up to 5 filters (OR), each a pattern
 * ≤ 4,096 characters whose keys must all match (AND); leaves are lists of values or operators
 * (prefix, suffix, anything-but, numeric, exists, equals-ignore-case).
 */
export type Pattern = { [key: string]: Pattern | unknown[] };

const invalid = () => lambdaErrors.invalidParameterValue("Invalid filter pattern definition.");

export function parseStreamFilterCriteria(input: { Filters?: { Pattern?: string }[] } | undefined): Pattern[] | undefined {
  const filters = input?.Filters;
  if (filters === undefined || filters.length === 0) return undefined;
  if (filters.length > 5) throw invalid();
  return filters.map((f) => {
    if (typeof f.Pattern !== "string" || f.Pattern.length > 4_096) throw invalid();
    let p: unknown;
    try {
      p = JSON.parse(f.Pattern);
    } catch {
      throw invalid();
    }
    check(p);
    return p as Pattern;
  });
}

function check(p: unknown): void {
  if (p === null || typeof p !== "object" || Array.isArray(p)) throw invalid();
  for (const v of Object.values(p)) {
    if (Array.isArray(v)) {
      if (v.length === 0) throw invalid();
    } else {
      check(v);
    }
  }
}

export function matchesStreamFilters(filters: readonly Pattern[], record: unknown): boolean {
  return filters.some((f) => matches(f, record));
}

function matches(pattern: Pattern, value: unknown): boolean {
  const obj = value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  for (const [key, rule] of Object.entries(pattern)) {
    const v = obj?.[key];
    if (Array.isArray(rule)) {
      if (!rule.some((r) => leaf(r, v, obj !== undefined && key in obj))) return false;
    } else if (v === undefined || !matches(rule as Pattern, v)) {
      return false;
    }
  }
  return true;
}

/** One leaf rule against a value (an array value matches when any element does). */
function leaf(rule: unknown, v: unknown, present: boolean): boolean {
  if (rule !== null && typeof rule === "object") {
    const [op, arg] = Object.entries(rule as Record<string, unknown>)[0] ?? [];
    if (op === "exists") return arg === present;
    if (!present) return false;
    const values = Array.isArray(v) ? v : [v];
    return values.some((x) => operator(op, arg, x));
  }
  if (!present) return rule === null && v === null;
  const values = Array.isArray(v) ? v : [v];
  // Numbers match by their text (aws-facts §6: 300 is not 300.0 in JSON source; equal here once parsed).
  return values.some((x) => x === rule);
}

function operator(op: string | undefined, arg: unknown, x: unknown): boolean {
  switch (op) {
    case "prefix":
      return typeof x === "string" && typeof arg === "string" && x.startsWith(arg);
    case "suffix":
      return typeof x === "string" && typeof arg === "string" && x.endsWith(arg);
    case "equals-ignore-case":
      return typeof x === "string" && typeof arg === "string" && x.toLowerCase() === arg.toLowerCase();
    case "anything-but": {
      if (arg !== null && typeof arg === "object" && !Array.isArray(arg)) return !operator(Object.keys(arg)[0], Object.values(arg)[0], x);
      const list = Array.isArray(arg) ? arg : [arg];
      return !list.includes(x);
    }
    case "numeric": {
      if (typeof x !== "number" || !Array.isArray(arg)) return false;
      for (let i = 0; i + 1 < arg.length; i += 2) {
        const n = arg[i + 1] as number;
        const ok = { "<": x < n, "<=": x <= n, "=": x === n, ">": x > n, ">=": x >= n }[arg[i] as string];
        if (!ok) return false;
      }
      return true;
    }
    default:
      return false;
  }
}
