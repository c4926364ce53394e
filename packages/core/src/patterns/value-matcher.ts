import { BlockList, isIP } from "node:net";
import { refuse } from "./invalid-event-pattern.ts";
import { isJsonObject, numberText, numberValue } from "./json-number.ts";

/** A test on one leaf value of the event (a string, number, boolean or null). */
export type LeafTest = (leaf: unknown) => boolean;

/** One entry of a pattern's value list: a leaf test, or an existence check on the field. */
export type ValueMatcher = LeafTest | { readonly exists: boolean };

/**
 * How exact numbers compare. EventBridge (and SNS) compare values: event-ruler pairs each number
 * with a numeric-equals matcher, so 300 matches 300.0. Lambda's event filtering compares them as
 * written (aws-facts §6), which needs the event parsed with parseJsonKeepingNumbers.
 */
export type NumberEquality = "value" | "as-written";

/** What a service's dialect of patterns allows. */
export interface MatchDialect {
  readonly numbers: NumberEquality;
  /** Operators the service does not offer (Lambda filtering has no wildcard or cidr): refused as unknown. */
  readonly unsupported: ReadonlySet<string>;
}

const NUMERIC_OPS = new Set(["=", "<", "<=", ">", ">="]);

/**
 * Compiles one entry of a field's value list (`"x"`, `5`, `null`, `{"prefix": "x"}`, ...) into its
 * test, with event-ruler's validation and reason texts (aws/event-ruler JsonRuleCompiler), the
 * matcher EventBridge runs.
 */
export function compileValueMatcher(entry: unknown, dialect: MatchDialect): ValueMatcher {
  const numbers = dialect.numbers;
  if (entry === null || typeof entry === "boolean") return (leaf) => leaf === entry;
  if (typeof entry === "string") return (leaf) => leaf === entry;
  if (numberValue(entry) !== undefined) return exactNumber(entry, numbers);
  if (!isJsonObject(entry)) return refuse("Match value must be String, number, true, false, or null");
  const keys = Object.keys(entry);
  if (keys.length === 0) return refuse("Match expression name not found");
  const op = keys[0]!;
  const arg = entry[op];
  if (dialect.unsupported.has(op)) return refuse(`Unrecognized match type ${op}`);
  const single = (reason = "Only one key allowed in match expression") => {
    if (keys.length > 1) refuse(reason);
  };
  switch (op) {
    case "prefix":
    case "suffix": {
      single();
      const [text, ignoreCase] = stringOrIgnoreCase(arg, `${op} match pattern must be a string`);
      return affixTest(op, text, ignoreCase);
    }
    case "equals-ignore-case": {
      single();
      if (typeof arg !== "string") return refuse("equals-ignore-case match pattern must be a string");
      const lower = arg.toLowerCase();
      return (leaf) => typeof leaf === "string" && leaf.toLowerCase() === lower;
    }
    case "wildcard": {
      single();
      if (typeof arg !== "string") return refuse("wildcard match pattern must be a string");
      const re = wildcardRegExp(arg);
      return (leaf) => typeof leaf === "string" && re.test(leaf);
    }
    case "cidr": {
      single();
      // event-ruler's own wording for a non-string cidr, kept as AWS answers it.
      if (typeof arg !== "string") return refuse("prefix match pattern must be a string");
      return cidrTest(arg);
    }
    case "exists":
      single();
      if (typeof arg !== "boolean") return refuse("exists match pattern must be either true or false.");
      return { exists: arg };
    case "numeric":
      single("Too many elements in numeric expression");
      if (!Array.isArray(arg)) return refuse("Value of numeric must be an array.");
      return numericTest(arg);
    case "anything-but":
      single("Too many elements in numeric expression");
      return anythingBut(arg, dialect);
    default:
      return refuse(`Unrecognized match type ${op}`);
  }
}

function exactNumber(entry: unknown, numbers: NumberEquality): LeafTest {
  if (numbers === "as-written") {
    const text = numberText(entry);
    return (leaf) => numberText(leaf) === text;
  }
  const value = numberValue(entry);
  return (leaf) => numberValue(leaf) === value;
}

/** `"x"` or `{"equals-ignore-case": "x"}`, the two forms prefix and suffix take. */
function stringOrIgnoreCase(arg: unknown, reason: string): [string, boolean] {
  if (typeof arg === "string") return [arg, false];
  if (isJsonObject(arg) && Object.keys(arg).length === 1 && typeof arg["equals-ignore-case"] === "string") return [arg["equals-ignore-case"], true];
  return refuse(reason);
}

function affixTest(op: "prefix" | "suffix", text: string, ignoreCase: boolean): LeafTest {
  const want = ignoreCase ? text.toLowerCase() : text;
  const fold = (s: string) => (ignoreCase ? s.toLowerCase() : s);
  return op === "prefix" ? (leaf) => typeof leaf === "string" && fold(leaf).startsWith(want) : (leaf) => typeof leaf === "string" && fold(leaf).endsWith(want);
}

/** `*` matches any run of characters; `\*` and `\\` are a literal star and backslash. */
function wildcardRegExp(pattern: string): RegExp {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*") {
      if (pattern[i + 1] === "*") refuse(`Consecutive wildcard characters at pos ${i}`);
      source += "[\\s\\S]*";
    } else if (c === "\\") {
      const next = pattern[i + 1];
      if (next !== "*" && next !== "\\") refuse(`Invalid escape character at pos ${i}`);
      source += `\\${next}`;
      i++;
    } else {
      source += c.replace(/[.+?^${}()|[\]\\/-]/g, "\\$&");
    }
  }
  return new RegExp(`^${source}$`);
}

/** IPv4 and IPv6 blocks (node:net's BlockList); the leaf must be an address of the same family. */
function cidrTest(cidr: string): LeafTest {
  const slash = cidr.indexOf("/");
  // Reason texts from event-ruler's CIDR class.
  if (slash < 0 || slash !== cidr.lastIndexOf("/")) return refuse(`Malformed CIDR, one '/' required`);
  const address = cidr.slice(0, slash);
  const bitsText = cidr.slice(slash + 1);
  const family = isIP(address);
  if (family === 0) return refuse(`Invalid IP address: ${address}`);
  const bits = /^\d+$/.test(bitsText) ? Number(bitsText) : NaN;
  if (!Number.isInteger(bits) || bits > (family === 4 ? 32 : 128)) return refuse(`Malformed CIDR, mask bits must be an integer`);
  const type = family === 4 ? "ipv4" : "ipv6";
  const block = new BlockList();
  block.addSubnet(address, bits, type);
  return (leaf) => typeof leaf === "string" && isIP(leaf) === family && block.check(leaf, type);
}

/** `[">", 0, "<=", 5]`: one operator, or a lower bound then an upper bound (event-ruler's order). */
function numericTest(arg: unknown[]): LeafTest {
  const show = (v: unknown) => (v === undefined ? "]" : typeof v === "string" ? v : (numberText(v) ?? JSON.stringify(v)));
  const num = (i: number, op: string): number => {
    const n = numberValue(arg[i]);
    return n === undefined ? refuse(`Value of ${op === "=" ? "equals" : op} must be numeric`) : n;
  };
  const op = arg[0];
  if (typeof op !== "string") return refuse(`Invalid member in numeric match: ${show(op)}`);
  if (!NUMERIC_OPS.has(op)) return refuse(`Unrecognized numeric range operator: ${op}`);
  const bound = num(1, op);
  if (op === "=" || op === "<" || op === "<=") {
    if (arg.length > 2) refuse("Too many elements in numeric expression");
    return op === "=" ? numeric((n) => n === bound) : op === "<" ? numeric((n) => n < bound) : numeric((n) => n <= bound);
  }
  const above = op === ">" ? (n: number) => n > bound : (n: number) => n >= bound;
  if (arg.length === 2) return numeric(above);
  const top = arg[2];
  if (typeof top !== "string") return refuse(`Bad value in numeric range: ${show(top)}`);
  if (top !== "<" && top !== "<=") return refuse(`Bad numeric range operator: ${top}`);
  const upper = num(3, top);
  if (arg.length > 4) refuse("Too many terms in numeric range expression");
  if (bound >= upper) refuse("Bottom must be less than top");
  return top === "<" ? numeric((n) => above(n) && n < upper) : numeric((n) => above(n) && n <= upper);
}

const numeric =
  (test: (n: number) => boolean): LeafTest =>
  (leaf) => {
    const n = numberValue(leaf);
    return n !== undefined && test(n);
  };

/**
 * `{"anything-but": "x" | 5 | [...] | {"prefix"|"suffix": "x"} | {"equals-ignore-case": "x" | [...]}
 * | {"wildcard": "x" | [...]}}`. A leaf matches when it is not excluded; a field that is missing
 * has no leaf and never matches.
 */
function anythingBut(arg: unknown, dialect: MatchDialect): LeafTest {
  const numbers = dialect.numbers;
  const scalarWrong = "Value of anything-but must be an array or single string/number value.";
  if (isJsonObject(arg)) {
    const keys = Object.keys(arg);
    if (keys.length === 0) return refuse("Anything-But expression name not found");
    if (keys.length > 1) refuse("Only one key allowed in match expression");
    const op = keys[0]!;
    const value = arg[op];
    if (op === "prefix" || op === "suffix") {
      if (typeof value !== "string") return refuse("prefix/suffix match pattern must be a string");
      if (value === "") return refuse("Null prefix/suffix not allowed");
      const hit = affixTest(op, value, false);
      // A number has no prefix in event-ruler's quoted-string terms: it is always "anything but".
      return (leaf) => !hit(leaf);
    }
    if ((op === "equals-ignore-case" || op === "wildcard") && !dialect.unsupported.has(op)) {
      const list = Array.isArray(value) ? value : [value];
      if (!Array.isArray(value) && typeof value !== "string") return refuse(scalarWrong);
      if (list.length === 0 || !list.every((s) => typeof s === "string")) return refuse(`Inside anything-but/${op} list, number|start|null|boolean is not supported.`);
      const tests = (list as string[]).map((s) => compileValueMatcher({ [op]: s }, dialect) as LeafTest);
      return (leaf) => !tests.some((t) => t(leaf));
    }
    return refuse(`Unsupported anything-but pattern: ${op}`);
  }
  const isNum = (v: unknown) => numberValue(v) !== undefined;
  const list = Array.isArray(arg) ? arg : [arg];
  if (!Array.isArray(arg) && typeof arg !== "string" && !isNum(arg)) return refuse(scalarWrong);
  if (list.some((v) => typeof v !== "string" && !isNum(v))) return refuse("Inside anything but list, start|null|boolean is not supported.");
  const strings = list.filter((v) => typeof v === "string").length;
  if (list.length === 0 || (strings > 0 && strings < list.length)) {
    return refuse("Inside anything but list, either all values are number or string, mixed type is not supported");
  }
  if (strings > 0) {
    const excluded = new Set(list as string[]);
    return (leaf) => !(typeof leaf === "string" && excluded.has(leaf));
  }
  const excluded = new Set(list.map((v) => (numbers === "as-written" ? numberText(v) : numberValue(v))));
  return (leaf) => {
    const key = numbers === "as-written" ? numberText(leaf) : numberValue(leaf);
    return key === undefined || !excluded.has(key);
  };
}
