import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SimError, type FunctionDefinition, type FunctionEntry } from "@lambda-sim/core";
import { BuildError, EntryPointError, esbuildFunction, typescriptOnlyHandler } from "./esbuild-function.ts";

/**
 * lambda-sim.yaml's `build: esbuild`: each such function is bundled as `sam build` bundles a
 * template's `BuildMethod: esbuild` one (esbuild-function.ts), into `<buildRoot>/<name>`, which
 * becomes its code. A Node.js handler naming a TypeScript file with no JavaScript beside it and no
 * `build:` is refused: Lambda's Node.js runtimes load JavaScript only. `buildRoot` defaults to a
 * new temporary folder, made only when some function has a build.
 */
export async function buildFunctions(
  file: string,
  functions: FunctionDefinition[],
  entries: Record<string, FunctionEntry>,
  lineAt: (p: readonly PropertyKey[]) => number | undefined,
  buildRoot: string | undefined,
): Promise<FunctionDefinition[]> {
  const problems: string[] = [];
  let root = buildRoot;
  const out: FunctionDefinition[] = [];
  for (const f of functions) {
    const entry = entries[f.functionName]!;
    const at = (...p: string[]) => `${file}:${lineAt(["functions", f.functionName, ...p]) ?? ""} functions.${f.functionName}.${p.join(".")}`;
    if (entry.build !== "esbuild") {
      const ts = f.runtime.startsWith("nodejs") ? typescriptOnlyHandler(f.codeDir, f.handler) : undefined;
      // Lambda developer guide, "Building Lambda functions with TypeScript": Node.js doesn't run TypeScript natively.
      if (ts !== undefined) problems.push(`${at("handler")}: ${f.handler} is in ${ts}, TypeScript, which Lambda's Node.js runtimes do not load: add build: esbuild to this function to build it as sam build does`);
      out.push(f);
      continue;
    }
    root ??= mkdtempSync(join(tmpdir(), "lambda-sim-build-"));
    try {
      out.push({ ...f, codeDir: await esbuildFunction(`functions.${f.functionName}`, f.codeDir, f.handler, entry.buildProperties, join(root, f.functionName)) });
    } catch (e) {
      if (e instanceof BuildError) problems.push(...e.lines);
      else if (e instanceof EntryPointError) problems.push(`${at(entry.buildProperties?.EntryPoints === undefined ? "handler" : "buildProperties")}: ${e.message}`);
      else throw e;
    }
  }
  if (problems.length > 0) throw new SimError("ERR_CONFIG", problems.join("\n"));
  return out;
}
