import { describe, expect, it } from "vitest";
import type { TelemetryEvent } from "./events.ts";
import { RecentInvocations } from "./recent-invocations.ts";

const R = "req-1";
const fn = "send-receipt";
const log = (text: string): TelemetryEvent => ({ type: "function.log", functionName: fn, environmentId: "e1", requestId: R, text, time: 0 });
const tryStarted = (attempt: number): TelemetryEvent => ({ type: "async.attempt.started", requestId: R, functionName: fn, attempt, time: 0 });
const started = (payload: string): TelemetryEvent => ({ type: "invocation.started", requestId: R, functionName: fn, version: "$LATEST", environmentId: "e1", coldStart: false, payload, time: 0 });
const finished = (result: string): TelemetryEvent => ({ type: "invocation.finished", requestId: R, functionName: fn, version: "$LATEST", environmentId: "e1", durationMs: 1, billedDurationMs: 1, maxMemoryUsedMb: 60, status: "error", errorType: "Runtime.Unknown", result, time: 0 });

describe("an invocation's details kept for GET /_sim/invocations/{id}", () => {
  it("keeps each attempt of an Event invocation apart (they share the request id), and the request's lines together", () => {
    const recent = new RecentInvocations();
    for (const e of [
      tryStarted(1),
      // An Init's line, before the invocation's start: attempt 1's.
      log("init\n"),
      started('{"id":77}'),
      log("START 1\n"),
      finished('{"errorMessage":"no email"}'),
      // A throttled try runs nothing and comes again with the same number.
      tryStarted(2),
      tryStarted(2),
      started('{"id":77}'),
      log("START 2\n"),
      finished('{"errorMessage":"still no email"}'),
    ]) recent.note(e);
    expect(recent.get(R, 1)).toEqual({ requestId: R, functionName: fn, attempt: 1, attempts: [1, 2], payload: '{"id":77}', result: '{"errorMessage":"no email"}', logs: ["init\n", "START 1\n"] });
    expect(recent.get(R, 2)).toMatchObject({ attempt: 2, result: '{"errorMessage":"still no email"}', logs: ["START 2\n"] });
    expect(recent.get(R, 3)).toBeUndefined();
    // Without an attempt: the request's story, as before attempts were told apart.
    expect(recent.get(R)).toEqual({ requestId: R, functionName: fn, attempts: [1, 2], payload: '{"id":77}', result: '{"errorMessage":"still no email"}', logs: ["init\n", "START 1\n", "START 2\n"] });
  });

  it("keeps a synchronous invocation as one, without attempts", () => {
    const recent = new RecentInvocations();
    for (const e of [log("init\n"), started("{}"), log("START\n"), finished("{}")]) recent.note(e);
    expect(recent.get(R)).toEqual({ requestId: R, functionName: fn, payload: "{}", result: "{}", logs: ["init\n", "START\n"] });
    expect(recent.get(R, 1)).toBeUndefined();
  });
});
