import { TemplateError } from "./intrinsics.ts";

interface ParameterSpec {
  Type?: string;
  Default?: unknown;
  AllowedValues?: unknown[];
  AllowedPattern?: string;
  MinLength?: number;
  MaxLength?: number;
  MinValue?: number;
  MaxValue?: number;
  ConstraintDescription?: string;
}

/**
 * Where the values were written when not on start's `--parameter-overrides`: a scenario's
 * `parameters:`, whose problems are said at its own lines (newuser: they pointed at the template
 * and suggested the flag).
 */
export interface ParameterOrigin {
  file: string;
  lineAt: (path: readonly PropertyKey[]) => number | undefined;
  /** The scenario has no `parameters:` at all: a missing value is said at its `architecture:` line (review37 #18). */
  absent?: boolean;
}

/**
 * The value of every parameter: `--parameter-overrides Key=Value` (or a scenario's `parameters:`),
 * else its Default, checked against its constraints as CloudFormation checks them at deploy. As
 * with CloudFormation, a Number parameter is text when referenced, and list types are lists.
 */
export function templateParameters(section: unknown, overrides: Record<string, string>, problems: TemplateError[], origin?: ParameterOrigin): Map<string, string | string[]> {
  const out = new Map<string, string | string[]>();
  const specs = (section ?? {}) as Record<string, ParameterSpec>;
  const at = (name?: string) => {
    if (origin === undefined) return undefined;
    if (origin.absent) return `${origin.file}:${origin.lineAt(["architecture"]) ?? ""} architecture`;
    return `${origin.file}:${origin.lineAt(name === undefined ? ["parameters"] : ["parameters", name]) ?? ""} parameters${name === undefined ? "" : `.${name}`}`;
  };
  for (const name of Object.keys(overrides)) {
    if (name in specs) continue;
    if (origin === undefined) problems.push(new TemplateError(["Parameters"], `--parameter-overrides ${name}: the template declares no parameter ${name}`));
    else problems.push(new TemplateError(["Parameters"], `the template declares no parameter ${name}; it declares ${Object.keys(specs).join(", ") || "none"}`, at(name)));
  }
  if (typeof specs !== "object" || Array.isArray(specs)) {
    problems.push(new TemplateError(["Parameters"], "expected a map of parameter names to parameters"));
    return out;
  }
  for (const [name, spec] of Object.entries(specs)) {
    const path = ["Parameters", name];
    const given = name in overrides ? overrides[name] : spec?.Default;
    if (given === undefined || given === null) {
      if (origin === undefined) problems.push(new TemplateError(path, `parameter ${name} has no value: give it a Default, or pass --parameter-overrides ${name}=VALUE (a scenario: parameters: { ${name}: VALUE })`));
      else if (origin.absent) problems.push(new TemplateError(path, `parameter ${name} has no value and the template gives it no Default: the scenario gives no parameters; add parameters: { ${name}: VALUE }`, at()));
      else problems.push(new TemplateError(path, `parameter ${name} has no value and the template gives it no Default: give it one here (parameters: { ${name}: VALUE })`, at()));
      continue;
    }
    const text = Array.isArray(given) ? given.map(String).join(",") : String(given);
    const type = spec?.Type ?? "String";
    const isList = type === "CommaDelimitedList" || type.startsWith("List<");
    const values = isList ? text.split(",").map((s) => s.trim()) : [text];
    const problem = values.map((v) => constraintProblem(v, type, spec ?? {})).find((p) => p !== undefined);
    if (problem !== undefined) {
      problems.push(new TemplateError(name in overrides ? ["Parameters", name] : [...path, "Default"], `parameter ${name}: ${spec?.ConstraintDescription ?? problem}`, name in overrides ? at(name) : undefined));
      continue;
    }
    out.set(name, isList ? values : text);
  }
  return out;
}

function constraintProblem(v: string, type: string, spec: ParameterSpec): string | undefined {
  if ((type === "Number" || type === "List<Number>") && (v.trim() === "" || Number.isNaN(Number(v)))) return `expected a number, got '${v}'`;
  if (spec.AllowedValues !== undefined && !spec.AllowedValues.map(String).includes(v)) return `expected one of ${spec.AllowedValues.join(", ")}, got '${v}'`;
  if (spec.AllowedPattern !== undefined) {
    let pattern: RegExp;
    try {
      pattern = new RegExp(`^(?:${spec.AllowedPattern})$`);
    } catch {
      return `AllowedPattern ${spec.AllowedPattern} is not a valid regular expression`;
    }
    if (!pattern.test(v)) return `expected a value matching ${spec.AllowedPattern}, got '${v}'`;
  }
  if (spec.MinLength !== undefined && v.length < spec.MinLength) return `expected at least ${spec.MinLength} characters, got '${v}'`;
  if (spec.MaxLength !== undefined && v.length > spec.MaxLength) return `expected at most ${spec.MaxLength} characters, got '${v}'`;
  if (spec.MinValue !== undefined && Number(v) < spec.MinValue) return `expected a number ≥ ${spec.MinValue}, got ${v}`;
  if (spec.MaxValue !== undefined && Number(v) > spec.MaxValue) return `expected a number ≤ ${spec.MaxValue}, got ${v}`;
  return undefined;
}
