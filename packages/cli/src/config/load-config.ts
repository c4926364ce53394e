import { mkdtempSync, rmSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from "yaml";
import { formatZodError, schemaKeysAt, SimError, toFunctionDefinition, toLayerDefinition, toMappingInput, unpackLayerZip, type LayerDefinition, type FaultSpec, type FunctionDefinition, type MappingInput, type Source } from "@lambda-sim/core";
import type { z } from "zod";
import { buildConfigSchema } from "./config-schema.ts";
import { checkReferences, type Architecture } from "./check-references.ts";
import { checkQueueTypes } from "./check-queue-types.ts";
import { ownArnReferences, type ArnReference } from "./arn-references.ts";
import { declaredMappingProblems } from "./declared-mapping-problems.ts";
import { checkReservedConcurrency } from "./check-reserved-concurrency.ts";
import { buildFunctions } from "./function-builds.ts";
import { functionSettings, settingsKeys, settingsProblems, type FunctionSettings } from "./function-settings.ts";
import { withStartFlagHints } from "./start-flag-keys.ts";

export interface LoadedConfig {
  file: string;
  region: string;
  accountId: string;
  account: { concurrentExecutions: number; unreservedConcurrencyMinimum?: number; scalingLimit?: number; scalingWindowSeconds?: number; scalingMode?: "per-function" | "account-burst" };
  /** `functionStates:`: how long API-made changes stay Pending / InProgress (seconds). */
  functionStates?: { pendingSeconds: number; updateSeconds: number };
  functions: FunctionDefinition[];
  /** `layers:`, zips unpacked. */
  layers: LayerDefinition[];
  eventSourceMappings: MappingInput[];
  /** `auth.credentials`: keys `--auth` accepts. */
  credentials: { accessKeyId: string; secretAccessKey: string }[];
  faults: FaultSpec[];
  /** Beside a template: entries that set some of a template function's settings (function-settings.ts). */
  functionSettings?: FunctionSettings[];
  /** The validated sections of the sources (`queues`, ...), by config key. */
  sources: Record<string, unknown>;
  raw: unknown;
  /** The line of a key path in the file, for problems found after loading (a scenario's names). */
  lineAt: (path: readonly PropertyKey[]) => number | undefined;
  /** References written as the simulator's own ARNs that the file does not declare: checked against the state at start (arn-references.ts). */
  arnReferences?: ArnReference[];
  /** Folders made for this load (zipped layers unpacked without a `layerRoot`): the simulator removes them when it closes. */
  removeOnClose?: string[];
}

/**
 * Reads lambda-sim.yaml (or .json: YAML is a superset), validates it with zod and resolves paths
 * against the file's directory; `build: esbuild` functions are built into `opts.buildRoot` (default:
 * a temporary folder), zipped layers unpacked into `opts.layerRoot` (default: a temporary folder,
 * in `removeOnClose`). Every problem becomes one line naming file, line, key path and
 * expectation; all of them are thrown together as one ERR_CONFIG.
 */
export async function loadConfig(file: string, sources: readonly Source<any>[] = [], more: Record<string, z.ZodType> = {}, opts: { buildRoot?: string; layerRoot?: string; faultReferences?: boolean; architecture?: Architecture } = {}): Promise<LoadedConfig> {
  const extra = configSections(sources, more);
  const configSchema = buildConfigSchema(extra);
  const path = resolve(file);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new SimError("ERR_CONFIG", `config file not found: ${path}`);
    throw new SimError("ERR_CONFIG", `cannot read config file ${path}: ${(e as Error).message}`, { cause: e });
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    // The first only: after a syntax error the parser reports every later token again (36 lines for one typo).
    const e = doc.errors[0]!;
    throw new SimError("ERR_CONFIG", `${path}:${lines.linePos(e.pos[0]).line} invalid YAML: ${e.message.split("\n")[0]}`);
  }
  keepSourceText(doc);
  let raw: unknown;
  try {
    raw = doc.toJS() ?? {};
  } catch (e) {
    // Alias trouble (e.g. too many expansions) only surfaces when the document is built.
    throw new SimError("ERR_CONFIG", `${path}: invalid YAML: ${(e as Error).message}`, { cause: e });
  }
  const lineAt = (p: readonly PropertyKey[]) => lineOf(doc, lines, p);
  // Beside a template, an entry without a runtime sets some of a template function's settings.
  const settingKeys = settingsKeys(raw as Record<string, unknown>, opts.architecture);
  const declared = withoutFunctions(raw as Record<string, unknown>, settingKeys);
  const parsed = configSchema.safeParse(declared, { reportInput: true });
  const invalid = [...(parsed.success ? [] : withStartFlagHints(formatZodError(parsed.error, path, lineAt, (p) => schemaKeysAt(configSchema, p)), path, raw)), ...settingsProblems(raw as Record<string, unknown>, settingKeys, path, lineAt)];
  // A refused file lists its mappings' refused parameters too, every one (newuser13 N13-3); a
  // file refused for nothing else leaves them to the start, which checks them with the sources.
  const mappingLines = () => {
    const top = typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>) : {};
    const region = typeof top.region === "string" ? top.region : "us-east-1";
    const accountId = typeof top.accountId === "string" ? top.accountId : "000000000000";
    return declaredMappingProblems(top.eventSourceMappings, sources, region, accountId).map(
      ({ index, message }) => `${path}:${lineAt(["eventSourceMappings", index]) ?? ""} eventSourceMappings[${index}]: ${message}`,
    );
  };
  if (invalid.length > 0) throw new SimError("ERR_CONFIG", [...invalid, ...mappingLines()].join("\n"));
  const dangling = checkReferences(raw as Record<string, unknown>, path, lineAt, { faults: opts.faultReferences, architecture: opts.architecture });
  // After checkReferences: beside a template, the logical ids it named are the names they became.
  const mismatched = checkQueueTypes(raw as Record<string, unknown>, path, lineAt, opts.architecture);
  if (dangling.length + mismatched.length > 0) throw new SimError("ERR_CONFIG", [...dangling, ...mismatched, ...mappingLines()].join("\n"));
  const arnReferences = ownArnReferences(raw as Record<string, unknown>, path, lineAt, opts.architecture);
  // Beside a template, the logical ids it named are now the names they became (checkReferences).
  const data = opts.architecture === undefined ? parsed.data! : configSchema.parse(declared);
  const functionSettingsGiven = await functionSettings(raw as Record<string, unknown>, settingKeys, opts.architecture, dirname(path), path, lineAt);
  const loaded = { ...(await fromValidatedConfig(path, raw, data, Object.keys(extra), lineAt, opts.layerRoot)), functionSettings: functionSettingsGiven, arnReferences };
  try {
    const overReserved = checkReservedConcurrency(loaded.functions, loaded.account, path, lineAt);
    if (overReserved.length > 0) throw new SimError("ERR_CONFIG", overReserved.join("\n"));
    // `build: esbuild` functions run from their build folder (function-builds.ts).
    return { ...loaded, functions: await buildFunctions(path, loaded.functions, data.functions, lineAt, opts.buildRoot) };
  } catch (e) {
    // Refused: no simulator will remove what this load made.
    for (const dir of loaded.removeOnClose ?? []) rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/** The sections sources (`queues`, `streams`..., and settings such as `sqs:`) and callers (scenarios) add to the config schema. */
export function configSections(sources: readonly Source<any>[], more: Record<string, z.ZodType> = {}): Record<string, z.ZodType> {
  const extra: Record<string, z.ZodType> = { ...more };
  for (const source of sources) {
    if (source.configKey !== undefined && source.configSchema !== undefined) extra[source.configKey] = source.configSchema.optional();
    if (source.settingsKey !== undefined && source.settingsSchema !== undefined) extra[source.settingsKey] = source.settingsSchema.optional();
  }
  return extra;
}

/**
 * A validated config as the simulator takes it (shared with SAM templates, which are translated
 * into the same sections): paths resolved against the file's directory, code directories checked,
 * zipped layers unpacked into `layerRoot` (or a temporary folder of this load's, in `removeOnClose`).
 */
export async function fromValidatedConfig(path: string, raw: unknown, validated: z.output<ReturnType<typeof buildConfigSchema>>, sectionKeys: readonly string[], lineAt: (p: readonly PropertyKey[]) => number | undefined, layerRoot?: string): Promise<LoadedConfig> {
  const parsed = { data: validated };
  const base = dirname(path);
  const functions = Object.entries(parsed.data.functions).map(([name, f]) => toFunctionDefinition(name, f, base));
  const missing: string[] = [];
  for (const f of functions) {
    if (f.runtime === "model") continue;
    const isDir = await stat(f.codeDir).then((s) => s.isDirectory(), () => false);
    if (!isDir) {
      const line = lineAt(["functions", f.functionName, "codeUri"]);
      missing.push(`${path}:${line ?? ""} functions.${f.functionName}.codeUri: directory not found: ${f.codeDir}`);
    }
  }
  const layers: LayerDefinition[] = [];
  let temporary: string | undefined;
  try {
    for (const [name, l] of Object.entries(parsed.data.layers)) {
      const def = toLayerDefinition(name, l, base);
      const kind = await stat(def.dir).then((s) => (s.isDirectory() ? "dir" : "file"), () => undefined);
      if (kind === undefined) missing.push(`${path}:${lineAt(["layers", name, "contentUri"]) ?? ""} layers.${name}.contentUri: not found: ${def.dir}`);
      else if (kind === "dir") layers.push(def);
      else layers.push({ ...def, dir: await unpackLayerZip(def.dir, layerRoot ?? (temporary ??= mkdtempSync(join(tmpdir(), "lambda-sim-layer-zips-")))) });
    }
    if (missing.length > 0) throw new SimError("ERR_CODE_DIR", missing.join("\n"));
  } catch (e) {
    if (temporary !== undefined) rmSync(temporary, { recursive: true, force: true });
    throw e;
  }
  const data = parsed.data as Record<string, unknown>;
  const sourceSections = Object.fromEntries(sectionKeys.map((k) => [k, data[k]]));
  return { file: path, region: parsed.data.region, accountId: parsed.data.accountId, account: parsed.data.account, functionStates: parsed.data.functionStates, functions, layers, eventSourceMappings: parsed.data.eventSourceMappings.map((e) => toMappingInput(e, parsed.data.region, parsed.data.accountId)), credentials: parsed.data.auth.credentials, faults: parsed.data.faults, sources: sourceSections, raw, lineAt, removeOnClose: temporary === undefined ? undefined : [temporary] };
}

/**
 * YAML reads `VERSION: 1.10` as the number 1.1 and `accountId: 000000000000` as 0; where the
 * schema wants text, the user meant the characters they wrote, so those scalars keep their source:
 * a scenario's template `parameters:` too, whose values CloudFormation takes as text (`Version: 1.10`).
 */
function keepSourceText(doc: Document): void {
  const asWritten = (node: unknown, pattern: RegExp, types = ["number"]) => {
    if (isScalar(node) && types.includes(typeof node.value) && node.source !== undefined && pattern.test(node.source)) node.value = node.source;
  };
  asWritten(doc.get("accountId", true), /^\d+$/);
  const parameters = doc.get("parameters", true);
  if (isMap(parameters)) for (const pair of parameters.items) asWritten(pair.value, /^\S+$/, ["number", "boolean"]);
  const functions = doc.get("functions", true);
  if (!isMap(functions)) return;
  for (const fn of functions.items) {
    const env = isMap(fn.value) ? fn.value.get("environment", true) : undefined;
    if (isMap(env)) for (const pair of env.items) asWritten(pair.value, /^\S+$/);
  }
}

/**
 * The line (1-based) of the deepest key on `path` present in the document: a missing key is
 * reported at its parent, an entry of a list at the entry.
 */
export function lineOf(doc: Document, lines: LineCounter, path: readonly PropertyKey[]): number | undefined {
  const at = (n: unknown) => (n !== null && typeof n === "object" && (n as Node).range ? lines.linePos((n as Node).range![0]).line : undefined);
  let node: unknown = doc.contents;
  let line = at(node);
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(key));
      if (pair === undefined) break;
      line = at(pair.key) ?? line;
      node = pair.value;
    } else if (isSeq(node) && typeof key === "number" && node.items[key] !== undefined) {
      node = node.items[key];
      line = at(node) ?? line;
    } else {
      break;
    }
  }
  return line;
}

/** `raw` without some of its `functions:` entries (the entries themselves shared, for checkReferences' rewrites). */
function withoutFunctions(raw: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  if (keys.length === 0) return raw;
  const functions = { ...(raw.functions as Record<string, unknown>) };
  for (const k of keys) delete functions[k];
  return { ...raw, functions };
}
