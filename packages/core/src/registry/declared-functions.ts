import { createHash } from "node:crypto";
import type { FunctionDefinition } from "../config/function-definition.ts";
import { expandShortName } from "../config/short-names.ts";
import { SimError } from "../errors/sim-error.ts";
import { fingerprintDirectory } from "./code-store.ts";
import { definitionFields, sameDefinition } from "./definition-fields.ts";
import type { FunctionVersionConfig } from "./function-model.ts";
import type { FunctionRegistry } from "./function-registry.ts";

/**
 * Functions from lambda-sim.yaml: created, updated in place when their definition or files
 * changed, removed when no longer declared. Unchanged definitions keep their revision. A function
 * made through the API under a declared name gives way to the declaration.
 */
export function applyFunctionDefinitions(registry: FunctionRegistry, defs: readonly FunctionDefinition[]): void {
  const declared = new Set(defs.map((d) => d.functionName));
  for (const rec of registry.list()) if (rec.source === "config" && !declared.has(rec.name)) registry.delete(rec.name);
  for (const def of defs) {
    if (registry.has(def.functionName) && registry.get(def.functionName).source === "api") registry.delete(def.functionName);
    // A model function has no code: its "code" is its declared behaviour.
    const code = def.runtime === "model" ? { codeSha256: createHash("sha256").update(JSON.stringify(def.model)).digest("base64"), codeSize: 0 } : fingerprintDirectory(def.codeDir, (p) => registry.code.withinState(p));
    const fields = { ...definitionFields(def, (ref) => expandShortName(ref, registry.region, registry.accountId)), ...code, ...definitionLayers(registry, def, code.codeSize) };
    if (!registry.has(def.functionName)) {
      registry.create({ ...fields, functionArn: registry.arn(def.functionName), version: "$LATEST", lastModified: registry.now(), revisionId: registry.newRevisionId() }, "config");
    } else if (!sameDefinition(registry.get(def.functionName).latest, fields)) {
      registry.updateLatest(def.functionName, fields, "configuration");
    }
    if (registry.get(def.functionName).reservedConcurrency !== def.reservedConcurrency) registry.saveReservedConcurrency(def.functionName, def.reservedConcurrency);
    const loop = def.recursiveLoop ?? "Terminate";
    if ((registry.get(def.functionName).recursiveLoop ?? "Terminate") !== loop) registry.saveRecursiveLoop(def.functionName, loop);
  }
}

/** `layers:` of a declared function, checked as CreateFunction checks `Layers`. */
function definitionLayers(registry: FunctionRegistry, def: FunctionDefinition, codeBytes: number): Pick<FunctionVersionConfig, "layers" | "optDir"> {
  if (def.layers === undefined || def.layers.length === 0) return { layers: undefined, optDir: undefined };
  try {
    return registry.layers.resolve(def.layers.map((ref) => registry.layers.versionArnOf(ref)), codeBytes);
  } catch (e) {
    throw new SimError("ERR_CONFIG", `functions.${def.functionName}.layers: ${(e as Error).message}`);
  }
}
