import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { esbuildFunction, typescriptOnlyHandler } from "./esbuild-function.ts";

function sources(): { src: string; out: string } {
  const dir = mkdtempSync(join(tmpdir(), "lambda-sim-esbuild-"));
  mkdirSync(join(dir, "src"));
  writeFileSync(join(dir, "src", "app.ts"), "export const handler = async (): Promise<number> => 1;\n");
  return { src: join(dir, "src"), out: join(dir, "build") };
}

describe("esbuildFunction", () => {
  it("bundles the handler's file with SAM's defaults (cjs, minified) when no EntryPoints are given", async () => {
    const { src, out } = sources();
    await esbuildFunction("Resources.Fn", src, "app.handler", undefined, out);
    const js = readFileSync(join(out, "app.js"), "utf8");
    expect(js).toContain("module.exports");
    expect(js.split("\n").length).toBeLessThanOrEqual(2);
  });

  it("rewrites nothing when the sources did not change, and rebuilds when they did", async () => {
    const { src, out } = sources();
    const props = { Format: "esm", OutExtension: [".js=.mjs"], Minify: false };
    await esbuildFunction("Resources.Fn", src, "app.handler", props, out);
    const first = statSync(join(out, "app.mjs")).mtimeMs;
    await esbuildFunction("Resources.Fn", src, "app.handler", props, out);
    expect(statSync(join(out, "app.mjs")).mtimeMs).toBe(first);
    writeFileSync(join(src, "app.ts"), "export const handler = async (): Promise<number> => 2;\n");
    await esbuildFunction("Resources.Fn", src, "app.handler", props, out);
    expect(readFileSync(join(out, "app.mjs"), "utf8")).toMatch(/export\s*\{/);
    expect(readFileSync(join(out, "app.mjs"), "utf8")).toContain("2");
  });

  it("names the missing entry point", async () => {
    const { src, out } = sources();
    await expect(esbuildFunction("Resources.Fn", src, "main.handler", undefined, out)).rejects.toThrow(/no entry point: neither EntryPoints nor a file for handler main\.handler/);
  });

  it("finds a handler that names TypeScript with no JavaScript beside it", () => {
    const { src } = sources();
    expect(typescriptOnlyHandler(src, "app.handler")).toBe("app.ts");
    expect(typescriptOnlyHandler(src, "other.handler")).toBeUndefined();
    writeFileSync(join(src, "app.mjs"), "export const handler = async () => 1;\n");
    expect(typescriptOnlyHandler(src, "app.handler")).toBeUndefined();
  });
});
