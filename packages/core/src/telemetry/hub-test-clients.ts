// What the hub's tests share: a hub with a counting view, sinks that stand for clients, and a client's replay of its frames.
import { VirtualClock } from "../clock/virtual-clock.ts";
import { EventHub, type HubFrame, type HubSink } from "./event-hub.ts";
import { Telemetry } from "./telemetry.ts";

export const nextTurn = () => new Promise<void>((r) => setImmediate(r));

/** A hub whose one view counts the warnings emitted: the state a client must end up agreeing with. */
export function hubWithCounter() {
  const clock = new VirtualClock(0);
  const telemetry = new Telemetry(clock);
  const hub = new EventHub(telemetry, clock, 0);
  let emitted = 0;
  hub.addView("count", () => emitted);
  const emit = () => {
    emitted++;
    telemetry.emit({ type: "simulator.warning", message: `n${emitted}` });
  };
  return { hub, emit, emitted: () => emitted };
}

/** A sink that writes at once (or holds everything until `drain()` when `stalled`). */
export function sink(stalled = false) {
  const frames: HubFrame[] = [];
  const held: { text: string; written: () => void }[] = [];
  let accepted = 0;
  const s: HubSink & { frames: HubFrame[]; drain(): void; stalled: boolean; accepted(): number } = {
    frames,
    stalled,
    send(text, written) {
      accepted += text.length;
      // Queued behind what is held, as a socket keeps its writes in order.
      if (s.stalled || held.length > 0) held.push({ text, written });
      else {
        frames.push(JSON.parse(text) as HubFrame);
        written();
      }
    },
    bufferedBytes: () => held.reduce((n, h) => n + h.text.length, 0),
    drain() {
      s.stalled = false;
      // In order, one at a time, as a socket writes: what is still held counts as buffered.
      while (held.length > 0) {
        const x = held.shift()!;
        frames.push(JSON.parse(x.text) as HubFrame);
        x.written();
      }
    },
    accepted: () => accepted,
  };
  return s;
}

/** Replays frames as a client does: the count it believes in, and whether seqs ran without gaps. */
export function replay(frames: HubFrame[]): { count: number; gaps: string[]; dropped: number } {
  let count = 0;
  let seq = 0;
  let dropped = 0;
  const gaps: string[] = [];
  for (const f of frames) {
    if (f.kind === "snapshot") {
      count = f.views.count as number;
      seq = f.seq;
    } else if (f.kind === "events") {
      for (const e of f.events) {
        if (e.seq !== seq + 1) gaps.push(`${seq} -> ${e.seq}`);
        seq = e.seq;
        count++;
      }
    } else if (f.kind === "dropped") dropped += f.count;
  }
  return { count, gaps, dropped };
}

