import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import type { BuildOptions, Message } from "esbuild";

type Props = Record<string, unknown>;

/** A build error as the config errors read: `<file>:<line> <what>: <message>`, one per line. */
export class BuildError extends Error {
  readonly lines: string[];
  constructor(lines: string[]) {
    super(lines.join("\n"));
    this.lines = lines;
  }
}

/** What built a build folder of this process: its sources, and the same build again (`start --watch`). */
export interface BuildRecord {
  sourceDir: string;
  rebuild: () => Promise<string>;
}

const builds = new Map<string, BuildRecord>();

/** The build that made `codeDir`, if esbuildFunction made it in this process. */
export function buildOf(codeDir: string): BuildRecord | undefined {
  return builds.get(codeDir);
}

/** Neither `EntryPoints` nor a source file for the handler: the caller names its own key. */
export class EntryPointError extends Error {}

/**
 * A function built as `sam build` builds `Metadata: { BuildMethod: esbuild, BuildProperties }`
 * (a SAM template's, or lambda-sim.yaml's `build: esbuild` with `buildProperties`): esbuild
 * bundles the entry points (default: the handler's file) for Node.js, with SAM's defaults (format
 * cjs, target es2020, minified, no source map), into a build folder that becomes the function's
 * code. It runs at every start, so edited sources are rebuilt on restart; files whose content did
 * not change are not rewritten, so an unchanged function keeps its CodeSha256 (and warm
 * environments, and the version AutoPublishAlias published). `label` names the function in
 * errors (`Resources.Hello`, `functions.hello`).
 */
export async function esbuildFunction(label: string, sourceDir: string, handler: unknown, buildProperties: unknown, outDir: string): Promise<string> {
  builds.set(outDir, { sourceDir, rebuild: () => esbuildFunction(label, sourceDir, handler, buildProperties, outDir) });
  const p = (buildProperties ?? {}) as Props;
  const entryPoints = Array.isArray(p.EntryPoints) ? p.EntryPoints.map((e) => join(sourceDir, String(e))) : [handlerEntry(sourceDir, handler)];
  const options: BuildOptions = {
    entryPoints,
    bundle: true,
    platform: "node",
    outdir: outDir,
    write: false,
    logLevel: "silent",
    format: p.Format === "esm" ? "esm" : "cjs",
    target: typeof p.Target === "string" ? p.Target : "es2020",
    minify: p.Minify === undefined ? true : p.Minify === true || p.Minify === "true",
    sourcemap: p.Sourcemap === true || p.Sourcemap === "true",
    external: Array.isArray(p.External) ? p.External.map(String) : undefined,
    mainFields: typeof p.MainFields === "string" ? p.MainFields.split(",") : undefined,
    // SAM spells these as esbuild's CLI does: ".js=.mjs", "js=// banner", ".png=file", "KEY=value".
    outExtension: pairs(p.OutExtension),
    banner: pairs(p.Banner),
    footer: pairs(p.Footer),
    loader: pairs(p.Loader) as BuildOptions["loader"],
    define: pairs(p.Define),
  };
  // Loaded only when a template asks for a build: a start without one pays nothing for esbuild.
  const { build } = await import("esbuild");
  let result;
  try {
    result = await build(options);
  } catch (e) {
    const errors = (e as { errors?: Message[] }).errors;
    if (errors === undefined) throw new BuildError([`${sourceDir}: ${label} (esbuild): ${(e as Error).message}`]);
    throw new BuildError(errors.map((m) => `${m.location === null ? sourceDir : join(process.cwd(), m.location.file)}:${m.location?.line ?? ""} ${label} (esbuild): ${m.text}`));
  }
  mkdirSync(outDir, { recursive: true });
  for (const f of result.outputFiles ?? []) {
    if (existsSync(f.path) && readFileSync(f.path).equals(f.contents)) continue;
    mkdirSync(dirname(f.path), { recursive: true });
    writeFileSync(f.path, f.contents);
  }
  // `Format: esm` output must load as a module: SAM users add OutExtension .js=.mjs, or this file.
  if (options.format === "esm" && options.outExtension === undefined) writeIfChanged(join(outDir, "package.json"), '{ "type": "module" }\n');
  return outDir;
}

/** `app.handler` → app.ts (or .mts, .js, .mjs, .cjs) in the source folder, as SAM finds it. */
function handlerEntry(sourceDir: string, handler: unknown): string {
  const h = String(handler ?? "");
  const base = h.slice(0, h.lastIndexOf("."));
  for (const ext of [...TYPESCRIPT, ".js", ".mjs", ".cjs"]) {
    const file = join(sourceDir, base + ext);
    if (existsSync(file)) return file;
  }
  throw new EntryPointError(`no entry point: neither EntryPoints nor a file for handler ${h} (${relative(process.cwd(), join(sourceDir, base))}.ts) was found`);
}

const TYPESCRIPT = [".ts", ".mts", ".cts"];

/**
 * The TypeScript file a Node.js handler names when there is no JavaScript beside it (`app.handler`
 * → app.ts with no app.js, .mjs or .cjs): Lambda's Node.js runtimes load JavaScript only ("Node.js
 * doesn't run TypeScript code natively, you must first transpile", Lambda developer guide,
 * "Building Lambda functions with TypeScript"), so such a function needs a build.
 */
export function typescriptOnlyHandler(codeDir: string, handler: string | undefined): string | undefined {
  if (handler === undefined || !handler.includes(".")) return undefined;
  const base = join(codeDir, handler.slice(0, handler.lastIndexOf(".")));
  if ([".js", ".mjs", ".cjs"].some((ext) => existsSync(base + ext))) return undefined;
  const ts = TYPESCRIPT.map((ext) => base + ext).find((f) => existsSync(f));
  return ts === undefined ? undefined : relative(codeDir, ts);
}

function pairs(v: unknown): Record<string, string> | undefined {
  if (v === undefined) return undefined;
  const list = Array.isArray(v) ? v : [v];
  return Object.fromEntries(
    list.map((s) => {
      const text = String(s);
      const eq = text.indexOf("=");
      return [text.slice(0, eq), text.slice(eq + 1)];
    }),
  );
}

function writeIfChanged(file: string, text: string): void {
  if (!existsSync(file) || readFileSync(file, "utf8") !== text) writeFileSync(file, text);
}
