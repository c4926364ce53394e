import type { TelemetryEvent } from "@lambda-sim/core";
import { describe, expect, it } from "vitest";
import { KEEP_CHIP_ENVIRONMENTS, KEEP_CHIPS, KEEP_DLQ_MOVES, KEEP_INVOCATION_EVENTS, PageBacklog } from "./page-backlog.ts";

let seq = 0;
const ev = (e: Record<string, unknown>) => ({ time: 0, seq: ++seq, ...e }) as unknown as TelemetryEvent;
const finished = (requestId: string, environmentId: string) => ev({ type: "invocation.finished", requestId, functionName: "f", version: "$LATEST", environmentId, durationMs: 1, billedDurationMs: 1, maxMemoryUsedMb: 1, status: "success", result: "x".repeat(100) });
const moved = (messageId: string) => ev({ type: "message.moved-to-dlq", queue: "q", deadLetterQueue: "dlq", messageId, receiveCount: 3, maxReceiveCount: 3, reachedFunction: true });
const tick = () => ev({ type: "clock.advanced", from: 0, to: 1 });

describe("the page's backlog by kind (newuser14 F10)", () => {
  it("keeps the invocations, DLQ moves and lanes' chips that the last 300 events of any kind lose, each once and in order, without previews", () => {
    const b = new PageBacklog();
    b.note(moved("m1"));
    b.note(ev({ type: "invocation.started", requestId: "r1", functionName: "f", version: "$LATEST", environmentId: "e1", coldStart: true, payload: "{}" }));
    b.note(finished("r1", "e1"));
    for (let i = 0; i < 1000; i++) b.note(tick());
    const kept = b.events();
    expect(kept.map((e) => e.type)).toEqual(["message.moved-to-dlq", "invocation.started", "invocation.finished"]);
    expect(kept.every((e) => !("payload" in e) && !("result" in e))).toBe(true);
    const seqs = kept.map((e) => (e as unknown as { seq: number }).seq);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
  });

  it("is bounded: the last invocation events, the last DLQ moves, each live environment's last chips; a retired environment's go", () => {
    const b = new PageBacklog();
    for (let i = 0; i < KEEP_DLQ_MOVES + 5; i++) b.note(moved(`m${i}`));
    // One environment's chips outlive the invocation ring: its lane keeps its last KEEP_CHIPS.
    for (let i = 0; i < KEEP_CHIPS + 3; i++) b.note(finished(`old${i}`, "e-old"));
    for (let i = 0; i < KEEP_INVOCATION_EVENTS; i++) b.note(finished(`r${i}`, `e${i % 50}`));
    const kept = b.events();
    const moves = kept.filter((e) => e.type === "message.moved-to-dlq");
    expect(moves.map((e) => (e as { messageId: string }).messageId)).toEqual(Array.from({ length: KEEP_DLQ_MOVES }, (_, i) => `m${i + 5}`));
    const oldChips = kept.filter((e) => e.type === "invocation.finished" && e.environmentId === "e-old");
    expect(oldChips.map((e) => (e as { requestId: string }).requestId)).toEqual(Array.from({ length: KEEP_CHIPS }, (_, i) => `old${i + 3}`));
    expect(kept.length).toBe(KEEP_DLQ_MOVES + KEEP_CHIPS + KEEP_INVOCATION_EVENTS);
    // Chips kept apart for the newest KEEP_CHIP_ENVIRONMENTS environments only.
    const many = new PageBacklog();
    for (let i = 0; i < KEEP_CHIP_ENVIRONMENTS + 10; i++) many.note(finished(`x${i}`, `env${i}`));
    for (let i = 0; i < KEEP_INVOCATION_EVENTS; i++) many.note(ev({ type: "async.enqueued", requestId: `pad${i}`, functionName: "f" }));
    expect(many.events().filter((e) => e.type === "invocation.finished").length).toBe(KEEP_CHIP_ENVIRONMENTS);
    b.note(ev({ type: "environment.state-changed", environmentId: "e-old", functionName: "f", version: "$LATEST", from: "idle", to: "retired", reason: "idle-timeout" }));
    expect(b.events().some((e) => e.type === "invocation.finished" && e.environmentId === "e-old")).toBe(false);
  });
});
