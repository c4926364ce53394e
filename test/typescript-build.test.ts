import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { startLambdaSim } from "./support/lambda-sim-process.ts";

/** A TypeScript function in lambda-sim.yaml, started and invoked as a user would. */
function project(build: string): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), "lambda-sim-ts-build-"));
  mkdirSync(join(dir, "hello", "lib"), { recursive: true });
  writeFileSync(join(dir, "hello", "lib", "greet.ts"), "export const greet = (name: string): string => `Hello, ${name}`;\n");
  writeFileSync(join(dir, "hello", "app.ts"), 'import { greet } from "./lib/greet";\ninterface Event { name: string }\nexport const handler = async (event: Event) => ({ message: greet(event.name) });\n');
  const file = join(dir, "lambda-sim.yaml");
  writeFileSync(file, `functions:\n  hello:\n    runtime: nodejs24.x\n    handler: app.handler\n    codeUri: ./hello\n${build}`);
  return { dir, file };
}

describe("build: esbuild in lambda-sim.yaml", () => {
  it("runs a TypeScript handler built at start into the state directory", async () => {
    const { dir, file } = project("    build: esbuild\n    buildProperties: { Format: esm, OutExtension: [.js=.mjs], Target: node22 }\n");
    const sim = await startLambdaSim(["--config", file, "--state", join(dir, ".lambda-sim")]);
    const lambda = new LambdaClient({ endpoint: sim.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
    try {
      const out = await lambda.send(new InvokeCommand({ FunctionName: "hello", Payload: '{"name":"Ada"}' }));
      expect(JSON.parse(Buffer.from(out.Payload!).toString())).toEqual({ message: "Hello, Ada" });
      expect(existsSync(join(dir, ".lambda-sim", "build", "hello", "app.mjs"))).toBe(true);
    } finally {
      lambda.destroy();
      await sim.kill();
    }
  }, 30_000);

  it("refuses a .ts handler without build:, saying to add it", async () => {
    const { file } = project("");
    await expect(startLambdaSim(["--config", file, "--in-memory"])).rejects.toThrow(`${file}:4 functions.hello.handler: app.handler is in app.ts, TypeScript, which Lambda's Node.js runtimes do not load: add build: esbuild`);
  });
});
