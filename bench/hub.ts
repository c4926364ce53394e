// bench/hub: what the simulator's event hub (/_sim/events) spends on its watchers (issue 15), per
// invocation, beside the same hub with nobody connected, in the same run.
//
//   node bench/hub.ts [--quick]
//
// The events of 3,000 warm invocations of a no-op function are recorded from a real simulator
// (every event, as emitted: admission, busy, start, START, END, REPORT, finish, idle), then
// replayed into a hub of its own, in this process, at 5,000 invocations a second in the hub's own
// turns (250 invocations, then its 50 ms turn: FLUSH_EVERY_MS): with no client, with `lambda-sim tail`'s
// subscription, with the dashboard page's (its busy one: 2 frames a second, summarized), and with
// both. The clients' sinks take the frames and count their characters; the WebSocket's framing and
// the socket writes are not in these figures. CPU time of this process (user + system) per
// invocation, median of the rounds; the replay's own cost (a copy of each event) is in every
// figure, the reference's too.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventHub, FLUSH_EVERY_MS } from "../packages/core/src/telemetry/event-hub.ts";
import type { Telemetry } from "../packages/core/src/telemetry/telemetry.ts";
import type { Clock } from "../packages/core/src/clock/clock.ts";
import { tailSubscription } from "../packages/cli/src/commands/tail.ts";
import { agent, measure, post } from "./http-load.ts";
import { median, startSimulator } from "./support.ts";

const quick = process.argv.includes("--quick");
const ROUNDS = quick ? 3 : 7;
const INVOCATIONS = quick ? 10_000 : 25_000;
const PER_SECOND = 5_000;
/** Invocations between two of the hub's turns. */
const PER_TURN = (PER_SECOND * FLUSH_EVERY_MS) / 1000;

const { WebSocket } = createRequire(import.meta.url)("ws") as typeof import("ws");
const { PAGE_SUBSCRIPTION } = (await import("../packages/cli/src/dashboard/page/model.js" as string)) as { PAGE_SUBSCRIPTION: object };
const { frameInterval } = (await import("../packages/cli/src/dashboard/page/cadence.js" as string)) as { frameInterval: (busy: boolean) => number };

/** Every event of `n` warm invocations, as a real simulator emits them (their seqs left out: the hub gives its own). */
async function record(n: number): Promise<object[]> {
  const dir = mkdtempSync(join(tmpdir(), "lambda-sim-bench-hub-"));
  mkdirSync(join(dir, "noop"));
  writeFileSync(join(dir, "noop", "index.mjs"), "export const handler = async () => ({ ok: true });\n");
  writeFileSync(join(dir, "lambda-sim.yaml"), "functions:\n  noop:\n    runtime: nodejs24.x\n    handler: index.handler\n    codeUri: ./noop\n");
  const sim = await startSimulator([], ["--in-memory", "--config", join(dir, "lambda-sim.yaml")]);
  try {
    const call = () => post(sim.port, "/2015-03-31/functions/noop/invocations");
    await measure(8, 2_000, call); // every environment warm
    const ws = new WebSocket(`ws://127.0.0.1:${sim.port}/_sim/events`);
    const events: object[] = [];
    let finished = 0;
    let allFinished: () => void = () => {};
    const done = new Promise<void>((r) => (allFinished = r));
    ws.on("message", (d) => {
      const f = JSON.parse(String(d)) as { kind: string; events?: ({ seq: number; type: string } & object)[] };
      if (f.kind !== "events") return;
      for (const { seq: _seq, ...e } of f.events!) {
        events.push(e);
        if (e.type === "invocation.finished" && ++finished === n) allFinished();
      }
    });
    await new Promise((r) => ws.once("open", r));
    await measure(8, n, call);
    await done; // the frame with the last finish
    ws.close();
    return events;
  } finally {
    sim.child.kill("SIGTERM");
    agent.destroy();
  }
}

const CLOCK = { now: () => 1_800_000_000_000 } as unknown as Clock;

/** CPU µs per invocation of replaying `events` into a hub with `clients` subscribed. */
async function replay(events: object[], perInvocation: number, clients: object[]): Promise<{ us: number; chars: number }> {
  let emit: (e: object) => void = () => {};
  const hub = new EventHub({ subscribe: (f: (e: object) => void) => void (emit = f) } as unknown as Telemetry, CLOCK);
  let chars = 0;
  for (const s of clients) hub.connect({ send: (t, written) => ((chars += t.length), written()), bufferedBytes: () => 0 }).subscribe(s);
  const c0 = process.cpuUsage();
  let k = 0;
  for (let done = 0; done < INVOCATIONS; done += PER_TURN) {
    for (let i = 0; i < PER_TURN * perInvocation; i++) emit({ ...events[k++ % events.length]! });
    await new Promise((r) => setTimeout(r, FLUSH_EVERY_MS)); // the hub's turn
  }
  const c = process.cpuUsage(c0);
  return { us: (c.user + c.system) / INVOCATIONS, chars: chars / INVOCATIONS };
}

const events = await record(3_000);
const invocations = events.filter((e) => (e as { type: string }).type === "invocation.finished").length;
const perInvocation = events.length / invocations;
const tail = tailSubscription({});
const page = { ...PAGE_SUBSCRIPTION, intervalMs: frameInterval(true) };
const kinds: [string, object[]][] = [["nobody connected (reference)", []], ["lambda-sim tail", [tail]], ["the dashboard page", [page]], ["the page + tail", [page, tail]]];
const results = new Map<string, { us: number[]; chars: number }>();
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, clients] of round % 2 === 0 ? kinds : kinds.toReversed()) {
    const r = await replay(events, perInvocation, clients);
    const entry = results.get(name) ?? { us: [], chars: r.chars };
    entry.us.push(r.us);
    results.set(name, entry);
  }
}
console.log(`node ${process.version}, ${invocations} recorded invocations (${perInvocation.toFixed(1)} events each) replayed ${INVOCATIONS} times, ${PER_SECOND.toLocaleString("en-US")} a second, median of ${ROUNDS} rounds${quick ? " (quick)" : ""}\n`);
console.log("hub clients                    | CPU µs per invocation | added by watching | characters sent per invocation");
const none = median(results.get(kinds[0]![0])!.us);
for (const [name] of kinds) {
  const r = results.get(name)!;
  const us = median(r.us);
  console.log(`${name.padEnd(30)} | ${us.toFixed(2).padStart(21)} | ${name === kinds[0]![0] ? "".padStart(17) : (us - none).toFixed(2).padStart(17)} | ${r.chars.toFixed(0).padStart(6)}`);
}
