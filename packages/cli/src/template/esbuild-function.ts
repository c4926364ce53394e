import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import type { BuildOptions, Message } from "esbuild";
import { TemplateError, type TemplatePath } from "./intrinsics.ts";

type Props = Record<string, unknown>;

/** A build error as the config errors read: `<file>:<line> <what>: <message>`, one per line. */
export class BuildError extends Error {
  readonly lines: string[];
  constructor(lines: string[]) {
    super(lines.join("\n"));
    this.lines = lines;
  }
}

/**
 * `Metadata: { BuildMethod: esbuild, BuildProperties }` built as `sam build` builds it: esbuild
 * bundles the entry points (default: the handler's file) for Node.js, with SAM's defaults (format
 * cjs, target es2020, minified, no source map), into a build folder that becomes the function's
 * code. It runs at every start, so edited sources are rebuilt on restart; files whose content did
 * not change are not rewritten, so an unchanged function keeps its CodeSha256 (and warm
 * environments, and the version AutoPublishAlias published).
 */
export async function esbuildFunction(logicalId: string, sourceDir: string, handler: unknown, buildProperties: unknown, outDir: string, path: TemplatePath): Promise<string> {
  const p = (buildProperties ?? {}) as Props;
  const entryPoints = Array.isArray(p.EntryPoints) ? p.EntryPoints.map((e) => join(sourceDir, String(e))) : [handlerEntry(sourceDir, handler, path)];
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
    if (errors === undefined) throw new TemplateError(path, `esbuild failed: ${(e as Error).message}`);
    throw new BuildError(errors.map((m) => `${m.location === null ? sourceDir : join(process.cwd(), m.location.file)}:${m.location?.line ?? ""} Resources.${logicalId} (esbuild): ${m.text}`));
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
function handlerEntry(sourceDir: string, handler: unknown, path: TemplatePath): string {
  const h = String(handler ?? "");
  const base = h.slice(0, h.lastIndexOf("."));
  for (const ext of [".ts", ".mts", ".cts", ".js", ".mjs", ".cjs"]) {
    const file = join(sourceDir, base + ext);
    if (existsSync(file)) return file;
  }
  throw new TemplateError([...path.slice(0, 2), "Metadata", "BuildProperties", "EntryPoints"], `no entry point: neither EntryPoints nor a file for handler ${h} (${relative(process.cwd(), join(sourceDir, base))}.ts) was found`);
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
