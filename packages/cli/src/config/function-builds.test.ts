import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "./load-config.ts";

/** A project with a TypeScript handler in hello/ (importing from hello/lib/) and `config` as lambda-sim.yaml. */
function project(config: string): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), "lambda-sim-build-test-"));
  mkdirSync(join(dir, "hello", "lib"), { recursive: true });
  writeFileSync(join(dir, "hello", "lib", "greet.ts"), "export const greet = (name: string): string => `Hello, ${name}`;\n");
  writeFileSync(join(dir, "hello", "app.ts"), 'import { greet } from "./lib/greet";\ninterface Event { name: string }\nexport const handler = async (event: Event) => ({ message: greet(event.name) });\n');
  const file = join(dir, "lambda-sim.yaml");
  writeFileSync(file, config);
  return { dir, file };
}

const HELLO = "functions:\n  hello:\n    runtime: nodejs24.x\n    handler: app.handler\n    codeUri: ./hello\n";

async function errorOf(file: string): Promise<string> {
  try {
    await loadConfig(file);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("expected the config to be refused");
}

describe("build: esbuild in lambda-sim.yaml", () => {
  it("bundles the handler's TypeScript with SAM's defaults into the build folder, which becomes the function's code", async () => {
    const { dir, file } = project(`${HELLO}    build: esbuild\n`);
    const config = await loadConfig(file, [], {}, { buildRoot: join(dir, ".lambda-sim", "build") });
    const [fn] = config.functions;
    expect(fn!.codeDir).toBe(join(dir, ".lambda-sim", "build", "hello"));
    const js = readFileSync(join(fn!.codeDir, "app.js"), "utf8");
    // cjs, minified, with the import bundled in.
    expect(js).toContain("module.exports");
    expect(js).toContain("Hello, ");
    expect(js.split("\n").length).toBeLessThanOrEqual(2);
  });

  it("takes buildProperties spelled as SAM's BuildProperties", async () => {
    const { file } = project(`${HELLO}    build: esbuild\n    buildProperties:\n      Format: esm\n      OutExtension: [.js=.mjs]\n      Minify: false\n      Target: es2022\n      EntryPoints: [app.ts]\n      Banner: js=// built by lambda-sim\n`);
    const [fn] = (await loadConfig(file)).functions;
    const mjs = readFileSync(join(fn!.codeDir, "app.mjs"), "utf8");
    expect(mjs.startsWith("// built by lambda-sim\n")).toBe(true);
    expect(mjs).toMatch(/export\s*\{/);
    expect(existsSync(join(fn!.codeDir, "app.js"))).toBe(false);
  });

  it("names the source file and line of a build error, and the function", async () => {
    const { dir, file } = project(`${HELLO}    build: esbuild\n`);
    writeFileSync(join(dir, "hello", "lib", "greet.ts"), "// greetings\nexport const greet = (name: string): string => name +;\n");
    expect(await errorOf(file)).toBe(`${join(dir, "hello", "lib", "greet.ts")}:2 functions.hello (esbuild): Unexpected ";"`);
  });

  it("refuses a Node.js handler in a TypeScript file without build: esbuild, saying to add it", async () => {
    const { file } = project(HELLO);
    expect(await errorOf(file)).toBe(`${file}:4 functions.hello.handler: app.handler is in app.ts, TypeScript, which Lambda's Node.js runtimes do not load: add build: esbuild to this function to build it as sam build does`);
  });

  it("refuses buildProperties without build, a build of a Python function, and unknown build properties", async () => {
    const lines = (await errorOf(project(`${HELLO}    buildProperties: { Minify: false }\n  py:\n    runtime: python3.12\n    handler: app.handler\n    codeUri: ./hello\n    build: esbuild\n    buildProperties: { Minify: false, Bundle: true }\n`).file)).split("\n");
    expect(lines).toEqual([
      expect.stringMatching(/:6 functions\.hello\.buildProperties: expected build: esbuild beside buildProperties/),
      expect.stringMatching(/:11 functions\.py\.build: expected no build: esbuild builds Node\.js functions only/),
      expect.stringMatching(/:12 functions\.py\.buildProperties.*Bundle/),
    ]);
  });
});
