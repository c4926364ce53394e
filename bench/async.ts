// bench/async: asynchronous invocation (issue 5), beside the raw SQLite rate measured in the same run.
//
//   node bench/async.ts [--quick] [--simulated]     (--simulated: part 2 only)
//
// (1) 50,000 Invoke calls with InvocationType Event (16 keep-alive callers) against a simulator in
// its own process with a state directory (WAL, synchronous=NORMAL): accepted/s is 202s per second,
// each stored in SQLite before it is answered, while the events already accepted run; completed/s
// is events run by a no-op Node function (real processes) per second, from the first 202 until
// /_sim/state shows no stored event. Floors: the same callers against a bare node:http server in
// its own process answering 202, and one autocommitted INSERT + DELETE per event on raw SQLite.
// Also the accept path alone: the same calls to a function with reserved concurrency 0.
// (2) On the VirtualClock, in this process: 100,000 Event invocations (through the Invoker, not
// HTTP) of a `model` function failing 10% of its invocations, run through all their retries (1 and
// 2 minutes of virtual time apart): wall time and events/s.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Simulator, VirtualClock, type TelemetryEvent } from "@lambda-sim/core";
import { rawSqlite, startSimulator } from "./support.ts";

const quick = process.argv.includes("--quick");
const onlySimulated = process.argv.includes("--simulated");
const HTTP_N = quick ? 10_000 : 50_000;
const SIM_N = quick ? 20_000 : 100_000;
const CALLERS = 16;
const agent = new Agent({ keepAlive: true, maxSockets: CALLERS });

function invokeEvent(port: number, body: Buffer, fn = "noop"): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path: `/2015-03-31/functions/${fn}/invocations`,
        method: "POST",
        agent,
        headers: { "Content-Type": "application/json", "X-Amz-Invocation-Type": "Event", "Content-Length": body.length },
      },
      (res) => {
        res.on("data", () => {});
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** HTTP_N Event invocations from CALLERS keep-alive callers; resolves with the wall ms taken. */
async function callers(port: number, fn = "noop"): Promise<number> {
  let sent = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CALLERS }, async () => {
      while (sent < HTTP_N) {
        const n = sent++;
        const status = await invokeEvent(port, Buffer.from(`{"n":${n}}`), fn);
        if (status !== 202) throw new Error(`Invoke answered ${status}`);
      }
    }),
  );
  return performance.now() - started;
}

const FLOOR_SERVER = `
const s = require("node:http").createServer({ keepAlive: true }, (req, res) => {
  req.on("data", () => {});
  req.on("end", () => { res.writeHead(202, { "Content-Length": 0 }); res.end(); });
});
s.listen(0, "127.0.0.1", () => console.log("port " + s.address().port));
`;

async function httpFloor(): Promise<number> {
  const child = spawn(process.execPath, ["-e", FLOOR_SERVER], { stdio: ["ignore", "pipe", "inherit"] });
  try {
    const port = await new Promise<number>((resolve) => child.stdout!.once("data", (b: Buffer) => resolve(Number(/port (\d+)/.exec(String(b))![1]))));
    return (HTTP_N / (await callers(port))) * 1000;
  } finally {
    child.kill();
  }
}

async function stored(port: number): Promise<number> {
  const state = (await (await fetch(`http://127.0.0.1:${port}/_sim/state`)).json()) as { asyncEvents: number };
  return state.asyncEvents;
}

async function throughHttp(dir: string, extraArgs: string[] = []): Promise<{ accepted: number; completed: number; acceptedAlone: number }> {
  mkdirSync(join(dir, "noop"), { recursive: true });
  writeFileSync(join(dir, "noop", "index.mjs"), "export const handler = async () => null;\n");
  const config = join(dir, "async.yaml");
  // `off` (reserved concurrency 0) runs nothing: each event is stored, given up at once and deleted.
  writeFileSync(config, "functions:\n  noop: { runtime: nodejs24.x, handler: index.handler, codeUri: ./noop }\n  off: { runtime: model, model: { durationMs: 1 }, reservedConcurrency: 0 }\n");
  const state = join(dir, `state${extraArgs.join("")}`);
  const sim = await startSimulator([], ["--state", state, "--config", config, ...extraArgs]);
  try {
    const acceptedAlone = (HTTP_N / (await callers(sim.port, "off"))) * 1000;
    while ((await stored(sim.port)) > 0) await new Promise((r) => setTimeout(r, 20));
    const started = performance.now();
    const acceptedMs = await callers(sim.port);
    while ((await stored(sim.port)) > 0) await new Promise((r) => setTimeout(r, 20));
    const completedMs = performance.now() - started;
    return { accepted: (HTTP_N / acceptedMs) * 1000, completed: (HTTP_N / completedMs) * 1000, acceptedAlone };
  } finally {
    sim.child.kill("SIGTERM");
  }
}

function sqliteFloor(dir: string): number {
  const db = rawSqlite(join(dir, "floor.db"));
  db.exec("CREATE TABLE e (seq INTEGER PRIMARY KEY AUTOINCREMENT, request_id TEXT NOT NULL UNIQUE, function_name TEXT, payload BLOB, enqueued_at INTEGER, next_attempt_at INTEGER)");
  const insert = db.prepare("INSERT INTO e (request_id, function_name, payload, enqueued_at, next_attempt_at) VALUES (?, 'noop', ?, 0, 0)");
  const del = db.prepare("DELETE FROM e WHERE request_id = ?");
  const started = performance.now();
  for (let i = 0; i < HTTP_N; i++) insert.run(`id-${i}`, Buffer.from(`{"n":${i}}`));
  for (let i = 0; i < HTTP_N; i++) del.run(`id-${i}`);
  const rate = (HTTP_N / (performance.now() - started)) * 1000;
  db.close();
  return rate;
}

async function simulated(): Promise<{ wallMs: number; invocations: number; retries: number; failedEvents: number; virtualMs: number }> {
  const clock = new VirtualClock(Date.UTC(2026, 0, 1));
  const sim = await Simulator.start({
    port: 0,
    clock,
    seed: 1,
    functions: [{ functionName: "model", runtime: "model", codeDir: ".", model: { durationMs: { min: 20, max: 200 }, coldStartMs: 100, errorProbability: 0.1, timeoutProbability: 0 } }],
  });
  let invocations = 0;
  let failedEvents = 0;
  let retries = 0;
  sim.telemetry.subscribe((e: TelemetryEvent) => {
    if (e.type === "invocation.finished") invocations++;
    else if (e.type === "async.retry.scheduled") retries++;
    else if (e.type === "async.given-up") failedEvents++;
  });
  try {
    const started = performance.now();
    const payload = Buffer.from('{"bench":true}');
    // Invoked 1,000 at a time, as concurrent callers would: accepted events share a group commit.
    for (let i = 0; i < SIM_N; i += 1_000) {
      await Promise.all(Array.from({ length: 1_000 }, () => sim.invoker.invoke({ functionName: "model", payload, invocationType: "Event" })));
    }
    await clock.runUntilIdle({ maxTimers: 10_000_000, maxAdvanceMs: Number.POSITIVE_INFINITY });
    await sim.invoker.asyncQueue.onIdle();
    // The last completions' deletes are group-committed after the queue goes idle.
    await sim.invoker.asyncQueue.committed();
    const wallMs = performance.now() - started;
    if (sim.invoker.asyncQueue.stored() !== 0) throw new Error(`${sim.invoker.asyncQueue.stored()} events left`);
    return { wallMs, invocations, retries, failedEvents, virtualMs: clock.now() - Date.UTC(2026, 0, 1) };
  } finally {
    await sim.close();
  }
}

/**
 * The floor of (2): the VirtualClock firing as many bare timers as the run fires (one per model
 * invocation and one per retry), 32 at a time as the queue's concurrency runs them, each timer
 * re-arming the next one with nothing else to do.
 */
async function timerFloor(timers: number): Promise<number> {
  const clock = new VirtualClock(0);
  let fired = 0;
  const arm = () => {
    clock.setTimer(20 + (fired % 180), () => {
      if (++fired + 32 <= timers) arm();
    });
  };
  for (let i = 0; i < 32; i++) arm();
  const started = performance.now();
  await clock.runUntilIdle({ maxTimers: timers + 64, maxAdvanceMs: Number.POSITIVE_INFINITY });
  return performance.now() - started;
}

async function printSimulated(s: Awaited<ReturnType<typeof simulated>>): Promise<void> {
  const timers = s.invocations + s.retries;
  const floorMs = await timerFloor(timers);
  console.log(
    `VirtualClock, ${SIM_N} events of a model function failing 10% of invocations, all retries: ${(s.wallMs / 1000).toFixed(2)} s wall ` +
      `(goal < 10 s), ${((SIM_N / s.wallMs) * 1000).toFixed(0)} events/s; ${s.invocations} invocations, ${s.retries} retries, ${s.failedEvents} events gave up, ${(s.virtualMs / 60_000).toFixed(1)} virtual minutes`,
  );
  console.log(`VirtualClock alone, ${timers} bare timers (one per invocation and retry): ${(floorMs / 1000).toFixed(2)} s   (floor; ratio ${(s.wallMs / floorMs).toFixed(1)}x)`);
}

const dir = mkdtempSync(join(tmpdir(), "lambda-sim-bench-async-"));
try {
  if (onlySimulated) {
    await printSimulated(await simulated());
    process.exit(0);
  }
  const http = await throughHttp(dir);
  const http8 = await throughHttp(dir, ["--async-concurrency", "8"]);
  const floor = sqliteFloor(dir);
  const bare = await httpFloor();
  const s = await simulated();
  console.log(`node ${process.version}: ${HTTP_N} Event invocations, ${CALLERS} callers, durable state directory`);
  console.log(`accepted (202, stored in SQLite first): ${http.accepted.toFixed(0)} events/s   (goal ≥ 5,000, issue 16), while the accepted events run`);
  console.log(`accepted, nothing running:              ${http.acceptedAlone.toFixed(0)} events/s   (a function with reserved concurrency 0)`);
  console.log(`bare node:http answering 202:           ${bare.toFixed(0)} requests/s   (floor; ratio ${(bare / http.accepted).toFixed(1)}x)`);
  console.log(`raw SQLite insert + delete per event:   ${floor.toFixed(0)} events/s   (floor; ratio ${(floor / http.accepted).toFixed(1)}x)`);
  console.log(`completed by a no-op Node function:     ${http.completed.toFixed(0)} events/s`);
  console.log(`with --async-concurrency 8:             ${http8.accepted.toFixed(0)} accepted/s, ${http8.completed.toFixed(0)} completed/s`);
  await printSimulated(s);
} finally {
  agent.destroy();
  rmSync(dir, { recursive: true, force: true });
}
