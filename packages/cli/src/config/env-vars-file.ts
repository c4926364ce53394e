import { readFileSync } from "node:fs";
import { SimError, type FunctionDefinition } from "@lambda-sim/core";
import type { LogicalNames } from "../template/logical-names.ts";

/**
 * SAM CLI's environment variables file (`sam local invoke|start-api --env-vars env.json`), so a
 * project's existing file works as it is: `{"Parameters": {...}}` for every function, and
 * `{"OrdersFunction": {...}}` for one, named by its logical id (first) or its function name;
 * a function's own entry wins over `Parameters`.
 *
 * As with SAM CLI, a file only overrides the variables a function's configuration declares: a
 * variable the deployed function would not have is not set here either, so code that reads it
 * fails locally as it would on AWS. Unlike SAM CLI, which ignores them silently (its most asked
 * question: aws-sam-cli#139, #542, #6145), the variables left out are said at start, with how to
 * declare them.
 * @see https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-sam-cli-using-invoke.html#serverless-sam-cli-using-invoke-environment-file
 */
export function applyEnvVars(file: string, entries: EnvVarsFile, functions: FunctionDefinition[], names: LogicalNames | undefined): string[] {
  const byName = new Map(functions.map((f) => [f.functionName, f]));
  const logicalIdOf = new Map(Object.entries(names ?? {}).flatMap(([id, n]) => (n.kind === "function" ? [[n.name, id] as const] : [])));
  const notes: string[] = [];
  for (const key of Object.keys(entries)) {
    if (key === "Parameters") continue;
    const logical = names?.[key];
    const fn = logical?.kind === "function" ? byName.get(logical.name) : byName.get(key);
    if (fn === undefined) notes.push(`${file}: ${key} names no function (the simulator has: ${functions.map((f) => logicalIdOf.get(f.functionName) ?? f.functionName).join(", ") || "none"}); its variables are not set`);
  }
  const undeclaredEverywhere = new Set(Object.keys(entries.Parameters ?? {}));
  let set = 0;
  let touched = 0;
  for (const fn of functions) {
    const label = logicalIdOf.get(fn.functionName) ?? fn.functionName;
    const own = entries[label] ?? entries[fn.functionName] ?? {};
    const env = fn.environment ?? {};
    const overrides = Object.entries({ ...entries.Parameters, ...own }).filter(([k]) => Object.hasOwn(env, k));
    for (const [k] of overrides) undeclaredEverywhere.delete(k);
    // A new object: functions may share one from the template's Globals.
    if (overrides.length > 0) fn.environment = { ...env, ...Object.fromEntries(overrides) };
    set += overrides.length;
    if (overrides.length > 0) touched++;
    const left = Object.keys(own).filter((k) => !Object.hasOwn(env, k));
    if (left.length > 0) notes.push(`${file}: ${label}: ${left.join(", ")} not set: its Environment does not declare ${left.length === 1 ? "it" : "them"} (SAM CLI ignores ${left.length === 1 ? "it" : "them"} too: declare ${left.length === 1 ? "it" : "each"}, e.g. ${left[0]}: "", to override)`);
  }
  if (undeclaredEverywhere.size > 0) notes.push(`${file}: Parameters ${[...undeclaredEverywhere].join(", ")} not set: no function's Environment declares ${undeclaredEverywhere.size === 1 ? "it" : "them"}`);
  return [`${file}: ${set} environment variable(s) set in ${touched} function(s)`, ...notes];
}

/** An env.json's entries: function (or `Parameters`) → variable → value. */
export type EnvVarsFile = Record<string, Record<string, string>>;

/** Reads and checks an env.json (before the config, whose temporary folders a refusal would leave): numbers and booleans as written. */
export function readEnvVarsFile(file: string): EnvVarsFile {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SimError("ERR_CONFIG", code === "ENOENT" ? `--env-vars ${file}: file not found` : `--env-vars ${file}: not JSON (${(e as Error).message})`);
  }
  const where = `--env-vars ${file}`;
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) throw new SimError("ERR_CONFIG", `${where}: expected an object of functions (or Parameters) to variables, as SAM CLI's env.json`);
  const out: Record<string, Record<string, string>> = {};
  for (const [key, vars] of Object.entries(doc)) {
    if (vars === null || typeof vars !== "object" || Array.isArray(vars)) throw new SimError("ERR_CONFIG", `${where}: ${key}: expected an object of variable names to values`);
    out[key] = {};
    for (const [name, value] of Object.entries(vars)) {
      if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") throw new SimError("ERR_CONFIG", `${where}: ${key}.${name}: expected text, a number or a boolean`);
      out[key][name] = String(value);
    }
  }
  return out;
}
