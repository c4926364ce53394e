import { readFile, stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { isMap, isScalar, LineCounter, parseDocument, type Document, type Node } from "yaml";
import { formatZodError, functionSchema, SimError, toFunctionDefinition, toMappingInput, type FunctionDefinition, type MappingInput, type Source } from "@lambda-sim/core";
import type { z } from "zod";
import { buildConfigSchema } from "./config-schema.ts";

export interface LoadedConfig {
  file: string;
  region: string;
  accountId: string;
  account: { concurrentExecutions: number; unreservedConcurrencyMinimum?: number; scalingLimit?: number; scalingWindowSeconds?: number; scalingMode?: "per-function" | "account-burst" };
  functions: FunctionDefinition[];
  eventSourceMappings: MappingInput[];
  /** The validated sections of the sources (`queues`, ...), by config key. */
  sources: Record<string, unknown>;
  raw: unknown;
}

/**
 * Reads lambda-sim.yaml (or .json: YAML is a superset), validates it with zod and resolves paths
 * against the file's directory. Every problem becomes one line naming file, line, key path and
 * expectation; all of them are thrown together as one ERR_CONFIG.
 */
export async function loadConfig(file: string, sources: readonly Source<any>[] = []): Promise<LoadedConfig> {
  const extra: Record<string, z.ZodType> = {};
  for (const source of sources) if (source.configKey !== undefined && source.configSchema !== undefined) extra[source.configKey] = source.configSchema.optional();
  const configSchema = buildConfigSchema(extra);
  const path = resolve(file);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    throw new SimError("ERR_CONFIG", `config file not found: ${path}`);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new SimError("ERR_CONFIG", `${path}:${lines.linePos(e.pos[0]).line} ${e.message.split("\n")[0]}`);
  }
  const raw: unknown = doc.toJS() ?? {};
  const parsed = configSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    const messages = formatZodError(parsed.error, path, (p) => lineOf(doc, lines, p), (p) => knownKeysAt(configSchema.shape, p));
    throw new SimError("ERR_CONFIG", messages.join("\n"));
  }
  const base = dirname(path);
  const functions = Object.entries(parsed.data.functions).map(([name, f]) => toFunctionDefinition(name, f, base));
  for (const f of functions) {
    if (f.runtime === "model") continue;
    const isDir = await stat(f.codeDir).then((s) => s.isDirectory(), () => false);
    if (!isDir) {
      const line = lineOf(doc, lines, ["functions", f.functionName, "codeUri"]);
      throw new SimError("ERR_CODE_DIR", `${path}:${line ?? ""} functions.${f.functionName}.codeUri: directory not found: ${f.codeDir}`);
    }
  }
  const data = parsed.data as Record<string, unknown>;
  const sourceSections = Object.fromEntries(Object.keys(extra).map((k) => [k, data[k]]));
  return { file: path, region: parsed.data.region, accountId: parsed.data.accountId, account: parsed.data.account, functions, eventSourceMappings: parsed.data.eventSourceMappings.map((e) => toMappingInput(e, parsed.data.region, parsed.data.accountId)), sources: sourceSections, raw };
}

/** The line of the deepest key on `path` that exists in the document (1-based). */
function lineOf(doc: Document, lines: LineCounter, path: readonly PropertyKey[]): number | undefined {
  let node: unknown = doc.contents;
  let line: number | undefined = node && (node as Node).range ? lines.linePos((node as Node).range![0]).line : undefined;
  for (const key of path) {
    if (!isMap(node)) break;
    const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(key));
    if (pair === undefined) break;
    const keyNode = pair.key as Node;
    if (keyNode.range) line = lines.linePos(keyNode.range[0]).line;
    node = pair.value;
  }
  return line;
}

function knownKeysAt(shape: Record<string, unknown>, path: readonly PropertyKey[]): string[] {
  if (path.length === 0) return Object.keys(shape);
  if (path.length === 2 && path[0] === "functions") return Object.keys(functionSchema.shape);
  return [];
}
