import { describe, expect, it } from "vitest";
import { VirtualClock } from "../clock/virtual-clock.ts";
import { EventHub, type HubFrame } from "./event-hub.ts";
import { hubWithCounter, nextTurn, replay, sink } from "./hub-test-clients.ts";
import { Telemetry } from "./telemetry.ts";

/**
 * A subscription's `intervalMs`: a client that asks for fewer frames (the dashboard at a high rate)
 * gets one at most that often, holding every event since its last, while the other clients keep
 * the hub's cadence. The hub's cadence is wall time (FLUSH_EVERY_MS; 0 here: each turn), so these
 * wait on real time, as a browser would.
 */
const until = async (ok: () => boolean, ms = 5_000) => {
  const end = performance.now() + ms;
  while (!ok()) {
    if (performance.now() > end) throw new Error("condition not met");
    await new Promise((r) => setTimeout(r, 5));
  }
};

/** The frames of `s` that hold events, with when each came. */
function timedSink() {
  const s = sink();
  const at: number[] = [];
  const send = s.send;
  s.send = (text, written) => {
    if (text.startsWith('{"kind":"events"')) at.push(performance.now());
    send(text, written);
  };
  return Object.assign(s, { at });
}

describe("EventHub: a client's frame interval", () => {
  it("sends a client on a 100 ms interval one frame per interval with every event since its last, while another gets a frame each turn", async () => {
    const { hub, emit, emitted } = hubWithCounter();
    const fast = timedSink();
    const slow = timedSink();
    hub.connect(fast);
    expect(hub.connect(slow).subscribe({ intervalMs: 100 })).toBe(true);
    const started = performance.now();
    while (performance.now() - started < 600) {
      for (let i = 0; i < 20; i++) emit();
      await nextTurn();
    }
    await until(() => replay(slow.frames).count === emitted());
    for (const client of [fast, slow]) {
      const r = replay(client.frames);
      expect(r.gaps).toEqual([]);
      expect(r.count).toBe(emitted());
    }
    // Each turn's events went to the fast client at once; the slow one got a frame per 100 ms at
    // most. Counted, not timed one by one: a loaded machine can hold a write back until just
    // before the next frame's, whose interval ran from when the first was built.
    const elapsed = slow.at.at(-1)! - started;
    expect(slow.at.length).toBeGreaterThanOrEqual(2);
    expect(slow.at.length).toBeLessThanOrEqual(Math.floor(elapsed / 100) + 1);
    expect(fast.at.length).toBeGreaterThan(slow.at.length);
  });

  it("sends a client on a longer interval the last events when no event follows them", async () => {
    const { hub, emit, emitted } = hubWithCounter();
    const slow = sink();
    expect(hub.connect(slow).subscribe({ intervalMs: 200 })).toBe(true);
    emit();
    await until(() => replay(slow.frames).count === 1);
    // Within its interval of the first frame: held, then sent when the interval is up.
    emit();
    emit();
    await nextTurn();
    expect(replay(slow.frames).count).toBe(1);
    await until(() => replay(slow.frames).count === emitted());
    expect(replay(slow.frames).gaps).toEqual([]);
  });

  it("goes back to the hub's cadence when the client subscribes again without an interval", async () => {
    const { hub, emit } = hubWithCounter();
    const s = sink();
    const client = hub.connect(s);
    client.subscribe({ intervalMs: 1000 });
    emit();
    await until(() => replay(s.frames).count === 1);
    client.subscribe({});
    emit();
    await until(() => replay(s.frames).count === 2, 500);
  });

  it("refuses an interval that is not a whole number of ms from 0 to 1,000", () => {
    const clock = new VirtualClock(0);
    const hub = new EventHub(new Telemetry(clock), clock, 0);
    const client = hub.connect(sink());
    for (const intervalMs of [-1, 1001, 2.5, "250", null, Number.NaN]) expect(client.subscribe({ intervalMs }), String(intervalMs)).toBe(false);
    for (const intervalMs of [0, 250, 1000]) expect(client.subscribe({ intervalMs })).toBe(true);
  });

  it("gives two clients on the same interval and subscription the same frames, a turn's events in one", async () => {
    const { hub, emit } = hubWithCounter();
    const texts: string[][] = [[], []];
    for (const list of texts) {
      const c = hub.connect({ send: (t, written) => (list.push(t), written()), bufferedBytes: () => 0 });
      c.subscribe({ intervalMs: 100 });
    }
    for (let i = 0; i < 10; i++) emit();
    await until(() => texts.every((l) => l.some((t) => t.startsWith('{"kind":"events"'))));
    const events = (l: string[]) => l.filter((t) => t.startsWith('{"kind":"events"'));
    expect(events(texts[0]!)).toEqual(events(texts[1]!));
    expect((JSON.parse(events(texts[0]!)[0]!) as HubFrame & { events: unknown[] }).events).toHaveLength(10);
  });
});
