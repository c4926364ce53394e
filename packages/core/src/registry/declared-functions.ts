import { createHash } from "node:crypto";
import type { FunctionDefinition } from "../config/function-definition.ts";
import { expandShortName } from "../config/short-names.ts";
import { SimError } from "../errors/sim-error.ts";
import { fingerprintDirectory, MAX_UNZIPPED_BYTES } from "./code-store.ts";
import { definitionFields, sameDefinition } from "./definition-fields.ts";
import type { FunctionVersionConfig } from "./function-model.ts";
import type { FunctionRegistry } from "./function-registry.ts";

/**
 * Functions from lambda-sim.yaml: created, updated in place when their definition or files
 * changed, removed when no longer declared. Unchanged definitions keep their revision. A function
 * made through the API under a declared name gives way to the declaration. Returns warnings
 * (oversizeWarning()) to print.
 */
export function applyFunctionDefinitions(registry: FunctionRegistry, defs: readonly FunctionDefinition[]): string[] {
  const warnings: string[] = [];
  const declared = new Set(defs.map((d) => d.functionName));
  for (const rec of registry.list()) if (rec.source === "config" && !declared.has(rec.name)) registry.delete(rec.name);
  for (const def of defs) {
    if (registry.has(def.functionName) && registry.get(def.functionName).source === "api") registry.delete(def.functionName);
    // A model function has no code: its "code" is its declared behaviour.
    const code = def.runtime === "model" ? { codeSha256: createHash("sha256").update(JSON.stringify(def.model)).digest("base64"), codeSize: 0 } : fingerprintDirectory(def.codeDir, (p) => registry.code.leftOut(p));
    const fields = { ...definitionFields(def, (ref) => expandShortName(ref, registry.region, registry.accountId)), ...code, ...definitionLayers(registry, def) };
    const oversize = oversizeWarning(def, code.codeSize + (fields.layers ?? []).reduce((n, l) => n + l.unzippedSize, 0));
    if (oversize !== undefined) warnings.push(oversize);
    if (!registry.has(def.functionName)) {
      registry.create({ ...fields, functionArn: registry.arn(def.functionName), version: "$LATEST", lastModified: registry.now(), revisionId: registry.newRevisionId() }, "config");
    } else if (!sameDefinition(registry.get(def.functionName).latest, fields)) {
      registry.updateLatest(def.functionName, fields, "configuration");
    }
    if (registry.get(def.functionName).reservedConcurrency !== def.reservedConcurrency) registry.saveReservedConcurrency(def.functionName, def.reservedConcurrency);
    const loop = def.recursiveLoop ?? "Terminate";
    if ((registry.get(def.functionName).recursiveLoop ?? "Terminate") !== loop) registry.saveRecursiveLoop(def.functionName, loop);
  }
  return warnings;
}

/**
 * A declared function's folder read again after its files changed (`lambda-sim start --watch`):
 * when its fingerprint differs, $LATEST gets the new CodeSha256 and a new revision, as an
 * UpdateFunctionCode would give it, so its warm environments are replaced and the next invocation
 * starts with the edited code (a deploy's effect). Returns whether the code changed; false for a
 * function gone, made through the API, or a model.
 */
export function refreshDeclaredCode(registry: FunctionRegistry, name: string): boolean {
  if (!registry.has(name)) return false;
  const rec = registry.get(name);
  if (rec.source !== "config" || rec.latest.runtime === "model") return false;
  const code = fingerprintDirectory(rec.latest.codeDir, (p) => registry.code.leftOut(p));
  if (code.codeSha256 === rec.latest.codeSha256) return false;
  registry.updateLatest(name, code, "code");
  return true;
}

/**
 * A declared folder over AWS's 262,144,000 bytes unzipped (with its layers), which CreateFunction
 * refuses: warned, not refused, because the folder is what the function is developed in, not
 * the package a deploy makes of it (`sam build` packages production dependencies only): a SAM
 * `CodeUri: ./` holds the whole project, devDependencies and lambda-sim's own install among them,
 * and still deploys. The size counts what the fingerprint counts (no state directory, no __pycache__).
 */
function oversizeWarning(def: FunctionDefinition, bytes: number): string | undefined {
  if (def.runtime === "model" || bytes <= MAX_UNZIPPED_BYTES) return undefined;
  return `functions.${def.functionName}: its code folder ${def.codeDir} is ${bytes} bytes unzipped${def.layers?.length ? " with its layers" : ""}, over AWS's limit: CreateFunction refuses such a package ("Function code combined with layers exceeds the maximum allowed size of ${MAX_UNZIPPED_BYTES} bytes"). Deploy a smaller folder (a CodeUri: ./ holds the whole project, node_modules and lambda-sim's own install included; sam build packages production dependencies only)`;
}

/** `layers:` of a declared function, checked as CreateFunction checks `Layers` (the size with the folder's is warned of: oversizeWarning()). */
function definitionLayers(registry: FunctionRegistry, def: FunctionDefinition): Pick<FunctionVersionConfig, "layers" | "optDir"> {
  if (def.layers === undefined || def.layers.length === 0) return { layers: undefined, optDir: undefined };
  try {
    return registry.layers.resolve(def.layers.map((ref) => registry.layers.versionArnOf(ref)), 0);
  } catch (e) {
    throw new SimError("ERR_CONFIG", `functions.${def.functionName}.layers: ${(e as Error).message}`);
  }
}
