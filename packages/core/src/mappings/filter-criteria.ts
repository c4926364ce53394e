import { AwsError } from "../errors/aws-error.ts";
import { lambdaErrors } from "../errors/lambda-errors.ts";

/** Up to 5 filters per mapping by default (aws-facts §6 "Event filtering basics"). */
export const MAX_FILTERS = 5;
/** FilterCriteria.Filters[].Pattern is at most 4,096 characters (BC-L, aws-facts §6). */
export const MAX_PATTERN_CHARS = 4096;
const NUMERIC_OPS = new Set(["=", "<", "<=", ">", ">="]);

/**
 * A JSON number with the text it was written as. Filters compare numbers as written (aws-facts §6:
 * 300 does not match 300.0); only `numeric` compares values.
 */
class JsonNumber {
  readonly value: number;
  readonly text: string;
  constructor(value: number, text: string) {
    this.value = value;
    this.text = text;
  }
}

type Scalar = string | number | JsonNumber | boolean | null;

/** JSON.parse keeping each number's source text (the reviver's `context.source`, Node >= 22). */
function parseKeepingNumbers(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown, context?: { source?: string }) =>
    typeof value === "number" && context?.source !== undefined ? new JsonNumber(value, context.source) : value,
  );
}

/**
 * Parses a record's JSON payload (an SQS body, Kinesis `data`) for `matchesFilters`, keeping each
 * number as written. Throws on text that is not JSON, as JSON.parse does.
 */
export function parseFilterData(text: string): unknown {
  return parseKeepingNumbers(text);
}

const numberText = (v: unknown): string | undefined => (v instanceof JsonNumber ? v.text : typeof v === "number" ? String(v) : undefined);
const numberValue = (v: unknown): number | undefined => (v instanceof JsonNumber ? v.value : typeof v === "number" ? v : undefined);

/** One entry of a pattern's value list; the entries of one list are ORed. */
type Condition =
  | { kind: "equals"; value: Scalar }
  | { kind: "prefix" | "suffix" | "equals-ignore-case"; value: string }
  | { kind: "anything-but"; values: Scalar[] }
  | { kind: "anything-but-prefix" | "anything-but-suffix"; value: string }
  | { kind: "numeric"; checks: [op: string, bound: number][] }
  | { kind: "exists"; value: boolean };

/** A pattern object: every key must match (AND); a key holds either a nested pattern or a list. */
type PatternNode = Map<string, PatternNode | Condition[]>;

/** A validated filter: the pattern as the user wrote it (for the API response) and its compiled tree. */
export interface ParsedFilter {
  readonly pattern: string;
  readonly node: PatternNode;
}

export type ParsedFilters = readonly ParsedFilter[];

const invalid = () => lambdaErrors.invalidParameterValue("Invalid filter pattern definition.");

/**
 * Validates an event source mapping's FilterCriteria (aws-facts §6 "Event filtering basics": the
 * EventBridge pattern subset Lambda documents) and compiles it. Undefined, `{}` or an empty
 * Filters list mean no filtering and give undefined. Throws InvalidParameterValueException
 * "Invalid filter pattern definition." for a pattern that is not valid.
 */
export function parseFilterCriteria(input: { Filters?: { Pattern?: string }[] } | undefined): ParsedFilters | undefined {
  if (input === undefined || input === null) return undefined;
  if (typeof input !== "object") throw invalid();
  const filters = input.Filters;
  if (filters === undefined || filters === null) return undefined;
  if (!Array.isArray(filters)) throw invalid();
  if (filters.length === 0) return undefined;
  // The exact wording of AWS's refusal for a sixth filter is unconfirmed (aws-facts §6).
  if (filters.length > MAX_FILTERS) throw lambdaErrors.invalidParameterValue(`The number of filters exceeds the limit of ${MAX_FILTERS}.`);
  return filters.map((f, i) => {
    const pattern = f?.Pattern;
    if (typeof pattern !== "string") throw invalid();
    if (pattern.length > MAX_PATTERN_CHARS) {
      throw new AwsError(
        "ValidationException",
        400,
        `1 validation error detected: Value '${pattern}' at 'filterCriteria.filters.${i + 1}.member.pattern' failed to satisfy constraint: Member must have length less than or equal to ${MAX_PATTERN_CHARS}`,
        { messageKey: "message" },
      );
    }
    let json: unknown;
    try {
      json = parseKeepingNumbers(pattern);
    } catch {
      throw invalid();
    }
    return { pattern, node: compileNode(json) };
  });
}

/**
 * True when the record satisfies at least one filter (filters are ORed), or when there are none.
 * Source-neutral: the caller builds the record (SQS: its record with `body` JSON-parsed when the
 * body is a JSON object; Kinesis: `data` decoded the same way).
 */
export function matchesFilters(filters: ParsedFilters | undefined, record: Record<string, unknown>): boolean {
  if (filters === undefined || filters.length === 0) return true;
  return filters.some((f) => matchNode(f.node, record));
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof JsonNumber);
}

function compileNode(json: unknown): PatternNode {
  if (!isPlainObject(json) || Object.keys(json).length === 0) throw invalid();
  const node: PatternNode = new Map();
  for (const [key, value] of Object.entries(json)) {
    if (Array.isArray(value)) node.set(key, compileList(value));
    else if (isPlainObject(value)) node.set(key, compileNode(value));
    else throw invalid(); // a bare value must be written as a list: {"a": ["x"]}
  }
  return node;
}

function compileList(list: unknown[]): Condition[] {
  if (list.length === 0) throw invalid();
  return list.map(compileCondition);
}

function compileCondition(v: unknown): Condition {
  if (v === null || typeof v === "string" || typeof v === "boolean") return { kind: "equals", value: v };
  if (v instanceof JsonNumber || typeof v === "number") {
    if (!Number.isFinite(numberValue(v))) throw invalid();
    return { kind: "equals", value: v };
  }
  if (!isPlainObject(v)) throw invalid();
  const entries = Object.entries(v);
  if (entries.length !== 1) throw invalid();
  const [op, arg] = entries[0]!;
  switch (op) {
    case "prefix":
    case "suffix":
    case "equals-ignore-case":
      if (typeof arg !== "string") throw invalid();
      return { kind: op, value: arg };
    case "exists":
      if (typeof arg !== "boolean") throw invalid();
      return { kind: "exists", value: arg };
    case "numeric":
      return { kind: "numeric", checks: compileNumeric(arg) };
    case "anything-but":
      return compileAnythingBut(arg);
    default:
      throw invalid();
  }
}

/** `{"numeric": [">", 0, "<=", 5]}`: operator/number pairs, all of which must hold. */
function compileNumeric(arg: unknown): [string, number][] {
  if (!Array.isArray(arg) || arg.length === 0 || arg.length % 2 !== 0 || arg.length > 4) throw invalid();
  const checks: [string, number][] = [];
  for (let i = 0; i < arg.length; i += 2) {
    const op = arg[i];
    const bound = numberValue(arg[i + 1]);
    if (typeof op !== "string" || !NUMERIC_OPS.has(op) || bound === undefined || !Number.isFinite(bound)) throw invalid();
    checks.push([op, bound]);
  }
  // "=" stands alone; a range is one lower and one upper bound.
  if (checks.length === 2) {
    const [[a], [b]] = checks as [[string, number], [string, number]];
    const lower = (o: string) => o === ">" || o === ">=";
    const upper = (o: string) => o === "<" || o === "<=";
    if (!((lower(a) && upper(b)) || (upper(a) && lower(b)))) throw invalid();
  }
  return checks;
}

/** `{"anything-but": "x" | 5 | ["x", 5] | {"prefix": "x"} | {"suffix": "x"}}`. */
function compileAnythingBut(arg: unknown): Condition {
  const valueOk = (x: unknown) => typeof x === "string" || Number.isFinite(numberValue(x));
  if (valueOk(arg)) return { kind: "anything-but", values: [arg as Scalar] };
  if (Array.isArray(arg)) {
    if (arg.length === 0 || !arg.every(valueOk)) throw invalid();
    return { kind: "anything-but", values: arg as Scalar[] };
  }
  if (isPlainObject(arg)) {
    const entries = Object.entries(arg);
    if (entries.length !== 1) throw invalid();
    const [op, value] = entries[0]!;
    if ((op !== "prefix" && op !== "suffix") || typeof value !== "string" || value === "") throw invalid();
    return { kind: op === "prefix" ? "anything-but-prefix" : "anything-but-suffix", value };
  }
  throw invalid();
}

/** Every key of the node must match (AND). A list in the data matches a nested pattern if any element does. */
function matchNode(node: PatternNode, data: unknown): boolean {
  for (const [key, sub] of node) {
    const value = isPlainObject(data) ? data[key] : undefined;
    if (Array.isArray(sub)) {
      if (!matchList(sub, leaves(value))) return false;
    } else if (Array.isArray(value)) {
      if (!value.some((v) => matchNode(sub, v))) return false;
    } else if (value !== undefined && !isPlainObject(value)) {
      // A nested pattern never matches a value that is there but not an object: a JSON pattern
      // against a plain-string SQS body drops the message (aws-facts §6), even `exists: false`.
      return false;
    } else if (!matchNode(sub, value)) {
      return false;
    }
  }
  return true;
}

/** The scalar values found at a key: none when missing, each element of an array (flattened). */
function leaves(value: unknown): Scalar[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value.flatMap(leaves);
  if (isPlainObject(value)) return []; // patterns on values match leaves only, as in EventBridge
  return [value as Scalar];
}

/** The conditions of one list are ORed; a condition holds if any leaf satisfies it. */
function matchList(conditions: Condition[], values: Scalar[]): boolean {
  return conditions.some((c) => {
    if (c.kind === "exists") return c.value === values.length > 0;
    return values.some((v) => matchCondition(c, v));
  });
}

function matchCondition(c: Exclude<Condition, { kind: "exists" }>, v: Scalar): boolean {
  switch (c.kind) {
    case "equals":
      // Exact and type-strict: "300" does not match 300, nor "Abc" "abc", nor 300.0 300 (aws-facts §6).
      return sameValue(v, c.value);
    case "prefix":
      return typeof v === "string" && v.startsWith(c.value);
    case "suffix":
      return typeof v === "string" && v.endsWith(c.value);
    case "equals-ignore-case":
      return typeof v === "string" && v.toLowerCase() === c.value.toLowerCase();
    case "anything-but":
      return !c.values.some((x) => sameValue(v, x));
    case "anything-but-prefix":
      return typeof v === "string" && !v.startsWith(c.value);
    case "anything-but-suffix":
      return typeof v === "string" && !v.endsWith(c.value);
    case "numeric": {
      const n = numberValue(v);
      return n !== undefined && c.checks.every(([op, bound]) => compare(op, n, bound));
    }
  }
}

/** Strings, booleans and null by identity; numbers by the text they were written as. */
function sameValue(a: Scalar, b: Scalar): boolean {
  const text = numberText(a);
  return text === undefined ? a === b : text === numberText(b);
}

function compare(op: string, v: number, bound: number): boolean {
  switch (op) {
    case "=":
      return v === bound;
    case "<":
      return v < bound;
    case "<=":
      return v <= bound;
    case ">":
      return v > bound;
    default:
      return v >= bound;
  }
}
