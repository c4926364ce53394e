import { readFileSync } from "node:fs";
import express from "express";
import { WebSocketServer } from "ws";
import { EVENTS_PATH, LAMBDA_PRICES_US_EAST_1, SimError, SystemClock, type CostView, type HubFrame, type SequencedEvent } from "@lambda-sim/core";
import { dashboardRouter } from "../dashboard/mount-dashboard.ts";
import { TRACE_VIEWS } from "../scenario/observations.ts";

// node:http's CommonJS exports, not an ES import: see builtin-imports.test.ts (undici stays unloaded).
const { createServer } = process.getBuiltinModule("node:http");

export interface UiOptions {
  trace: string;
  port: number;
  speed: number;
}

/** Our choice: a quiet stretch of the trace longer than this (a virtual-clock jump) plays in this long. */
const MAX_GAP_MS = 1000;

/**
 * `lambda-sim ui --trace FILE`: the dashboard without a simulator, playing back a trace (JSON lines
 * of telemetry events, as `lambda-sim run --trace` writes them). Each page that connects watches it
 * from the start, at the recorded pace times --speed, long quiet stretches shortened.
 */
export async function uiCommand(opts: UiOptions): Promise<void> {
  const events = readTrace(opts.trace);
  const app = express();
  app.use(dashboardRouter());
  const server = createServer(app);
  const wss = new WebSocketServer({ server, path: EVENTS_PATH });
  // ws passes the server's errors on to wss, where none would be handled: a port in use is said below, once (newuser15b).
  wss.on("error", () => {});
  const clock = new SystemClock();
  wss.on("connection", (ws) => {
    const abort = new AbortController();
    ws.on("close", () => abort.abort());
    void play(events, opts.speed, clock, abort.signal, (frame) => ws.send(JSON.stringify(frame)));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (e: NodeJS.ErrnoException) => reject(e.code === "EADDRINUSE" ? new SimError("ERR_PORT_IN_USE", `port ${opts.port} is already in use (choose one with --port)`) : e));
    server.listen(opts.port, "127.0.0.1", resolve);
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : opts.port;
  process.stdout.write(`lambda-sim ui: playing back ${events.length} events from ${opts.trace}\n  dashboard: http://127.0.0.1:${port}/_sim/ui\n`);
  const stop = () => {
    for (const c of wss.clients) c.terminate();
    server.close();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

export function readTrace(file: string): SequencedEvent[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new SimError("ERR_CONFIG", `--trace ${file}: ${(e as Error).message}`);
  }
  const events: SequencedEvent[] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    let e: SequencedEvent;
    try {
      e = JSON.parse(line) as SequencedEvent;
    } catch {
      throw new SimError("ERR_CONFIG", `${file}:${i + 1}: not a JSON line`);
    }
    if (typeof e.type !== "string" || typeof e.time !== "number") throw new SimError("ERR_CONFIG", `${file}:${i + 1}: expected a telemetry event with "type" and "time"`);
    events.push({ ...e, seq: events.length + 1 });
  });
  return events;
}

/** An empty snapshot at the trace's first instant, then the events in batches as their time comes. */
async function play(events: SequencedEvent[], speed: number, clock: SystemClock, signal: AbortSignal, send: (f: HubFrame) => void): Promise<void> {
  const start = events[0]?.time ?? 0;
  // Nothing spent yet, at AWS's prices: the page adds up each invocation.finished from there, at
  // the memory the trace's views line gives each function.
  const cost: CostView = { prices: LAMBDA_PRICES_US_EAST_1, functions: {}, total: 0 };
  // The `clock` view says a playback, at what speed, and when it has ended: the page's header shows
  // it (never "live"), and the page asks no /_sim/clock (this server has none).
  const clockView = (ended: boolean) => ({ clock: "playback", speed, ended });
  send({ kind: "snapshot", seq: 0, time: start, views: { time: start, playback: true, cost, clock: clockView(events.length === 0) }, recent: [] });
  let i = 0;
  while (i < events.length && !signal.aborted) {
    const at = events[i]!.time;
    const batch: SequencedEvent[] = [];
    while (i < events.length && events[i]!.time <= at) {
      const e = events[i++]!;
      // What the simulator's views frames would have said (functions' memory, reserved concurrency;
      // the queues as they changed, which the page draws over time at the frame's `time`).
      if ((e.type as string) === TRACE_VIEWS) send({ kind: "views", seq: e.seq, time: e.time, views: { time: e.time, ...settingsOnly((e as unknown as { views: Record<string, unknown> }).views), playback: true } });
      else batch.push(e);
    }
    if (batch.length > 0) send({ kind: "events", events: batch });
    if (i < events.length) await clock.sleep(Math.min(MAX_GAP_MS, (events[i]!.time - at) / speed), signal).catch(() => {});
  }
  const last = events.at(-1);
  if (last !== undefined && !signal.aborted) send({ kind: "views", seq: last.seq, time: last.time, views: { playback: true, clock: clockView(true) } });
}

/**
 * A trace's views line without the gauges it caught at that instant: concurrency in use
 * (`inFlight`, of each function and of the account) was 0 when the scenario started, and the page
 * would show that 0 all through the playback instead of counting the busy environments the events
 * show it (newuser15b F6).
 */
function settingsOnly(views: Record<string, unknown>): Record<string, unknown> {
  const out = { ...views };
  if (Array.isArray(out.functions)) out.functions = out.functions.map((f: Record<string, unknown>) => withoutInFlight(f));
  if (typeof out.account === "object" && out.account !== null) out.account = withoutInFlight(out.account as Record<string, unknown>);
  return out;
}

function withoutInFlight(o: Record<string, unknown>): Record<string, unknown> {
  const { inFlight: _gauge, ...rest } = o;
  return rest;
}
