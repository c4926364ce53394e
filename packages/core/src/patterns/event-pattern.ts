import { refuse } from "./invalid-event-pattern.ts";
import { isJsonObject, parseJsonKeepingNumbers } from "./json-number.ts";
import { compileValueMatcher, type LeafTest, type MatchDialect, type NumberEquality } from "./value-matcher.ts";

/**
 * The one event-pattern matcher of lambda-sim: EventBridge rules, TestEventPattern, Lambda's
 * FilterCriteria and SNS filter policies all compile their patterns here.
 *
 *   const match = compilePattern('{"source": ["shop"], "detail": {"total": [{"numeric": [">", 100]}]}}');
 *   match(JSON.parse(eventText)); // true or false
 *
 * A pattern is compiled once into closures and then run against parsed events (plain JSON.parse
 * output, or parseJsonKeepingNumbers output when numbers compare as written). A pattern that is
 * not valid throws InvalidEventPatternError with event-ruler's reason; each service wraps it in
 * its own error.
 *
 * The rules (EventBridge user guide "Event patterns", "Content filtering", "Arrays in patterns"):
 * - keys of an object are ANDed; the entries of a value list are ORed; `"$or": [{...}, {...}]`
 *   ORs whole sub-patterns (at least two);
 * - a list matches leaves only (strings, numbers, booleans, null): a field holding an object has
 *   no leaf, so `{"exists": false}` matches it and every value test fails;
 * - an array in the event matches when any element does; a nested pattern under an array of
 *   objects must match within one element;
 * - operators: exact values, prefix, suffix (each also with equals-ignore-case), equals-ignore-case,
 *   wildcard, anything-but (values, lists, prefix, suffix, equals-ignore-case, wildcard), numeric
 *   (=, <, <=, >, >=, one range), exists, cidr (IPv4 and IPv6).
 */
export type EventMatcher = (event: unknown) => boolean;

export interface EventPatternOptions {
  /** How exact numbers compare: EventBridge's `value` (default) or Lambda filtering's `as-written`. */
  numbers?: NumberEquality;
  /** Operators the service does not offer, refused as unrecognized (Lambda filtering: wildcard, cidr). */
  unsupportedOperators?: readonly string[];
}

type ObjectTest = (obj: Record<string, unknown> | undefined) => boolean;

/** Field names that would read as operators inside `$or` (event-ruler refuses them there). */
const RESERVED_IN_OR = new Set(["anything-but", "exists", "prefix", "suffix", "numeric", "cidr", "equals-ignore-case", "wildcard"]);

/**
 * Compiles a pattern (JSON text, or its parsed value) into a matcher. Throws
 * InvalidEventPatternError when the pattern is not valid.
 */
export function compilePattern(pattern: string | object, options: EventPatternOptions = {}): EventMatcher {
  let json: unknown = pattern;
  if (typeof pattern === "string") {
    try {
      json = parseJsonKeepingNumbers(pattern);
    } catch {
      // AWS answers with Jackson's parser message; ours differs, so the reason stays generic.
      refuse("Invalid JSON");
    }
  }
  if (!isJsonObject(json)) return refuse("Filter is not an object");
  const test = compileObject(json, { numbers: options.numbers ?? "value", unsupported: new Set(options.unsupportedOperators ?? []) }, false);
  return (event) => test(isJsonObject(event) ? event : undefined);
}

/** Throws InvalidEventPatternError when the pattern is not valid; returns nothing otherwise. */
export function validatePattern(pattern: string | object, options: EventPatternOptions = {}): void {
  compilePattern(pattern, options);
}

function compileObject(obj: Record<string, unknown>, dialect: MatchDialect, inOr: boolean): ObjectTest {
  const keys = Object.keys(obj);
  if (keys.length === 0) return refuse("Empty objects are not allowed");
  const tests: ObjectTest[] = [];
  for (const key of keys) {
    const value = obj[key];
    if (key === "$or") {
      tests.push(compileOr(value, dialect));
      continue;
    }
    if (inOr && RESERVED_IN_OR.has(key)) refuse(`${key} is Ruler reserved fieldName which cannot be used inside $or.`);
    if (Array.isArray(value)) tests.push(fieldList(key, value, dialect));
    else if (isJsonObject(value)) tests.push(fieldObject(key, compileObject(value, dialect, inOr)));
    else refuse(`"${key}" must be an object or an array`);
  }
  if (tests.length === 1) return tests[0]!;
  return (o) => {
    for (const t of tests) if (!t(o)) return false;
    return true;
  };
}

function compileOr(value: unknown, dialect: MatchDialect): ObjectTest {
  if (!Array.isArray(value)) return refuse("It must be an Array followed with $or.");
  const branches = value.map((b) => (isJsonObject(b) ? compileObject(b, dialect, true) : refuse("Only JSON object is allowed in array of $or relationship.")));
  if (branches.length < 2) refuse("There must have at least 2 Objects in $or relationship.");
  return (o) => branches.some((b) => b(o));
}

/** A nested pattern: matched against the object at `key`, or within any element of an array there. */
function fieldObject(key: string, sub: ObjectTest): ObjectTest {
  const within = (v: unknown): boolean => {
    if (Array.isArray(v)) return v.length === 0 ? sub(undefined) : v.some(within);
    return sub(isJsonObject(v) ? v : undefined);
  };
  return (o) => within(o === undefined ? undefined : o[key]);
}

/** A value list at `key`: OR of its entries over the leaves found there. */
function fieldList(key: string, list: unknown[], dialect: MatchDialect): ObjectTest {
  if (list.length === 0) return refuse("Empty arrays are not allowed");
  const tests: LeafTest[] = [];
  const exactStrings = new Set<string>();
  let ifPresent = false;
  let ifAbsent = false;
  for (const entry of list) {
    if (Array.isArray(entry)) refuse("Match value must be String, number, true, false, or null");
    // Exact strings, the commonest entries, share one Set lookup.
    if (typeof entry === "string") {
      exactStrings.add(entry);
      continue;
    }
    const m = compileValueMatcher(entry, dialect);
    if (typeof m === "function") tests.push(m);
    else if (m.exists) ifPresent = true;
    else ifAbsent = true;
  }
  if (exactStrings.size > 0) tests.unshift((leaf) => typeof leaf === "string" && exactStrings.has(leaf));
  const leafTest: LeafTest | undefined = tests.length === 0 ? undefined : tests.length === 1 ? tests[0] : (leaf) => tests.some((t) => t(leaf));
  if (!ifPresent && !ifAbsent) return (o) => o !== undefined && someLeaf(o[key], leafTest!);
  return (o) => {
    const v = o === undefined ? undefined : o[key];
    if (leafTest !== undefined && someLeaf(v, leafTest)) return true;
    const present = someLeaf(v, anyLeaf);
    return (ifPresent && present) || (ifAbsent && !present);
  };
}

const anyLeaf: LeafTest = () => true;

/** True when a leaf at `v` (itself, or an element of an array, however deep) passes the test. */
function someLeaf(v: unknown, test: LeafTest): boolean {
  if (v === undefined) return false;
  if (Array.isArray(v)) {
    for (const x of v) if (someLeaf(x, test)) return true;
    return false;
  }
  return !isJsonObject(v) && test(v);
}
