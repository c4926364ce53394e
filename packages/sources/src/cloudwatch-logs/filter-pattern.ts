/**
 * CloudWatch Logs filter patterns ("Filter pattern syntax for metric filters, subscription filters,
 * filter log events, and Live Tail"), the kinds people type into FilterLogEvents:
 * - terms: `ERROR Exception` matches events containing every term (case-sensitive);
 * - quoted phrases: `"Task timed out"`; `-term` excludes; `?a ?b` matches either;
 * - regular expressions between percent signs: `%ERROR|WARN%`;
 * - JSON: `{ $.level = "error" }`, `{ $.latency > 100 && $.path = "/x*" }`, `||`, parentheses,
 *   `IS TRUE|FALSE|NULL`, `NOT EXISTS`, `*` wildcards in strings; matches JSON messages only.
 * Space-delimited patterns (`[ip, user, ...]`) are refused with InvalidParameterException (not
 * simulated). A pattern that does not parse is refused the same way, as AWS does.
 */
export type Matcher = (message: string) => boolean;

export class FilterPatternError extends Error {}

export function compileFilterPattern(pattern: string | undefined): Matcher {
  const p = (pattern ?? "").trim();
  if (p === "" || p === '""') return () => true;
  if (p.startsWith("{")) return jsonMatcher(p);
  if (p.startsWith("[")) throw new FilterPatternError("space-delimited filter patterns are not simulated by lambda-sim");
  return termMatcher(p);
}

function termMatcher(p: string): Matcher {
  const all: ((m: string) => boolean)[] = [];
  const any: ((m: string) => boolean)[] = [];
  const none: ((m: string) => boolean)[] = [];
  const re = /([?-]?)(?:"((?:[^"\\]|\\.)*)"|%([^%]+)%|(\S+))/g;
  for (const m of p.matchAll(re)) {
    const [, prefix, quoted, regex, bare] = m;
    let test: (msg: string) => boolean;
    if (regex !== undefined) {
      let r: RegExp;
      try {
        r = new RegExp(regex);
      } catch {
        throw new FilterPatternError(`invalid regular expression %${regex}%`);
      }
      test = (msg) => r.test(msg);
    } else {
      const term = quoted !== undefined ? quoted.replace(/\\(.)/g, "$1") : bare!;
      test = (msg) => msg.includes(term);
    }
    (prefix === "?" ? any : prefix === "-" ? none : all).push(test);
  }
  return (msg) => all.every((t) => t(msg)) && !none.some((t) => t(msg)) && (any.length === 0 || any.some((t) => t(msg)));
}

// ---- JSON patterns: a small recursive-descent parser over tokens ----

type Node =
  | { kind: "and" | "or"; left: Node; right: Node }
  | { kind: "cmp"; path: (string | number)[]; op: string; value: string | number; quoted: boolean }
  | { kind: "is"; path: (string | number)[]; what: "TRUE" | "FALSE" | "NULL" | "NOT EXISTS" };

const TOKEN = /\s*(\$(?:\.[A-Za-z_@-][\w@-]*|\[\d+\])*|&&|\|\||!=|<=|>=|=|<|>|\(|\)|"(?:[^"\\]|\\.)*"|IS\s+NOT\s+EXISTS|NOT\s+EXISTS|IS|[^\s()&|=<>!"]+)/y;

function jsonMatcher(p: string): Matcher {
  if (!p.endsWith("}")) throw new FilterPatternError("a JSON filter pattern ends with }");
  const body = p.slice(1, -1);
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < body.length) {
    if (body.slice(TOKEN.lastIndex).trim() === "") break;
    const m = TOKEN.exec(body);
    if (m === null) throw new FilterPatternError(`unexpected text in filter pattern at ${body.slice(TOKEN.lastIndex)}`);
    tokens.push(m[1]!);
  }
  let i = 0;
  const peek = () => tokens[i];
  const next = () => {
    const t = tokens[i++];
    if (t === undefined) throw new FilterPatternError("the filter pattern ends too early");
    return t;
  };
  const parseOr = (): Node => {
    let left = parseAnd();
    while (peek() === "||") (i++, (left = { kind: "or", left, right: parseAnd() }));
    return left;
  };
  const parseAnd = (): Node => {
    let left = parseTerm();
    while (peek() === "&&") (i++, (left = { kind: "and", left, right: parseTerm() }));
    return left;
  };
  const parseTerm = (): Node => {
    const t = next();
    if (t === "(") {
      const n = parseOr();
      if (next() !== ")") throw new FilterPatternError("missing ) in filter pattern");
      return n;
    }
    if (!t.startsWith("$")) throw new FilterPatternError(`expected a selector like $.field, got ${t}`);
    const path = selectorPath(t);
    const op = next();
    if (/^(IS\s+)?NOT\s+EXISTS$/.test(op)) return { kind: "is", path, what: "NOT EXISTS" };
    if (op === "IS") {
      const what = next().toUpperCase();
      if (what !== "TRUE" && what !== "FALSE" && what !== "NULL") throw new FilterPatternError(`IS ${what} is not a filter pattern test`);
      return { kind: "is", path, what };
    }
    if (!["=", "!=", "<", ">", "<=", ">="].includes(op)) throw new FilterPatternError(`unknown operator ${op}`);
    const raw = next();
    const quoted = raw.startsWith('"');
    const text = quoted ? raw.slice(1, -1).replace(/\\(.)/g, "$1") : raw;
    const numeric = !quoted && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(text);
    if (op !== "=" && op !== "!=" && !numeric) throw new FilterPatternError(`${op} compares numbers only`);
    return { kind: "cmp", path, op, value: numeric ? Number(text) : text, quoted };
  };
  const tree = parseOr();
  if (i !== tokens.length) throw new FilterPatternError(`unexpected ${tokens[i]} in filter pattern`);
  return (msg) => {
    const start = msg.indexOf("{");
    if (start < 0) return false;
    let doc: unknown;
    try {
      doc = JSON.parse(msg.slice(start));
    } catch {
      return false;
    }
    return evaluate(tree, doc);
  };
}

function selectorPath(sel: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of sel.slice(1).matchAll(/\.([^.[\]]+)|\[(\d+)\]/g)) out.push(m[1] ?? Number(m[2]));
  return out;
}

const MISSING = Symbol("missing");

function lookup(doc: unknown, path: (string | number)[]): unknown {
  let v: unknown = doc;
  for (const k of path) {
    if (v === null || typeof v !== "object" || !Object.hasOwn(v, k)) return MISSING;
    v = (v as Record<string | number, unknown>)[k];
  }
  return v;
}

function evaluate(n: Node, doc: unknown): boolean {
  switch (n.kind) {
    case "and":
      return evaluate(n.left, doc) && evaluate(n.right, doc);
    case "or":
      return evaluate(n.left, doc) || evaluate(n.right, doc);
    case "is": {
      const v = lookup(doc, n.path);
      if (n.what === "NOT EXISTS") return v === MISSING;
      return n.what === "NULL" ? v === null : v === (n.what === "TRUE");
    }
    case "cmp": {
      const v = lookup(doc, n.path);
      if (v === MISSING) return false;
      if (typeof n.value === "number") {
        if (typeof v !== "number") return n.op === "!=";
        return compare(v, n.op, n.value);
      }
      const s = typeof v === "string" ? v : JSON.stringify(v);
      const eq = wildcard(n.value).test(s);
      return n.op === "=" ? eq : !eq;
    }
  }
}

function compare(a: number, op: string, b: number): boolean {
  switch (op) {
    case "=": return a === b;
    case "!=": return a !== b;
    case "<": return a < b;
    case ">": return a > b;
    case "<=": return a <= b;
    default: return a >= b;
  }
}

function wildcard(value: string): RegExp {
  return new RegExp(`^${value.split("*").map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
}
