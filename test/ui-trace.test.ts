import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { WebSocket } from "ws";
import type { HubFrame } from "@lambda-sim/core";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "./support/lambda-sim-process.ts";
import { until } from "./support/until.ts";

/** `lambda-sim ui --trace FILE`: the dashboard playing back telemetry JSON lines (`lambda-sim run --trace`). */
const CLI = fileURLToPath(new URL("../packages/cli/bin/lambda-sim.js", import.meta.url));
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
});

function ui(args: string[]) {
  const child = spawn(process.execPath, [CLI, "ui", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let out = "";
  child.stdout.on("data", (b: Buffer) => (out += b));
  child.stderr.on("data", (b: Buffer) => (out += b));
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { out: () => out, exit };
}

describe("lambda-sim ui --trace", () => {
  it("serves the dashboard and plays the trace back in order after an empty snapshot", { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "lambda-sim-trace-"));
    const t0 = Date.UTC(2027, 0, 1);
    const events = [
      { type: "environment.state-changed", environmentId: "e1", functionName: "orders", version: "$LATEST", from: "none", to: "initializing", time: t0 },
      { type: "invocation.throttled", functionName: "orders", qualifier: "$LATEST", reason: "ReservedFunctionConcurrentInvocationLimitExceeded", time: t0 + 5 },
      // An hour of virtual time later: played without waiting an hour.
      { type: "message.moved-to-dlq", queue: "orders", deadLetterQueue: "orders-dlq", messageId: "m1", receiveCount: 3, maxReceiveCount: 3, reachedFunction: false, time: t0 + 3_600_000 },
    ];
    writeFileSync(join(dir, "trace.jsonl"), events.map((e) => JSON.stringify(e)).join("\n") + "\n");
    const p = ui(["--trace", join(dir, "trace.jsonl"), "--port", "0", "--speed", "10"]);
    await until(() => /dashboard: (http:\S+)/.test(p.out()), 30_000);
    const url = /dashboard: (http:\S+)/.exec(p.out())![1]!;
    expect(p.out()).toContain("playing back 3 events");
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<title>lambda-sim</title>");
    const ws = new WebSocket(url.replace("http", "ws").replace("/_sim/ui", "/_sim/events"));
    const frames: HubFrame[] = [];
    ws.on("message", (d) => frames.push(JSON.parse(String(d)) as HubFrame));
    await until(() => frames.flatMap((f) => (f.kind === "events" ? f.events : [])).length === 3, 30_000);
    expect(frames[0]).toMatchObject({ kind: "snapshot", seq: 0, views: { playback: true, time: t0, clock: { clock: "playback", speed: 10, ended: false } } });
    const played = frames.flatMap((f) => (f.kind === "events" ? f.events : []));
    expect(played.map((e) => [e.seq, e.type])).toEqual([[1, "environment.state-changed"], [2, "invocation.throttled"], [3, "message.moved-to-dlq"]]);
    // Then that it has ended (the page's header says "playback ended"), on a socket left open.
    await until(() => frames.at(-1)?.kind === "views", 10_000);
    expect(frames.at(-1)).toMatchObject({ kind: "views", seq: 3, views: { clock: { clock: "playback", speed: 10, ended: true } } });
    ws.close();
  });

  it("plays a scenario's trace with its functions' settings: memory and reserved concurrency", { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "lambda-sim-trace-"));
    const trace = join(dir, "run.jsonl");
    const scenario = fileURLToPath(new URL("../examples/scenarios/sqs-reserved-concurrency-dlq.yaml", import.meta.url));
    const run = await runCli(["run", scenario, "--trace", trace]);
    expect(run.code, run.stderr).toBe(0);
    const p = ui(["--trace", trace, "--port", "0", "--speed", "100"]);
    await until(() => /dashboard: (http:\S+)/.test(p.out()), 30_000);
    const url = /dashboard: (http:\S+)/.exec(p.out())![1]!;
    const ws = new WebSocket(url.replace("http", "ws").replace("/_sim/ui", "/_sim/events"));
    const frames: HubFrame[] = [];
    ws.on("message", (d) => frames.push(JSON.parse(String(d)) as HubFrame));
    await until(() => frames.some((f) => f.kind === "views"), 30_000);
    const views = frames.find((f) => f.kind === "views")!;
    expect(views).toMatchObject({ views: { playback: true, functions: [{ name: "orders", reservedConcurrency: 2 }] } });
    expect((views.views.functions as { memorySize: number }[])[0]!.memorySize).toBeGreaterThan(0);
    // Not an event: the page's event list never sees it.
    expect(frames.flatMap((f) => (f.kind === "events" ? f.events : [])).some((e) => (e.type as string) === "trace.views")).toBe(false);
    ws.close();
  });

  it("names the line of a trace that is not telemetry", { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "lambda-sim-trace-"));
    writeFileSync(join(dir, "bad.jsonl"), '{"type":"simulator.warning","message":"ok","time":1}\nnot json\n');
    const p = ui(["--trace", join(dir, "bad.jsonl"), "--port", "0"]);
    expect(await p.exit).toBe(1);
    expect(p.out()).toContain("bad.jsonl:2: not a JSON line");
  });

  it("says a port in use as start does, without a stack trace (newuser15b)", { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "lambda-sim-trace-"));
    writeFileSync(join(dir, "t.jsonl"), '{"type":"simulator.warning","message":"ok","time":1}\n');
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, "127.0.0.1", r));
    const port = String((busy.address() as { port: number }).port);
    const p = ui(["--trace", join(dir, "t.jsonl"), "--port", port]);
    expect(await p.exit).toBe(1);
    expect(p.out()).toContain(`port ${port} is already in use (choose one with --port)`);
    expect(p.out()).not.toMatch(/\n\s+at /);
    busy.close();
  });
});
