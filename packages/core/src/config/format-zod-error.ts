import type { z } from "zod";

export type Path = readonly PropertyKey[];
type Issue = z.core.$ZodIssue;

/**
 * One line per problem: `<file>:<line> <key.path>: expected …, got …` (DESIGN.md "Config": every
 * error names the file, the key path and what was expected), sorted by line. Lines come from a
 * callback so core does not depend on the YAML parser; `knownKeysAt` (the keys the schema allows
 * at a path) feeds the "did you mean" hint for unknown keys.
 *
 * Schemas in this project give their own messages, always starting with "expected"; zod's stock
 * messages ("Invalid input: …") are replaced by ones built from the issue's fields.
 */
export function formatZodError(
  error: z.ZodError,
  file: string,
  lineOf: (path: Path) => number | undefined,
  knownKeysAt: (path: Path) => string[] = () => [],
): string[] {
  const found: { line: number | undefined; text: string }[] = [];
  const add = (path: Path, text: string) => {
    const line = lineOf(path);
    found.push({ line, text: `${line === undefined ? `${file}:` : `${file}:${line}`} ${dottedPath(path)}: ${text}` });
  };
  for (const issue of error.issues.flatMap(inside)) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) add([...issue.path, key], `unknown key${suggestion(key, knownKeysAt(issue.path))}`);
    } else if (issue.code === "invalid_key") {
      // A record key that fails its pattern (a function name, a queue name): the key is the value.
      const inner = issue.issues[0];
      add(issue.path, `${inner === undefined ? "expected a valid name" : expectation(inner)}, got ${describe(issue.input)}`);
    } else {
      add(issue.path, `${expectation(issue)}${tail(issue)}`);
    }
  }
  // Stable: issues on the same line keep zod's order.
  found.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
  return found.map((f) => f.text);
}

/**
 * A union's miss, where the value had one branch's shape and failed inside it (`nth: [1, "x"]`, a
 * list of whole numbers with a text in it): that branch's own issues, at their paths, rather than
 * the union's first expectation ("expected a number, got a list"). Other issues as they are.
 */
function inside(issue: Issue): Issue[] {
  if (issue.code !== "invalid_union" || issue.discriminator !== undefined) return [issue];
  const shaped = issue.errors.filter((branch) => branch.length > 0 && branch.every((i) => i.path.length > 0));
  if (shaped.length !== 1) return [issue];
  return shaped[0]!.map((i) => ({ ...i, path: [...issue.path, ...i.path] }) as Issue).flatMap(inside);
}

/** `functions.orders.memorySize`, `architectures[0]`; odd keys are quoted (`queues["a.b"]`). */
export function dottedPath(path: Path): string {
  if (path.length === 0) return "(top level)";
  let out = "";
  for (const key of path) {
    const k = String(key);
    if (typeof key === "number") out += `[${k}]`;
    else if (/^[A-Za-z0-9_-]+$/.test(k)) out += out === "" ? k : `.${k}`;
    else out += `[${JSON.stringify(k)}]`;
  }
  return out;
}

function tail(issue: Issue): string {
  // A discriminated union's miss sits at the discriminator's path but carries the whole map as its
  // input: what was got is the discriminator's value (`kind: 'nope'`), not "a map".
  if (issue.code === "invalid_union" && issue.discriminator !== undefined && isMap(issue.input)) {
    const value = issue.input[issue.discriminator];
    return value === undefined ? ", but it is missing" : `, got ${describe(value)}`;
  }
  if (issue.input === undefined) return ", but it is missing";
  // A refinement over a whole map or list says what is wrong itself; "got a map" adds nothing.
  if (issue.code === "custom" && typeof issue.input === "object" && issue.input !== null) return "";
  return `, got ${describe(issue.input)}`;
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The "expected …" part: the schema's own message, or one built from a stock zod issue. */
function expectation(issue: Issue): string {
  if (issue.message.startsWith("expected")) return issue.message;
  switch (issue.code) {
    case "invalid_type":
      return `expected ${typeName(issue.expected)}`;
    case "too_small":
      return `expected ${bound(issue.origin, issue.minimum, issue.inclusive !== false, "min", issue.exact === true)}`;
    case "too_big":
      return `expected ${bound(issue.origin, issue.maximum, issue.inclusive !== false, "max", issue.exact === true)}`;
    case "invalid_value":
      return issue.values.length === 1 ? `expected ${literal(issue.values[0])}` : `expected one of ${issue.values.map(literal).join(", ")}`;
    case "invalid_format":
      return issue.format === "regex" && issue.pattern !== undefined ? `expected a string matching ${issue.pattern}` : `expected a valid ${issue.format}`;
    case "not_multiple_of":
      return `expected a multiple of ${issue.divisor}`;
    case "invalid_union": {
      const types = [...new Set(issue.errors.flatMap((branch) => branch.filter((i) => i.code === "invalid_type" && i.path.length === 0).map((i) => typeName((i as z.core.$ZodIssueInvalidType).expected))))];
      return types.length > 0 ? `expected ${types.join(" or ")}` : "expected one of the accepted forms";
    }
    case "custom":
      return issue.message;
    default:
      return `expected a valid value (${issue.message})`;
  }
}

function typeName(expected: string): string {
  const names: Record<string, string> = {
    string: "a string",
    number: "a number",
    int: "an integer",
    boolean: "true or false",
    array: "a list",
    tuple: "a list",
    object: "a map",
    record: "a map",
    map: "a map",
    null: "an empty value",
    nonoptional: "a value",
  };
  return names[expected] ?? `a ${expected}`;
}

function bound(origin: string, limit: number | bigint, inclusive: boolean, side: "min" | "max", exact: boolean): string {
  const n = Number(limit);
  if (origin === "string" || origin === "array" || origin === "set") {
    const unit = origin === "string" ? (n === 1 ? "character" : "characters") : n === 1 ? "item" : "items";
    if (exact) return `exactly ${n} ${unit}`;
    const at = side === "min" ? (inclusive ? n : n + 1) : inclusive ? n : n - 1;
    return `${side === "min" ? "at least" : "at most"} ${at} ${unit}`;
  }
  const what = origin === "int" ? "an integer" : "a number";
  const op = side === "min" ? (inclusive ? "≥" : ">") : inclusive ? "≤" : "<";
  return `${what} ${op} ${n}`;
}

function literal(v: unknown): string {
  return typeof v === "string" ? v : String(v);
}

const SHOWN_STRING_MAX = 40;

/** What the file holds, in YAML words; long strings by their length so the line stays readable. */
export function describe(input: unknown): string {
  if (input === undefined) return "nothing";
  if (input === null) return "an empty value";
  if (typeof input === "string") return input.length > SHOWN_STRING_MAX ? `a string of ${input.length} characters` : `'${input}'`;
  if (Array.isArray(input)) return input.length === 0 ? "an empty list" : `a list of ${input.length} item${input.length === 1 ? "" : "s"}`;
  if (typeof input === "object") return "a map";
  return String(input);
}

/**
 * Keys written in other words for one the schema has (newuser11 N1-3: a fault's `probability:`),
 * offered only where that key is among the known ones.
 */
const SYNONYMS: Readonly<Record<string, string>> = { probability: "fraction", chance: "fraction", memory: "memorySize", env: "environment", variables: "environment" };

/** " (did you mean 'memorySize'?)" for a near miss (edit distance ≤ 2, case ignored) or a synonym, else "". */
export function suggestion(key: string, known: readonly string[]): string {
  const synonym = SYNONYMS[key.toLowerCase()];
  if (synonym !== undefined && known.includes(synonym)) return ` (did you mean '${synonym}'?)`;
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of known) {
    const d = distance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best === undefined ? "" : ` (did you mean '${best}'?)`;
}

/** Levenshtein distance, one rolling row. */
function distance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]!;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]!;
      dp[j] = a[i - 1] === b[j - 1] ? prev : 1 + Math.min(prev, dp[j]!, dp[j - 1]!);
      prev = tmp;
    }
  }
  return dp[b.length]!;
}
