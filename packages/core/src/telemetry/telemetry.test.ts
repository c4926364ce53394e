import { describe, expect, it, vi } from "vitest";
import { VirtualClock } from "../clock/virtual-clock.ts";
import { Telemetry, TELEMETRY_BACKLOG } from "./telemetry.ts";
import type { TelemetryEvent } from "./events.ts";

function setUp() {
  const clock = new VirtualClock(1_000);
  const telemetry = new Telemetry(clock);
  const seen: TelemetryEvent[] = [];
  telemetry.subscribe((e) => seen.push(e));
  const log = (text: string) => telemetry.emit({ type: "function.log", functionName: "f", environmentId: "e", requestId: "r", text });
  const texts = () => seen.map((e) => (e.type === "function.log" ? e.text : e.type));
  return { clock, telemetry, seen, log, texts };
}

describe("Telemetry.deferred", () => {
  it("delivers its events on the next turn of the loop, stamped when they were emitted", async () => {
    const { clock, telemetry, seen, log, texts } = setUp();
    telemetry.deferred(() => log("END"));
    expect(seen).toHaveLength(0);
    await clock.advanceBy(5);
    await new Promise((r) => setImmediate(r));
    expect(texts()).toEqual(["END"]);
    expect(seen[0]!.time).toBe(1_000);
  });

  it("delivers one event per turn of the loop, in order, so that I/O is served between them", async () => {
    const { telemetry, log, texts } = setUp();
    telemetry.deferred(() => {
      log("START");
      log("END");
      log("REPORT");
    });
    const turn = () => new Promise((r) => setImmediate(r));
    await turn();
    expect(texts()).toEqual(["START"]);
    await turn();
    await turn();
    expect(texts()).toEqual(["START", "END", "REPORT"]);
  });

  it("delivers a backlog whole: past TELEMETRY_BACKLOG waiting events, one turn takes them all", async () => {
    const { telemetry, log, texts } = setUp();
    telemetry.deferred(() => {
      for (let i = 0; i <= TELEMETRY_BACKLOG; i++) log(String(i));
    });
    await new Promise((r) => setImmediate(r));
    expect(texts()).toHaveLength(TELEMETRY_BACKLOG + 1);
    expect(texts().at(-1)).toBe(String(TELEMETRY_BACKLOG));
  });

  it("keeps the order: a later emit, a flush or a new subscriber delivers what waits first", () => {
    const { telemetry, log, texts } = setUp();
    telemetry.deferred(() => {
      log("END");
      log("REPORT");
    });
    log("next invocation's output");
    expect(texts()).toEqual(["END", "REPORT", "next invocation's output"]);

    telemetry.deferred(() => log("END 2"));
    telemetry.flush();
    expect(texts().at(-1)).toBe("END 2");

    telemetry.deferred(() => log("END 3"));
    const late: TelemetryEvent[] = [];
    telemetry.subscribe((e) => late.push(e));
    expect(texts().at(-1)).toBe("END 3");
    expect(late).toHaveLength(0);
  });

  it("nests: events of an inner deferred block wait with the outer ones", () => {
    const { telemetry, log, texts } = setUp();
    telemetry.deferred(() => {
      log("a");
      telemetry.deferred(() => log("b"));
      log("c");
    });
    expect(texts()).toEqual([]);
    telemetry.flush();
    expect(texts()).toEqual(["a", "b", "c"]);
  });

  it("delivers what a block emitted before it threw, and what a leaving listener was owed", async () => {
    const { telemetry, log, texts } = setUp();
    expect(() =>
      telemetry.deferred(() => {
        log("END");
        throw new Error("broken");
      }),
    ).toThrow("broken");
    await new Promise((r) => setImmediate(r));
    expect(texts()).toEqual(["END"]);

    const leaving: string[] = [];
    const unsubscribe = telemetry.subscribe((e) => leaving.push(e.type));
    telemetry.deferred(() => log("REPORT"));
    unsubscribe();
    expect(leaving).toEqual(["function.log"]);
  });
});

describe("Telemetry.later", () => {
  it("leaves its events for the next deferral's turn of the loop, in order", async () => {
    const { telemetry, log, texts } = setUp();
    telemetry.later(() => log("END"));
    await new Promise((r) => setImmediate(r));
    // Nothing else happened: still waiting (for the next invocation, or the fallback timer).
    expect(texts()).toEqual([]);
    telemetry.deferred(() => log("next START"));
    // One event per turn (or both at once, should the fallback timer come first).
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(texts()).toEqual(["END", "next START"]);
  });

  it("delivers within a few wall milliseconds when nothing comes after, even on a stopped virtual clock", async () => {
    const { telemetry, log, texts } = setUp();
    telemetry.later(() => log("REPORT"));
    await vi.waitFor(() => expect(texts()).toEqual(["REPORT"]), { timeout: 2_000, interval: 1 });
    // The timer is gone once it has run: a second block arms another.
    telemetry.later(() => log("REPORT 2"));
    await vi.waitFor(() => expect(texts()).toEqual(["REPORT", "REPORT 2"]), { timeout: 2_000, interval: 1 });
  });
});
