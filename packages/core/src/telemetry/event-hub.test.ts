import { describe, expect, it } from "vitest";
import { VirtualClock } from "../clock/virtual-clock.ts";
import { EventHub, SLOW_CLIENT_BYTES, type HubFrame } from "./event-hub.ts";
import { hubWithCounter, nextTurn, replay, sink } from "./hub-test-clients.ts";
import { Telemetry } from "./telemetry.ts";
import type { EnvironmentState } from "./events.ts";

describe("EventHub", () => {
  it("sends a snapshot-only view in snapshots and not in the sampled views frames", () => {
    const { hub } = hubWithCounter();
    hub.addView("seed", () => ({ rows: [1, 2, 3] }), { snapshotOnly: true });
    const s = sink();
    const client = hub.connect(s);
    client.sample();
    const [snapshot, sampled] = s.frames;
    expect(snapshot).toMatchObject({ kind: "snapshot", views: { count: 0, seed: { rows: [1, 2, 3] } } });
    expect(sampled).toMatchObject({ kind: "views", views: { count: 0 } });
    expect(sampled?.kind === "views" && "seed" in sampled.views).toBe(false);
  });

  it("gives late joiners a snapshot that the stream continues without a gap or a duplicate, under load", async () => {
    const { hub, emit, emitted } = hubWithCounter();
    const clients: ReturnType<typeof sink>[] = [];
    for (let turn = 0; turn < 50; turn++) {
      for (let i = 0; i < 200; i++) {
        emit();
        // Joining mid-turn: the first events of this turn are already in its snapshot.
        if (i === 77 && turn % 5 === 0) {
          const s = sink();
          hub.connect(s);
          clients.push(s);
        }
      }
      await nextTurn();
    }
    await nextTurn();
    expect(clients).toHaveLength(10);
    for (const c of clients) {
      const r = replay(c.frames);
      expect(r.gaps).toEqual([]);
      expect(r.count).toBe(emitted());
    }
  });

  it("drops a slow client's events instead of buffering them, says so, and resynchronises it", async () => {
    const { hub, emit, emitted } = hubWithCounter();
    const slow = sink(true);
    hub.connect(slow);
    for (let turn = 0; turn < 400; turn++) {
      for (let i = 0; i < 500; i++) emit();
      await nextTurn();
    }
    // 200,000 events of ~100 bytes were emitted; what was accepted for the client stays near the limit.
    expect(slow.accepted()).toBeLessThan(SLOW_CLIENT_BYTES + 200_000);
    slow.drain();
    const dropped = slow.frames.find((f) => f.kind === "dropped");
    expect(dropped).toMatchObject({ kind: "dropped", reason: expect.stringContaining("read too slowly") });
    // After the notice, a snapshot: the client's state agrees with the hub's again.
    expect(slow.frames.at(-1)!.kind).toBe("snapshot");
    emit();
    await nextTurn();
    expect(replay(slow.frames).count).toBe(emitted());
  });

  it("sends a subscribed client only what it asked for, previews left out, in one text shared by its like", async () => {
    const clock = new VirtualClock(0);
    const telemetry = new Telemetry(clock);
    const hub = new EventHub(telemetry, clock, 0);
    const [all, lean1, lean2] = [sink(), sink(), sink()];
    hub.connect(all);
    const texts: string[] = [];
    for (const s of [lean1, lean2]) {
      const send = s.send;
      s.send = (text, written) => (texts.push(text), send(text, written));
      expect(hub.connect(s).subscribe({ types: ["invocation.started", "function.log"], functions: ["a"], previews: false })).toBe(true);
    }
    const started = (functionName: string) => ({ type: "invocation.started" as const, requestId: `r-${functionName}`, functionName, version: "$LATEST", environmentId: "e", coldStart: true, payload: '{"secret":1}' });
    telemetry.emit(started("a"));
    telemetry.emit(started("b"));
    telemetry.emit({ type: "function.log", functionName: "a", environmentId: "e", requestId: "r-a", text: "hello\n" });
    telemetry.emit({ type: "simulator.warning", message: "not asked for" });
    await nextTurn();
    const events = (s: ReturnType<typeof sink>) => s.frames.flatMap((f) => (f.kind === "events" ? f.events : []));
    expect(events(all).map((e) => e.type)).toEqual(["invocation.started", "invocation.started", "function.log", "simulator.warning"]);
    expect(events(all)[0]).toHaveProperty("payload", '{"secret":1}');
    expect(events(lean1).map((e) => [e.type, e.seq])).toEqual([["invocation.started", 1], ["function.log", 3]]);
    expect(events(lean1)[0]).not.toHaveProperty("payload");
    // The same frame text for both (built once), and the details kept for a click.
    expect(texts.at(-1)).toBe(texts.at(-2));
    expect(hub.invocations.get("r-a")).toMatchObject({ functionName: "a", payload: '{"secret":1}', logs: ["hello\n"] });
    // Not a subscription: refused, nothing changed.
    expect(hub.connect(sink()).subscribe({ types: "all" })).toBe(false);
    expect(hub.connect(sink()).subscribe({ states: ["asleep"] })).toBe(false);
  });

  it("sends a client that narrows what it asks for between two frames only what it now asks for, from the next frame on", async () => {
    const clock = new VirtualClock(0);
    const telemetry = new Telemetry(clock);
    const hub = new EventHub(telemetry, clock, 0);
    const s = sink();
    const client = hub.connect(s);
    const log = (text: string) => ({ type: "function.log" as const, functionName: "a", environmentId: "e", requestId: "r", text });
    telemetry.emit({ type: "simulator.warning", message: "before" });
    telemetry.emit(log("one\n"));
    expect(client.subscribe({ types: ["function.log"] })).toBe(true);
    telemetry.emit({ type: "simulator.warning", message: "after" });
    telemetry.emit(log("two\n"));
    await nextTurn();
    const events = s.frames.flatMap((f) => (f.kind === "events" ? f.events : []));
    expect(events.map((e) => [e.type, e.seq])).toEqual([["function.log", 2], ["function.log", 4]]);
  });

  it("leaves out for a coalesce client what a frame's later events hide, and sends a warmStarts:false client only cold starts", async () => {
    const clock = new VirtualClock(0);
    const telemetry = new Telemetry(clock);
    const hub = new EventHub(telemetry, clock, 0);
    const [all, page, tail, previews] = [sink(), sink(), sink(), sink()];
    hub.connect(all);
    expect(hub.connect(page).subscribe({ coalesce: true, previews: false })).toBe(true);
    expect(hub.connect(previews).subscribe({ coalesce: true })).toBe(true);
    expect(hub.connect(tail).subscribe({ warmStarts: false })).toBe(true);
    // A client that does not coalesce, subscribed after the coalescing ones: it gets every event.
    const late = sink();
    expect(hub.connect(late).subscribe({ previews: false })).toBe(true);
    const state = (environmentId: string, from: EnvironmentState | "none", to: EnvironmentState) =>
      telemetry.emit({ type: "environment.state-changed", environmentId, functionName: "fn", version: "$LATEST", from, to, ...(to === "retired" ? { reason: "idle-timeout" as const } : {}) });
    const started = (requestId: string, coldStart: boolean) => telemetry.emit({ type: "invocation.started", requestId, functionName: "fn", version: "$LATEST", environmentId: "e1", coldStart, payload: "{}" });
    const finished = (requestId: string) =>
      telemetry.emit({ type: "invocation.finished", requestId, functionName: "fn", version: "$LATEST", environmentId: "e1", durationMs: 1, billedDurationMs: 1, maxMemoryUsedMb: 60, status: "success" });
    state("e1", "none", "initializing");
    state("e1", "initializing", "busy");
    started("r1", true);
    finished("r1");
    state("e1", "busy", "idle");
    state("e2", "none", "initializing");
    state("e1", "idle", "busy");
    started("r2", false);
    finished("r2");
    state("e2", "initializing", "busy");
    state("e1", "busy", "idle");
    started("r3", false);
    state("e2", "busy", "idle");
    state("e2", "idle", "retiring");
    state("e2", "retiring", "retired");
    await nextTurn();
    const events = (s: ReturnType<typeof sink>) => s.frames.flatMap((f) => (f.kind === "events" ? f.events : []));
    const changes = (s: ReturnType<typeof sink>) => events(s).flatMap((e) => (e.type === "environment.state-changed" ? [`${e.environmentId} ${e.to}`] : []));
    expect(changes(all)).toHaveLength(10);
    expect(changes(late)).toEqual(changes(all));
    // The page draws each lane's last state of a frame: e1 ends idle; births and retirements all come.
    expect(changes(page)).toEqual(["e1 initializing", "e2 initializing", "e1 idle", "e2 idle", "e2 retiring", "e2 retired"]);
    // Cold starts always; a warm start finished in the same frame only through its invocation.finished.
    const starts = (s: ReturnType<typeof sink>) => events(s).flatMap((e) => (e.type === "invocation.started" ? [e.requestId] : []));
    expect(starts(page)).toEqual(["r1", "r3"]);
    expect(starts(all)).toEqual(["r1", "r2", "r3"]);
    expect(starts(late)).toEqual(["r1", "r2", "r3"]);
    // One that asked for previews still gets every start's payload.
    expect(starts(previews)).toEqual(["r1", "r2", "r3"]);
    expect(starts(tail)).toEqual(["r1"]);
    expect(hub.connect(sink()).subscribe({ coalesce: "yes" })).toBe(false);
  });

  it("hides for a coalesce client only behind events that client is sent", async () => {
    const clock = new VirtualClock(0);
    const telemetry = new Telemetry(clock);
    const hub = new EventHub(telemetry, clock, 0);
    const [busyOnly, startsOnly] = [sink(), sink()];
    expect(hub.connect(busyOnly).subscribe({ coalesce: true, previews: false, states: ["busy"] })).toBe(true);
    expect(hub.connect(startsOnly).subscribe({ coalesce: true, previews: false, types: ["invocation.started"] })).toBe(true);
    const state = (from: EnvironmentState, to: EnvironmentState) => telemetry.emit({ type: "environment.state-changed", environmentId: "e1", functionName: "fn", version: "$LATEST", from, to });
    state("idle", "busy");
    telemetry.emit({ type: "invocation.started", requestId: "r1", functionName: "fn", version: "$LATEST", environmentId: "e1", coldStart: false, payload: "{}" });
    telemetry.emit({ type: "invocation.finished", requestId: "r1", functionName: "fn", version: "$LATEST", environmentId: "e1", durationMs: 1, billedDurationMs: 1, maxMemoryUsedMb: 60, status: "success" });
    state("busy", "idle");
    await nextTurn();
    const events = (s: ReturnType<typeof sink>) => s.frames.flatMap((f) => (f.kind === "events" ? f.events : []));
    // The idle that follows is not theirs to see: the busy stays (the warm start still goes behind its finish).
    expect(events(busyOnly).map((e) => (e.type === "environment.state-changed" ? e.to : e.type))).toEqual(["busy", "invocation.finished"]);
    expect(events(startsOnly).map((e) => e.type)).toEqual(["invocation.started"]);
  });

  it("sums a busy frame's routine invocations for a summarize client, never an error, a cold start, an async attempt or one a fault names", async () => {
    const clock = new VirtualClock(0);
    const telemetry = new Telemetry(clock);
    const hub = new EventHub(telemetry, clock, 0);
    const [page, tail] = [sink(), sink()];
    expect(hub.connect(page).subscribe({ coalesce: true, previews: false, summarize: true })).toBe(true);
    expect(hub.connect(tail).subscribe({ warmStarts: false, previews: false })).toBe(true);
    // A summary stands for invocations whose start the frame left out: only a coalescing client's without previews.
    expect(hub.connect(sink()).subscribe({ summarize: true })).toBe(false);
    expect(hub.connect(sink()).subscribe({ summarize: true, coalesce: true })).toBe(false);
    const invoke = (requestId: string, environmentId: string, opts: { cold?: boolean; status?: "success" | "error"; billed?: number } = {}) => {
      telemetry.emit({ type: "invocation.started", requestId, functionName: "fn", version: "$LATEST", environmentId, coldStart: opts.cold === true, payload: "{}" });
      telemetry.emit({ type: "invocation.finished", requestId, functionName: "fn", version: "$LATEST", environmentId, durationMs: 1, billedDurationMs: opts.billed ?? 2, maxMemoryUsedMb: 60, status: opts.status ?? "success", ...(opts.cold ? { initDurationMs: 100 } : {}) });
    };
    const events = (s: ReturnType<typeof sink>) => s.frames.flatMap((f) => (f.kind === "events" ? f.events : []));
    const finishedIds = (s: ReturnType<typeof sink>) => events(s).flatMap((e) => (e.type === "invocation.finished" ? [e.requestId] : []));
    const summaries = (s: ReturnType<typeof sink>) => events(s).filter((e) => e.type === "invocations.summarized") as unknown as { seq: number; environments: [string, string, string, number, number][] }[];

    // 50 routine invocations in a frame: all sent as they are.
    for (let i = 0; i < 50; i++) invoke(`q${i}`, `e${i % 2}`);
    await nextTurn();
    expect(finishedIds(page)).toHaveLength(50);
    expect(summaries(page)).toEqual([]);

    page.frames.length = 0;
    tail.frames.length = 0;
    invoke("cold", "e0", { cold: true });
    telemetry.emit({ type: "async.attempt.started", requestId: "async", functionName: "fn", attempt: 1 });
    invoke("async", "e1");
    invoke("faulted", "e2");
    telemetry.emit({ type: "fault.fired", faultId: "f1", kind: "latency", functionName: "fn", requestId: "faulted" });
    for (let i = 0; i < 200; i++) invoke(`r${i}`, `e${i % 4}`, { status: i === 7 ? "error" : "success", billed: 1 + (i % 3) });
    await nextTurn();
    const ids = finishedIds(page);
    // The newest three of each environment in full, and each that is not routine.
    expect(ids).toEqual(expect.arrayContaining(["cold", "async", "faulted", "r7", "r196", "r197", "r198", "r199", "r192", "r193", "r194", "r195", "r188", "r189", "r190", "r191"]));
    expect(ids).toHaveLength(4 + 12);
    const [summary] = summaries(page);
    expect(summaries(page)).toHaveLength(1);
    const summed = summary!.environments.reduce((n, x) => n + x[3], 0);
    expect(summed).toBe(203 - ids.length);
    // Their billed time, per environment: the cost's arithmetic needs nothing else.
    const billed = (env: string) => Array.from({ length: 188 }, (_, i) => i).filter((i) => `e${i % 4}` === env && i !== 7).reduce((n, i) => n + 1 + (i % 3), 0);
    for (const [env, , , , ms] of summary!.environments) expect(ms).toBe(billed(env));
    // In the frame's order: seqs still rise.
    const seqs = events(page).map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    // A client that does not summarize gets every one.
    expect(finishedIds(tail)).toHaveLength(203);

    // A slow handler's hundreds of lanes, one invocation each in a frame: 50 stay whole, the newest.
    page.frames.length = 0;
    for (let i = 0; i < 300; i++) invoke(`s${i}`, `lane${i}`);
    await nextTurn();
    expect(finishedIds(page)).toEqual(Array.from({ length: 50 }, (_, i) => `s${250 + i}`));
    expect(summaries(page).reduce((n, x) => n + x.environments.reduce((m, y) => m + y[3], 0), 0)).toBe(250);
  });

  it("never sums a running async attempt's invocation, however many async attempts were throttled meanwhile", async () => {
    const clock = new VirtualClock(0);
    const telemetry = new Telemetry(clock);
    const hub = new EventHub(telemetry, clock, 0);
    const page = sink();
    hub.connect(page).subscribe({ coalesce: true, previews: false, summarize: true });
    const invoke = (requestId: string, environmentId: string) => {
      telemetry.emit({ type: "invocation.started", requestId, functionName: "fn", version: "$LATEST", environmentId, coldStart: false, payload: "{}" });
      telemetry.emit({ type: "invocation.finished", requestId, functionName: "fn", version: "$LATEST", environmentId, durationMs: 1, billedDurationMs: 1, maxMemoryUsedMb: 60, status: "success" });
    };
    // An async event's attempt runs (the page follows it until its invocation finishes) ...
    telemetry.emit({ type: "async.attempt.started", requestId: "long", functionName: "fn", attempt: 1 });
    await nextTurn();
    // ... while a flood of other async events is throttled: attempts that end with no invocation.
    for (let i = 0; i < 12_000; i++) {
      telemetry.emit({ type: "async.attempt.started", requestId: `t${i}`, functionName: "other", attempt: 1 });
      telemetry.emit({ type: "async.attempt.failed", requestId: `t${i}`, functionName: "other", attempt: 1, outcome: { kind: "throttled", reason: "ReservedFunctionConcurrentInvocationLimitExceeded" } });
    }
    await nextTurn();
    page.frames.length = 0;
    // Its invocation, in a frame busy enough to be summed, in an environment whose newest are others.
    invoke("long", "e0");
    for (let i = 0; i < 100; i++) invoke(`r${i}`, `e${i % 2}`);
    await nextTurn();
    const events = page.frames.flatMap((f) => (f.kind === "events" ? f.events : []));
    expect(events.some((e) => e.type === "invocations.summarized")).toBe(true);
    expect(events.filter((e) => e.type === "invocation.finished" && e.requestId === "long")).toHaveLength(1);
  });

  it("answers a sample with the views at the current seq", () => {
    const { hub, emit } = hubWithCounter();
    const s = sink();
    const c = hub.connect(s);
    emit();
    emit();
    c.sample();
    expect(s.frames.at(-1)).toMatchObject({ kind: "views", seq: 2, views: { count: 2 } });
  });
});
