import { WebSocket } from "ws";
import type { HubFrame, SequencedEvent } from "@lambda-sim/core";
import { type TestSimulator } from "@lambda-sim/core/testing";
import { perTestSimulator } from "./support/per-test-simulator.ts";
import { describe, expect, it } from "vitest";
import { until } from "./support/until.ts";

/**
 * `/_sim/events` over a real WebSocket: a client joining under load gets a snapshot the stream
 * continues exactly (numbered events, no gap, no duplicate), and ends up agreeing with the
 * simulator; a client that stops reading costs the server a bounded buffer and is told what it missed.
 */
let t: TestSimulator | undefined;
/** Started by each test, closed after it. */
const sims = perTestSimulator();

interface Client {
  ws: WebSocket;
  frames: HubFrame[];
  bytes: number;
}

function connect(endpoint: string): Promise<Client> {
  const ws = new WebSocket(`${endpoint.replace("http", "ws")}/_sim/events`);
  const c: Client = { ws, frames: [], bytes: 0 };
  ws.on("message", (data) => {
    c.bytes += (data as Buffer).length;
    c.frames.push(JSON.parse(String(data)) as HubFrame);
  });
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve(c));
    ws.once("error", reject);
  });
}

/** Environments as the dashboard rebuilds them: the snapshot's, then each state change. */
function environments(frames: HubFrame[]): { states: Map<string, string>; gaps: string[] } {
  const states = new Map<string, string>();
  const gaps: string[] = [];
  let seq = 0;
  for (const f of frames) {
    if (f.kind === "snapshot") {
      seq = f.seq;
      states.clear();
      for (const e of f.views.environments as { id: string; state: string }[]) states.set(e.id, e.state);
    } else if (f.kind === "events") {
      for (const e of f.events as SequencedEvent[]) {
        if (e.seq !== seq + 1) gaps.push(`${seq} -> ${e.seq}`);
        seq = e.seq;
        if (e.type === "environment.state-changed") {
          if (e.to === "retired") states.delete(e.environmentId);
          else states.set(e.environmentId, e.to);
        }
      }
    }
  }
  return { states, gaps };
}

const model = (name: string) => ({ functionName: name, runtime: "model", handler: "x", codeDir: process.cwd(), memorySize: 256, timeout: 3, model: { durationMs: { min: 1, max: 20 }, coldStartMs: 5, errorProbability: 0.1, timeoutProbability: 0 } });

describe("/_sim/events", () => {
  it("gives clients joining under load a snapshot the stream continues without gap or duplicate", { timeout: 60_000 }, async () => {
    t = await sims.start({ functions: [model("a"), model("b")] });
    const sim = t.sim;
    const early = await connect(t.endpoint);
    const late: Client[] = [];
    const load = (async () => {
      for (let round = 0; round < 40; round++) {
        await Promise.all(Array.from({ length: 30 }, (_, i) => sim.invoker.invoke({ functionName: i % 2 ? "a" : "b", payload: Buffer.from("{}"), invocationType: "RequestResponse" })));
        if (round % 10 === 5) late.push(await connect(t!.endpoint));
      }
    })();
    await load;
    const last = sim.hub.lastSeq;
    await until(() => [early, ...late].every((c) => environments(c.frames).gaps.length > 0 || lastSeqOf(c) >= last));
    const truth = new Map(sim.invoker.environments().map((e) => [e.id, e.state]));
    expect(late).toHaveLength(4);
    for (const c of [early, ...late]) {
      const seen = environments(c.frames);
      expect(seen.gaps).toEqual([]);
      expect(seen.states).toEqual(truth);
      c.ws.close();
    }
  });

  it("drops events for a client that stops reading, keeps the server's buffer bounded, and says so", { timeout: 60_000 }, async () => {
    t = await sims.start();
    const slow = await connect(t.endpoint);
    await until(() => slow.frames.length > 0);
    // The client stops reading: the kernel's buffers fill, then the server's. (ws resumes its socket
    // when its parser drains, which undid a bare pause() on a fast machine: held until the test resumes it.)
    const socket = (slow.ws as unknown as { _socket: { pause(): void; resume(): unknown } })._socket;
    const resume = socket.resume.bind(socket);
    socket.resume = () => socket;
    socket.pause();
    const message = "x".repeat(400);
    let emitted = 0;
    // ~180 MB: well past what the socket buffers take on a machine with large ones (tcp_rmem up to 32 MB: 80 MB got through here).
    for (let turn = 0; turn < 400; turn++) {
      for (let i = 0; i < 1000; i++) t.sim.telemetry.emit({ type: "simulator.warning", message });
      emitted += 1000;
      await new Promise((r) => setImmediate(r));
    }
    // The server held at most its limit for this client.
    socket.resume = resume;
    socket.resume();
    await until(() => slow.frames.some((f) => f.kind === "dropped"), 30_000);
    const dropped = slow.frames.find((f) => f.kind === "dropped") as Extract<HubFrame, { kind: "dropped" }>;
    // Said in one notice or, as the buffers drain and fill again, in several (how much the kernel's
    // socket buffers take first varies from run to run).
    const allDropped = () => slow.frames.filter((f) => f.kind === "dropped").reduce((n, f) => n + (f as Extract<HubFrame, { kind: "dropped" }>).count, 0);
    const delivered = () => slow.frames.reduce((n, f) => n + (f.kind === "events" ? f.events.filter((e) => e.type === "simulator.warning" && e.message === message).length : 0), 0);
    // After the notice a fresh snapshot, then the stream again.
    const i = slow.frames.indexOf(dropped);
    await until(() => slow.frames.length > i + 1);
    expect(slow.frames[i + 1]!.kind).toBe("snapshot");
    // The next event reaches it: streamed, or in the snapshot of the resynchronisation it sets off
    // (a client that read down after its last write is resumed at the next event).
    t.sim.telemetry.emit({ type: "simulator.warning", message: "after" });
    const isAfter = (e: { type: string; message?: string }) => e.type === "simulator.warning" && e.message === "after";
    await until(() => slow.frames.some((f) => (f.kind === "events" && f.events.some(isAfter)) || (f.kind === "snapshot" && f.recent.some(isAfter))));
    // Most were dropped and said so (the rest were sent, or stood for by a resynchronising snapshot).
    expect(delivered()).toBeLessThan(emitted);
    expect(allDropped()).toBeGreaterThan(emitted / 4);
    expect(slow.bytes).toBeLessThan(emitted * 450 * 0.75);
    slow.ws.close();
  });

  it("sends a subscribed client only the kinds and functions it asked for, without previews, which GET /_sim/invocations/:id answers", { timeout: 60_000 }, async () => {
    t = await sims.start({ functions: [model("a"), model("b")] });
    const everything = await connect(t.endpoint);
    const narrow = await connect(t.endpoint);
    await until(() => everything.frames.length > 0 && narrow.frames.length > 0);
    narrow.ws.send(JSON.stringify({ kind: "subscribe", types: ["invocation.started", "invocation.finished"], functions: ["a"], previews: false }));
    // The subscription takes effect once the server has read it: a sample answered after it says so.
    narrow.ws.send('{"kind":"sample"}');
    await until(() => narrow.frames.some((f) => f.kind === "views"));
    const ids: string[] = [];
    for (const fn of ["a", "b", "a"]) {
      const r = await t.sim.invoker.invoke({ functionName: fn, payload: Buffer.from(`{"to":"${fn}"}`), invocationType: "RequestResponse" });
      if (fn === "a" && r.kind === "result") ids.push(r.result.requestId);
    }
    const events = (c: Client) => c.frames.flatMap((f) => (f.kind === "events" ? f.events : []));
    await until(() => events(narrow).filter((e) => e.type === "invocation.finished").length === 2 && events(everything).filter((e) => e.type === "invocation.finished").length === 3);
    expect(new Set(events(narrow).map((e) => e.type))).toEqual(new Set(["invocation.started", "invocation.finished"]));
    expect(new Set(events(narrow).map((e) => (e as { functionName: string }).functionName))).toEqual(new Set(["a"]));
    for (const e of events(narrow)) {
      expect(e).not.toHaveProperty("payload");
      expect(e).not.toHaveProperty("result");
    }
    // Someone who subscribed to nothing still gets everything, previews included.
    expect(events(everything).find((e) => e.type === "invocation.started")).toHaveProperty("payload", '{"to":"a"}');
    // What the narrow client left out, when a person opens the invocation.
    const details = await fetch(`${t.endpoint}/_sim/invocations/${ids[0]}`).then((r) => r.json());
    expect(details).toMatchObject({ requestId: ids[0], functionName: "a", payload: '{"to":"a"}' });
    expect((await fetch(`${t.endpoint}/_sim/invocations/no-such-request`)).status).toBe(404);
    // A malformed subscription is refused, and changes nothing.
    narrow.ws.send(JSON.stringify({ kind: "subscribe", types: "all" }));
    await until(() => narrow.frames.some((f) => f.kind === "error"));
    everything.ws.close();
    narrow.ws.close();
  });
});

function lastSeqOf(c: Client): number {
  let seq = 0;
  for (const f of c.frames) {
    if (f.kind === "snapshot") seq = f.seq;
    else if (f.kind === "events") seq = f.events[f.events.length - 1]!.seq;
  }
  return seq;
}
