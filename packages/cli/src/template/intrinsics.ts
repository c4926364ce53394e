/**
 * CloudFormation's intrinsic functions, resolved against one stack: Ref, Fn::GetAtt, Fn::Sub (both
 * forms), Fn::Join, Fn::Select, Fn::Split, Fn::FindInMap, Fn::If, the condition functions, Fn::Base64,
 * Fn::GetAZs, Fn::ToJsonString and Fn::Length, and the AWS::Include transform of a local file.
 * Fn::ImportValue, Fn::Cidr and other transforms (macros) are reported unsupported: lambda-sim runs
 * one template, with no other stack to import from.
 */

export type TemplatePath = readonly (string | number)[];

/** `AWS::NoValue`: the property (or list entry) is removed, as if it had not been written. */
export const NO_VALUE: unique symbol = Symbol("AWS::NoValue");

/** A problem at a place in the template; the loader prints it with the file and line. */
export class TemplateError extends Error {
  readonly path: TemplatePath;
  /** A problem with something written outside the template (a scenario's `parameters:`): where, as `file:line key.path`. */
  readonly at?: string;
  constructor(path: TemplatePath, message: string, at?: string) {
    super(message);
    this.path = path;
    this.at = at;
  }
}

/** What the resolver asks of the stack: names are looked up lazily, so cycles are found. */
export interface IntrinsicScope {
  /** Parameters, pseudo parameters and resources; undefined when nothing has that name. */
  ref(name: string, path: TemplatePath): unknown;
  getAtt(logicalId: string, attribute: string, path: TemplatePath): unknown;
  mapping(name: string): Record<string, Record<string, unknown>> | undefined;
  condition(name: string, path: TemplatePath): boolean;
  /** `Fn::Transform`'s argument: the AWS::Include snippet it stands for (its intrinsics not yet resolved). */
  transform(arg: unknown, path: TemplatePath): unknown;
  region: string;
}

const UNSUPPORTED: Record<string, string> = {
  "Fn::ImportValue": "Fn::ImportValue is not supported: lambda-sim runs one template, with no other stack exporting values (use a parameter)",
  "Fn::Cidr": "Fn::Cidr is not supported: lambda-sim simulates no VPC",
};

const FUNCTIONS = new Set(["Ref", "Condition", "Fn::GetAtt", "Fn::Sub", "Fn::Join", "Fn::Select", "Fn::Split", "Fn::FindInMap", "Fn::If", "Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or", "Fn::Base64", "Fn::GetAZs", "Fn::ToJsonString", "Fn::Length", "Fn::Transform", ...Object.keys(UNSUPPORTED)]);

/** `{ "Fn::Join": [...] }` (one key, an intrinsic's name) → its name, else undefined. */
export function intrinsicName(value: unknown): string | undefined {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
  const keys = Object.keys(value);
  return keys.length === 1 && FUNCTIONS.has(keys[0]!) ? keys[0] : undefined;
}

/** How deep includes may nest (chosen: AWS documents no limit; a file including itself must end). */
const MAX_INCLUDE_DEPTH = 16;

export class IntrinsicResolver {
  private readonly scope: IntrinsicScope;
  private includeDepth = 0;

  constructor(scope: IntrinsicScope) {
    this.scope = scope;
  }

  /** A value with every intrinsic replaced; NO_VALUE entries removed from maps and lists. */
  resolve(value: unknown, path: TemplatePath): unknown {
    const fn = intrinsicName(value);
    if (fn !== undefined) return this.call(fn, (value as Record<string, unknown>)[fn], [...path, fn]);
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      value.forEach((v, i) => {
        const r = this.resolve(v, [...path, i]);
        if (r !== NO_VALUE) out.push(r);
      });
      return out;
    }
    if (value !== null && typeof value === "object" && !(value instanceof Date)) {
      const out: Record<string, unknown> = {};
      // `Fn::Transform` beside other keys (a resource's Properties with some written, the rest
      // included): CloudFormation inserts the snippet's keys there; the map's own keys win (chosen: AWS does not say).
      if ("Fn::Transform" in value) Object.assign(out, this.includedMap((value as Record<string, unknown>)["Fn::Transform"], [...path, "Fn::Transform"]));
      for (const [k, v] of Object.entries(value)) {
        if (k === "Fn::Transform") continue;
        const r = this.resolve(v, [...path, k]);
        if (r !== NO_VALUE) out[k] = r;
      }
      return out;
    }
    return value;
  }

  /** An AWS::Include's snippet, resolved; an include that includes itself is refused rather than recursing forever. */
  private included(arg: unknown, path: TemplatePath): unknown {
    if (this.includeDepth >= MAX_INCLUDE_DEPTH) throw new TemplateError(path, `AWS::Include nested more than ${MAX_INCLUDE_DEPTH} deep: does an included file include itself?`);
    this.includeDepth++;
    try {
      return this.resolve(this.scope.transform(arg, path), path);
    } finally {
      this.includeDepth--;
    }
  }

  private includedMap(arg: unknown, path: TemplatePath): Record<string, unknown> {
    const snippet = this.included(arg, path);
    if (snippet === null || typeof snippet !== "object" || Array.isArray(snippet)) throw new TemplateError(path, "AWS::Include beside other keys: the included snippet must be a map, merged into them");
    return snippet as Record<string, unknown>;
  }

  /** A condition expression (Fn::Equals & co., or `{ Condition: Name }`) as a boolean. */
  evaluateCondition(value: unknown, path: TemplatePath): boolean {
    const r = this.resolve(value, path);
    if (typeof r === "boolean") return r;
    if (r === "true" || r === "false") return r === "true";
    throw new TemplateError(path, `expected a condition (Fn::Equals, Fn::Not, Fn::And, Fn::Or or Condition), got ${JSON.stringify(r)}`);
  }

  private call(fn: string, arg: unknown, path: TemplatePath): unknown {
    const unsupported = UNSUPPORTED[fn];
    if (unsupported !== undefined) throw new TemplateError(path, unsupported);
    switch (fn) {
      case "Ref": {
        if (typeof arg !== "string") throw new TemplateError(path, "expected the name of a parameter or resource");
        const r = this.scope.ref(arg, path);
        if (r === undefined) throw new TemplateError(path, `!Ref ${arg}: no parameter, pseudo parameter or resource is named ${arg}`);
        return r;
      }
      case "Fn::Transform":
        return this.included(arg, path);
      case "Condition": {
        if (typeof arg !== "string") throw new TemplateError(path, "expected the name of a condition");
        return this.scope.condition(arg, path);
      }
      case "Fn::GetAtt": {
        const a = this.resolve(arg, path);
        const [id, attr] = Array.isArray(a) ? a : [];
        if (typeof id !== "string" || typeof attr !== "string") throw new TemplateError(path, "expected [LogicalId, Attribute] or LogicalId.Attribute");
        return this.scope.getAtt(id, attr, path);
      }
      case "Fn::Sub":
        return this.sub(arg, path);
      case "Fn::Join": {
        const [delimiter, list] = this.args(arg, 2, path, "[delimiter, [values]]");
        const d = this.resolve(delimiter, [...path, 0]);
        const items = this.resolve(list, [...path, 1]);
        if (typeof d !== "string" || !Array.isArray(items)) throw new TemplateError(path, "expected [delimiter, [values]]");
        return items.map((v, i) => this.scalar(v, [...path, 1, i])).join(d);
      }
      case "Fn::Select": {
        const [index, list] = this.args(arg, 2, path, "[index, [values]]");
        const i = Number(this.resolve(index, [...path, 0]));
        const items = this.resolve(list, [...path, 1]);
        if (!Array.isArray(items)) throw new TemplateError(path, "expected [index, [values]]");
        if (!Number.isInteger(i) || i < 0 || i >= items.length) throw new TemplateError(path, `index ${i} is out of range: the list has ${items.length} value(s)`);
        return items[i];
      }
      case "Fn::Split": {
        const [delimiter, source] = this.args(arg, 2, path, "[delimiter, string]");
        const d = this.resolve(delimiter, [...path, 0]);
        const s = this.resolve(source, [...path, 1]);
        if (typeof d !== "string" || typeof s !== "string") throw new TemplateError(path, "expected [delimiter, string]");
        return s.split(d);
      }
      case "Fn::FindInMap": {
        const [name, top, second] = this.args(arg, 3, path, "[MapName, TopLevelKey, SecondLevelKey]").map((v, i) => this.scalar(this.resolve(v, [...path, i]), [...path, i]));
        const map = this.scope.mapping(name!);
        if (map === undefined) throw new TemplateError(path, `no mapping is named ${name}`);
        const value = map[top!]?.[second!];
        if (value === undefined) throw new TemplateError(path, `mapping ${name} has no ${top}.${second}`);
        return value;
      }
      case "Fn::If": {
        const [cond, whenTrue, whenFalse] = this.args(arg, 3, path, "[ConditionName, value if true, value if false]");
        if (typeof cond !== "string") throw new TemplateError(path, "expected the name of a condition first");
        return this.scope.condition(cond, [...path, 0]) ? this.resolve(whenTrue, [...path, 1]) : this.resolve(whenFalse, [...path, 2]);
      }
      case "Fn::Equals": {
        const [a, b] = this.args(arg, 2, path, "[value, value]").map((v, i) => this.resolve(v, [...path, i]));
        return JSON.stringify(comparable(a)) === JSON.stringify(comparable(b));
      }
      case "Fn::Not": {
        const [c] = this.args(arg, 1, path, "[condition]");
        return !this.evaluateCondition(c, [...path, 0]);
      }
      case "Fn::And":
      case "Fn::Or": {
        // CloudFormation: between 2 and 10 conditions.
        if (!Array.isArray(arg) || arg.length < 2 || arg.length > 10) throw new TemplateError(path, "expected a list of 2 to 10 conditions");
        const values = arg.map((c, i) => this.evaluateCondition(c, [...path, i]));
        return fn === "Fn::And" ? values.every(Boolean) : values.some(Boolean);
      }
      case "Fn::Base64":
        return Buffer.from(this.scalar(this.resolve(arg, path), path)).toString("base64");
      case "Fn::GetAZs": {
        const region = this.resolve(arg, path);
        const r = typeof region === "string" && region !== "" ? region : this.scope.region;
        return ["a", "b", "c"].map((z) => `${r}${z}`);
      }
      case "Fn::ToJsonString":
        return JSON.stringify(this.resolve(arg, path));
      case "Fn::Length": {
        const list = this.resolve(arg, path);
        if (!Array.isArray(list)) throw new TemplateError(path, "expected a list");
        return list.length;
      }
    }
    throw new TemplateError(path, `${fn} is not supported`);
  }

  /** Fn::Sub: "${Param}", "${Resource.Attr}", "${!Literal}"; the list form adds its own variables. */
  private sub(arg: unknown, path: TemplatePath): string {
    let text: unknown = arg;
    let vars: Record<string, unknown> = {};
    if (Array.isArray(arg)) {
      const [t, v] = this.args(arg, 2, path, '["text", { Name: value }]');
      text = t;
      const resolved = this.resolve(v, [...path, 1]);
      if (resolved === null || typeof resolved !== "object" || Array.isArray(resolved)) throw new TemplateError([...path, 1], "expected a map of variable names to values");
      vars = resolved as Record<string, unknown>;
    }
    if (typeof text !== "string") throw new TemplateError(path, 'expected "text with ${Names}" or ["text", { Name: value }]');
    return text.replace(/\$\{([^}]*)\}/g, (whole, name: string) => {
      if (name.startsWith("!")) return `\${${name.slice(1)}}`;
      const key = name.trim();
      if (key in vars) return this.scalar(vars[key], [...path, 1, key]);
      const dot = key.indexOf(".");
      // A dotted name is Resource.Attribute, except pseudo parameters' (AWS::Region has none).
      if (dot > 0 && !key.startsWith("AWS::")) return this.scalar(this.scope.getAtt(key.slice(0, dot), key.slice(dot + 1), path), path);
      const r = this.scope.ref(key, path);
      if (r === undefined) throw new TemplateError(path, `\${${key}}: no parameter, pseudo parameter, resource or variable is named ${key}`);
      return this.scalar(r, path);
    });
  }

  private args(arg: unknown, n: number, path: TemplatePath, expected: string): unknown[] {
    if (!Array.isArray(arg) || arg.length !== n) throw new TemplateError(path, `expected ${expected}`);
    return arg;
  }

  /** A value used inside a string: text, a number or a boolean, as CloudFormation accepts. */
  private scalar(v: unknown, path: TemplatePath): string {
    if (typeof v === "string") return v;
    if (typeof v === "number" || typeof v === "boolean") return String(v);
    throw new TemplateError(path, `expected a string, got ${Array.isArray(v) ? "a list" : JSON.stringify(v)}`);
  }
}

/** Fn::Equals compares values as CloudFormation passes them: numbers and booleans as text. */
function comparable(v: unknown): unknown {
  return typeof v === "number" || typeof v === "boolean" ? String(v) : v;
}
