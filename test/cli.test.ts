import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { CLI, runCli } from "./support/lambda-sim-process.ts";
import { boto3Title, HAS_BOTO3 } from "./support/python.ts";

const run = (args: string[]) => runCli(args);
const EXAMPLE = fileURLToPath(new URL("../examples/lambda-sim.yaml", import.meta.url));
const children: ChildProcess[] = [];

afterEach(() => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
});

/** Starts `lambda-sim start` and resolves with its port once it prints its endpoint. */
function start(args: string[]): Promise<{ child: ChildProcess; port: number; output: () => string }> {
  const child = spawn(process.execPath, [CLI, "start", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let out = "";
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (b: Buffer) => {
      out += b;
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve({ child, port: Number(m[1]), output: () => out });
    });
    child.stderr!.on("data", (b: Buffer) => (out += b));
    child.on("exit", (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
}

describe("lambda-sim CLI", () => {
  it("prints help with its commands", async () => {
    const r = await run(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("start");
    expect(r.stdout).toContain("invoke");
  });

  it("serves the bundled example, answers health, invokes, and stops cleanly on SIGTERM", async () => {
    const s = await start(["--config", EXAMPLE, "--in-memory", "--port", "0"]);
    expect(s.output()).toContain("functions (5): hello, process-order, record-clicks, send-receipt, status-report");
    const health = await fetch(`http://127.0.0.1:${s.port}/_sim/health`);
    expect(health.status).toBe(200);
    const r = await run(["invoke", "hello", "--payload", '{"name":"Ada"}', "--endpoint", `http://127.0.0.1:${s.port}`]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ message: "Hello, Ada!", coldStart: true });
    const exited = new Promise<number | null>((resolve) => s.child.on("exit", (code) => resolve(code)));
    s.child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });

  it.skipIf(!HAS_BOTO3)(boto3Title("invokes the bundled example's Python function: status-report reads its queues with boto3 and no configuration"), async () => {
    const s = await start(["--config", EXAMPLE, "--in-memory", "--port", "0"]);
    const r = await run(["invoke", "status-report", "--endpoint", `http://127.0.0.1:${s.port}`]);
    expect(r.code, r.stderr).toBe(0);
    const body = JSON.parse(r.stdout);
    expect(Object.keys(body.queues)).toEqual(["orders", "orders-dlq", "receipts-failed"]);
    expect(body.queues.orders).toEqual({ waiting: expect.any(Number), inFlight: expect.any(Number) });
    // Its 10-second timeout, less the time it ran.
    expect(body.remainingMs).toBeGreaterThan(0);
    expect(body.remainingMs).toBeLessThanOrEqual(10_000);
  });

  it("explains an invalid config in one line naming file, line, key path and expectation", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lambda-sim-cli-"));
    const file = join(dir, "lambda-sim.yaml");
    writeFileSync(file, "functions:\n  f:\n    runtime: nodejs24.x\n    handler: index.handler\n    codeUri: .\n    memorySize: 64\n");
    const r = await run(["start", "--config", file, "--in-memory", "--port", "0"]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(new RegExp(`^lambda-sim: ${file}:6 functions\\.f\\.memorySize: expected .*128.*got 64$`));
  });

  it("names a missing code directory", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lambda-sim-cli-"));
    const file = join(dir, "lambda-sim.yaml");
    writeFileSync(file, "functions:\n  f:\n    runtime: nodejs24.x\n    handler: index.handler\n    codeUri: ./missing\n");
    const r = await run(["start", "--config", file, "--in-memory", "--port", "0"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("directory not found");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("refuses a port in use with one line", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", () => resolve()));
    const port = (blocker.address() as { port: number }).port;
    const r = await run(["start", "--in-memory", "--port", String(port)]);
    blocker.close();
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`lambda-sim: port ${port} on 127.0.0.1 is already in use (another lambda-sim? choose one with --port)`);
  });

  it("refuses a non-loopback host", async () => {
    const r = await run(["start", "--in-memory", "--port", "0", "--host", "0.0.0.0"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^lambda-sim: refusing to listen on 0\.0\.0\.0/);
  });

  it("says when no simulator is running", async () => {
    const r = await run(["invoke", "hello", "--endpoint", "http://127.0.0.1:1"]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe("lambda-sim: no simulator running at http://127.0.0.1:1 (start one with `lambda-sim start`, or pass --endpoint)");
  });
});
