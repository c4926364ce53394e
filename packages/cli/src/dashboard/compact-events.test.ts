import { describe, expect, it } from "vitest";
import { EventHub, Telemetry, VirtualClock, type HubFrame, type HubSubscription, type SequencedEvent, type TelemetryEventInput } from "@lambda-sim/core";
import { decodeEvent } from "./page/compact-events.js";

const nextTurn = () => new Promise<void>((r) => setImmediate(r));

/** A hub, and a client per subscription that keeps the frames it is sent (texts and parsed). */
function hubWith(subscriptions: HubSubscription[]) {
  const clock = new VirtualClock(1_800_000_000_000);
  const telemetry = new Telemetry(clock);
  const hub = new EventHub(telemetry, clock, 0);
  const clients = subscriptions.map((sub) => {
    const texts: string[] = [];
    hub.connect({ send: (text, written) => (texts.push(text), written()), bufferedBytes: () => 0 }).subscribe(sub);
    return texts;
  });
  return { emit: (e: TelemetryEventInput) => telemetry.emit(e), clients };
}

/** The events a client reads, decoded as the page and `lambda-sim tail` do; and the bytes of its events frames. */
function read(texts: string[]): { events: SequencedEvent[]; bytes: number } {
  let fields: readonly (readonly string[])[] = [];
  const events: SequencedEvent[] = [];
  let bytes = 0;
  for (const t of texts) {
    const f = JSON.parse(t) as HubFrame;
    if (f.kind === "compact") fields = f.fields;
    if (f.kind !== "events") continue;
    bytes += t.length;
    for (const item of f.events) events.push(decodeEvent(item, fields));
  }
  return { events, bytes };
}

const r = "0b9a8a1c-4f8e-4bd2-9d59-a2b5a3c0a3f1";
const env = "5fb3bb343bb79f83c05b970674a3137c";
/** One event of each kind with a compact form, optional fields with and without values, and some without one. */
const EVENTS: TelemetryEventInput[] = [
  { type: "environment.state-changed", environmentId: env, functionName: "fn", version: "$LATEST", from: "none", to: "initializing", provisioned: true },
  { type: "invocation.admitted", functionName: "fn", qualifier: "$LATEST", newEnvironment: true, concurrentExecutions: 2, accountConcurrentExecutions: 3, unreservedConcurrentExecutions: 1 },
  { type: "invocation.started", requestId: r, functionName: "fn", version: "$LATEST", environmentId: env, coldStart: true, payload: '{"a":"é\\n"}' },
  { type: "function.log", functionName: "fn", environmentId: env, requestId: r, text: `START RequestId: ${r} Version: $LATEST\n` },
  { type: "function.log", functionName: "fn", environmentId: env, requestId: undefined, text: "between invocations\ttab \u2028 null\n" },
  { type: "invocation.finished", requestId: r, functionName: "fn", version: "$LATEST", environmentId: env, durationMs: 6.414076000000023, billedDurationMs: 207, initDurationMs: 199.5, maxMemoryUsedMb: 47, status: "error", errorType: "TypeError", result: '{"errorMessage":"x"}' },
  { type: "invocation.finished", requestId: r, functionName: "fn", version: "1", environmentId: env, durationMs: 1, billedDurationMs: 1, maxMemoryUsedMb: 47, status: "success" },
  { type: "environment.state-changed", environmentId: env, functionName: "fn", version: "$LATEST", from: "idle", to: "retired", reason: "idle-timeout" },
  { type: "simulator.warning", message: "no compact form" },
  // A field the compact form does not know (one added to events.ts later, say): sent as an object.
  { type: "function.log", functionName: "fn", environmentId: env, text: "x\n", stream: "stderr" } as TelemetryEventInput,
];

describe("the compact form of /_sim/events (subscribe with compact: true)", () => {
  it("reads, decoded, as the same events as the object form, with or without previews, in fewer bytes", async () => {
    const { emit, clients } = hubWith([{ previews: false }, { previews: false, compact: true }, {}, { compact: true }]);
    for (const e of EVENTS) emit(e);
    await nextTurn();
    const [lean, leanCompact, full, fullCompact] = clients.map(read);
    expect(lean!.events).toHaveLength(EVENTS.length);
    expect(leanCompact!.events).toEqual(lean!.events);
    expect(fullCompact!.events).toEqual(full!.events);
    expect(full!.events[2]).toHaveProperty("payload", '{"a":"é\\n"}');
    expect(lean!.events[2]).not.toHaveProperty("payload");
    expect(leanCompact!.bytes).toBeLessThan(lean!.bytes * 0.8);
  });

  it("tells the client how to read it before the first compact event, and only a client that asked", async () => {
    const { emit, clients } = hubWith([{ compact: true }, { compact: false }]);
    emit(EVENTS[3]!);
    await nextTurn();
    const kinds = (texts: string[]) => texts.map((t) => (JSON.parse(t) as HubFrame).kind);
    expect(kinds(clients[0]!)).toEqual(["snapshot", "compact", "events"]);
    expect(kinds(clients[1]!)).toEqual(["snapshot", "events"]);
    expect(JSON.parse(clients[0]!.at(-1)!)).toMatchObject({ events: [[expect.any(Number), 1, 1_800_000_000_000, "fn", env, r, EVENTS[3]!.type === "function.log" ? EVENTS[3]!.text : ""]] });
  });
});
