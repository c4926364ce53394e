import { stat } from "node:fs/promises";
import { applyLoggingInput, formatZodError, functionSettingsSchema, isAwsError, schemaKeysAt, SimError, toFunctionDefinition, type FunctionDefinition, type FunctionSettingsEntry } from "@lambda-sim/core";
import { z } from "zod";
import { physicalName } from "../template/logical-names.ts";
import { declaredNames, type Architecture } from "./check-references.ts";

/**
 * Some of a template function's settings, set by the lambda-sim.yaml beside the template
 * (newuser10: allowing one function's loop locally needed the whole function copied, since an
 * entry keyed by its logical id replaced it). `name` is the function's name in the template;
 * `settings` holds only the fields the entry gives.
 */
export interface FunctionSettings {
  /** The entry's key in lambda-sim.yaml: the function's name or its logical id. */
  key: string;
  name: string;
  settings: Partial<FunctionDefinition>;
  /** The keys the entry gives, as lambda-sim.yaml spells them (for the start-up line). */
  given: string[];
  /** Its `loggingConfig:`, applied over the template's as UpdateFunctionConfiguration applies one. */
  logging?: Parameters<typeof applyLoggingInput>[1];
}

const SETTINGS_ONLY = z.object({ functions: z.record(z.string(), functionSettingsSchema) });

/** Where each lambda-sim.yaml key lands in a FunctionDefinition (toFunctionDefinition). */
const FIELD_OF: Record<string, keyof FunctionDefinition> = {
  codeUri: "codeDir",
  ephemeralStorage: "ephemeralStorageSize",
  deadLetterConfig: "deadLetterTargetArn",
};

/**
 * The keys of `raw.functions` whose entries set some of a template function's settings rather
 * than declare a function: no `runtime`, keyed by a name or logical id of the template's functions.
 * An entry with a runtime still declares the function anew and replaces the template's.
 */
export function settingsKeys(raw: Record<string, unknown>, architecture: Architecture | undefined): string[] {
  if (architecture === undefined) return [];
  const functions = raw.functions;
  if (typeof functions !== "object" || functions === null || Array.isArray(functions)) return [];
  const template = declaredNames(architecture, "function");
  return Object.entries(functions as Record<string, unknown>).flatMap(([key, entry]) => {
    if (typeof entry !== "object" || entry === null || Array.isArray(entry) || "runtime" in entry) return [];
    return template.includes(physicalName(architecture.template?.names, ["function"], key)) ? [key] : [];
  });
}

/** Checks the settings entries against their schema: one line per problem, as every config error. */
export function settingsProblems(raw: Record<string, unknown>, keys: readonly string[], file: string, lineOf: (p: readonly PropertyKey[]) => number | undefined): string[] {
  if (keys.length === 0) return [];
  const functions = raw.functions as Record<string, unknown>;
  const parsed = SETTINGS_ONLY.safeParse({ functions: Object.fromEntries(keys.map((k) => [k, functions[k]])) }, { reportInput: true });
  return parsed.success ? [] : formatZodError(parsed.error, file, lineOf, (p) => schemaKeysAt(SETTINGS_ONLY, p));
}

/**
 * The validated settings entries (their references already rewritten to the template's names by
 * checkReferences), each as the FunctionDefinition fields it gives; a `codeUri` must be a folder.
 */
export async function functionSettings(raw: Record<string, unknown>, keys: readonly string[], architecture: Architecture | undefined, base: string, file: string, lineOf: (p: readonly PropertyKey[]) => number | undefined): Promise<FunctionSettings[]> {
  const functions = raw.functions as Record<string, unknown>;
  const out: FunctionSettings[] = [];
  const missing: string[] = [];
  for (const key of keys) {
    const entry: FunctionSettingsEntry = functionSettingsSchema.parse(functions[key]);
    const name = physicalName(architecture?.template?.names, ["function"], key);
    // toFunctionDefinition wants a runtime; only the fields the entry gives are kept.
    const full = toFunctionDefinition(name, { ...entry, loggingConfig: undefined, runtime: "nodejs24.x" } as Parameters<typeof toFunctionDefinition>[1], base);
    // In the order the file gives them (the start-up line).
    const given = Object.keys(functions[key] as object).filter((k) => (entry as Record<string, unknown>)[k] !== undefined);
    const settings: Partial<FunctionDefinition> = {};
    const l = entry.loggingConfig;
    const logging = l === undefined ? undefined : { LogFormat: l.logFormat, ApplicationLogLevel: l.applicationLogLevel, SystemLogLevel: l.systemLogLevel, LogGroup: l.logGroup };
    for (const k of given) {
      if (k === "loggingConfig") continue;
      const field = FIELD_OF[k] ?? (k as keyof FunctionDefinition);
      (settings as Record<string, unknown>)[field] = full[field];
    }
    if (settings.codeDir !== undefined && !(await stat(settings.codeDir).then((s) => s.isDirectory(), () => false))) {
      missing.push(`${file}:${lineOf(["functions", key, "codeUri"]) ?? ""} functions.${key}.codeUri: directory not found: ${settings.codeDir}`);
    }
    out.push({ key, name, settings, given, logging });
  }
  if (missing.length > 0) throw new SimError("ERR_CODE_DIR", missing.join("\n"));
  return out;
}

/**
 * A template function with the overlay's settings over its own. Environment variables, tags and
 * `sim:` settings are merged key by key (the overlay's win), so an overlay adds a variable without
 * repeating the template's; `loggingConfig` applies over the template's as UpdateFunctionConfiguration's
 * does (a level alone keeps its JSON format); everything else given replaces the template's value.
 */
export function withSettings(f: FunctionDefinition, s: FunctionSettings | undefined, file: string, lineOf: (p: readonly PropertyKey[]) => number | undefined): FunctionDefinition {
  if (s === undefined) return f;
  const { environment, tags, sim, ...rest } = s.settings;
  let loggingConfig = f.loggingConfig;
  try {
    if (s.logging !== undefined) loggingConfig = applyLoggingInput(f.loggingConfig, s.logging, f.functionName);
  } catch (e) {
    if (!isAwsError(e)) throw e;
    throw new SimError("ERR_CONFIG", `${file}:${lineOf(["functions", s.key, "loggingConfig"]) ?? ""} functions.${s.key}.loggingConfig: ${e.message}`);
  }
  return {
    ...f,
    ...rest,
    loggingConfig,
    ...(environment === undefined ? {} : { environment: { ...f.environment, ...environment } }),
    ...(tags === undefined ? {} : { tags: { ...f.tags, ...tags } }),
    ...(sim === undefined ? {} : { sim: { ...f.sim, ...sim } }),
  };
}
