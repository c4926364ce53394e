import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CLI } from "./support/lambda-sim-process.ts";

/**
 * `lambda-sim start` with no flag in a folder holding both a lambda-sim.yaml and a template.yaml
 * (newuser9 P2-5): the template is never dropped without a word. A lambda-sim.yaml with no
 * functions of its own is the template's overlay, as `--template template.yaml` reads it; one
 * with functions is read alone, and the banner says the template is not read and how to read it.
 * With no lambda-sim.yaml, the template is read under either of SAM's names.
 */
const TEMPLATE = [
  "Transform: AWS::Serverless-2016-10-31",
  "Resources:",
  "  WorkerFunction:",
  "    Type: AWS::Serverless::Function",
  "    Properties: { Runtime: nodejs24.x, Handler: index.handler, InlineCode: 'exports.handler = async () => 1;' }",
  "",
].join("\n");

const started: ChildProcess[] = [];
afterEach(() => {
  for (const c of started.splice(0)) c.kill("SIGKILL");
});

/** `lambda-sim start --port 0 --in-memory` run in `cwd`, as a user types it there; resolves with its banner. */
function startIn(cwd: string): Promise<string> {
  const child = spawn(process.execPath, [CLI, "start", "--port", "0", "--in-memory"], { cwd, stdio: ["ignore", "pipe", "pipe"] });
  started.push(child);
  let out = "";
  child.stderr.on("data", (b: Buffer) => (out += b));
  return new Promise((resolve, reject) => {
    child.stdout.on("data", (b: Buffer) => {
      out += b;
      // The banner is one write, ending with the AWS tools' line.
      if (/AWS tools: .*\n/.test(out)) resolve(out);
    });
    child.on("exit", (code) => reject(new Error(`lambda-sim exited ${code}: ${out}`)));
  });
}

function folder(nativeYaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), "shop-"));
  writeFileSync(join(dir, "template.yaml"), TEMPLATE);
  writeFileSync(join(dir, "lambda-sim.yaml"), nativeYaml);
  return dir;
}

describe("lambda-sim start beside both a lambda-sim.yaml and a template.yaml", () => {
  it("reads the template with a function-less lambda-sim.yaml as its overlay, and says so", async () => {
    const dir = folder("account: { concurrentExecutions: 20, unreservedConcurrencyMinimum: 10 }\nqueues:\n  extra: {}\n");
    const banner = await startIn(dir);
    expect(banner).toMatch(/functions \(1\): shop-\w+-WorkerFunction-\w+\n/);
    expect(banner).toContain("template.yaml read with lambda-sim.yaml as its overlay (lambda-sim.yaml declares no functions of its own)\n");
  }, 60_000);

  it("reads a lambda-sim.yaml whose function entries only set a template function's settings (no runtime) as the overlay (newuser14 F22)", async () => {
    const dir = folder("functions:\n  WorkerFunction: { sim: { idleLifetimeSeconds: 3600 } }\n");
    const banner = await startIn(dir);
    expect(banner).toMatch(/functions \(1\): shop-\w+-WorkerFunction-\w+\n/);
    expect(banner).toContain("template.yaml read with lambda-sim.yaml as its overlay (lambda-sim.yaml declares no functions of its own)\n");
  }, 60_000);

  it("reads a lambda-sim.yaml with functions of its own alone, with one line saying the template is not read and how to read both", async () => {
    const dir = folder("functions:\n  audit: { runtime: model, model: { durationMs: 5 } }\n");
    const banner = await startIn(dir);
    expect(banner).toContain("functions (1): audit\n");
    expect(banner).toContain("template.yaml here is not read: lambda-sim.yaml declares functions of its own (`lambda-sim start --template template.yaml` reads both, lambda-sim.yaml as the template's overlay)\n");
  }, 60_000);

  it("refuses timeScale and clock in the lambda-sim.yaml, saying they are start flags", async () => {
    const dir = folder("timeScale: 10\nclock: virtual\naccount: { concurrentExecutions: 20 }\n");
    await expect(startIn(dir)).rejects.toThrow(
      [
        `lambda-sim exited 1: lambda-sim: ${join(dir, "lambda-sim.yaml")}:1 timeScale: unknown key: a start flag, not a file setting (lambda-sim start --time-scale N)`,
        `${join(dir, "lambda-sim.yaml")}:2 clock: unknown key: a start flag, not a file setting (lambda-sim start --clock system|virtual)`,
      ].join("\n"),
    );
  }, 60_000);
});

describe("lambda-sim start in a folder with a template and no lambda-sim.yaml", () => {
  it("reads a template.yml (SAM's other name)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "shop-"));
    writeFileSync(join(dir, "template.yml"), TEMPLATE);
    const banner = await startIn(dir);
    expect(banner).toMatch(/functions \(1\): shop-\w+-WorkerFunction-\w+\n/);
    expect(banner).toMatch(/WorkerFunction +function shop-\w+-WorkerFunction-\w+ \(nodejs24\.x, index\.handler\)/);
  }, 60_000);
});
