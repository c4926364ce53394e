import { describe, expect, it } from "vitest";
// @ts-expect-error: the page's own JavaScript (no declarations): the browser loads it as is.
import { applyDetails, applyEvent, createModel } from "./model.js";
// @ts-expect-error: the page's own JavaScript.
import { applySnapshot } from "./state-views.js";
// @ts-expect-error: the page's own JavaScript.
import { renderFunctions, renderInvocations, renderStory } from "./render.js";
// @ts-expect-error: the page's own JavaScript.
import { selection } from "./invocation-rows.js";

/**
 * newuser11 N3-1: an Event invocation that failed three times showed one chip on its lane and one
 * row mixing attempt 1's "cold" with attempt 3's duration. AWS keeps the request id across the
 * retries, and each attempt is an invocation with its own START and REPORT (aws-facts §5).
 */
const R = "3bf4127b-0000-4000-8000-000000000000";
const T0 = Date.parse("2026-12-06T06:00:00Z");

function recorder() {
  const m = createModel();
  applySnapshot(m, { seq: 0, views: { functions: [{ name: "send-receipt", memorySize: 128 }] }, recent: [] });
  let seq = 0;
  const ev = (type: string, extra: object = {}, at = seq) => applyEvent(m, { type, seq: ++seq, time: T0 + at * 1000, requestId: R, functionName: "send-receipt", ...extra });
  const lane = { version: "$LATEST", environmentId: "17f3541e-env" };
  const finished = (durationMs: number, status: string, extra: object = {}) => ({ ...lane, durationMs, billedDurationMs: Math.ceil(durationMs), maxMemoryUsedMb: 70, status, ...(status === "success" ? {} : { errorType: "Runtime.Unknown", functionErrorType: "Error" }), ...extra });
  return { m, ev, lane, finished };
}

/** Three attempts in one warm lane: attempt 1 cold (with its Init), 2 and 3 warm; 3 succeeds. */
function threeAttempts() {
  const r = recorder();
  const { ev, lane, finished } = r;
  ev("async.enqueued");
  ev("async.attempt.started", { attempt: 1 });
  ev("environment.state-changed", { environmentId: lane.environmentId, version: "$LATEST", from: "none", to: "initializing" });
  ev("invocation.started", { ...lane, coldStart: true });
  ev("invocation.finished", finished(63.14, "error", { initDurationMs: 46.16 }));
  ev("async.attempt.failed", { attempt: 1, outcome: { kind: "function-error", errorType: "Runtime.Unknown", functionErrorType: "Error" } });
  ev("async.retry.scheduled", { at: T0 + 60_000, delayMs: 60_000, consumesAttempt: true });
  ev("async.attempt.started", { attempt: 2 }, 60);
  // A warm start finished in the same frame is not sent to the page (coalesce): its finish makes the row.
  ev("invocation.finished", finished(3.06, "error"), 60);
  ev("async.attempt.failed", { attempt: 2, outcome: { kind: "function-error", errorType: "Runtime.Unknown", functionErrorType: "Error" } }, 60);
  ev("async.retry.scheduled", { at: T0 + 180_000, delayMs: 120_000, consumesAttempt: true }, 60);
  ev("async.attempt.started", { attempt: 3 }, 180);
  ev("invocation.started", { ...lane, coldStart: false }, 180);
  ev("invocation.finished", finished(2.5, "success"), 180);
  return r;
}

describe("an async event's attempts on the page", () => {
  it("gives each attempt its own row, with its own cold or warm start, duration and status, labelled once it was retried", () => {
    const { m } = threeAttempts();
    expect([...m.invocations.values()].map((s) => [s.key, s.attempt, s.coldStart, s.durationMs, s.status])).toEqual([
      [`${R}#1`, 1, true, 63.14, "error"],
      [`${R}#2`, 2, false, 3.06, "error"],
      [`${R}#3`, 3, false, 2.5, "success"],
    ]);
    const html: string = renderInvocations(m);
    const rows = [...html.matchAll(/data-attempt="(\d)">\s*<td class="request">3bf4127b <small class="attempt">attempt (\d)<\/small><\/td>.*?<td class="start (cold|warm)-start">(cold|warm)<\/td>\s*<td class="n duration">(.*?)<\/td>/gs)].map((x) => x.slice(1).join(" ").replace(/<[^>]*>/g, ""));
    // Newest first.
    expect(rows).toEqual(["3 3 warm warm 2.50 ms", "2 2 warm warm 3.06 ms", "1 1 cold cold 63.1 ms + init 46 ms"]);
    // Where it ended: the success of attempt 3.
    expect(m.requests.get(R).async).toMatchObject({ where: "success", detail: "attempt 3" });
  });

  it("draws one chip per attempt on the environment's lane, each with its attempt", () => {
    const { m } = threeAttempts();
    const chips = [...(renderFunctions(m) as string).matchAll(/<span class="chip (\w+)" data-request-id="[^"]+" data-key="([^"]+)" data-attempt="(\d)"[^>]*>(.*?)<\/span>(?=<span class="chip|<\/span>)/g)].map((x) => [x[1], x[2], x[3], x[4]!.replace(/<[^>]*>/g, "")]);
    expect(chips).toEqual([
      ["warm", `${R}#3`, "3", "warm 2.50 ms · attempt 3"],
      ["error", `${R}#2`, "2", "warm 3.06 ms · attempt 2"],
      ["error", `${R}#1`, "1", "cold 63.1 ms + init 46 ms · attempt 1"],
    ]);
  });

  it("tells each attempt's story: its header, REPORT and log agree with its row; the tries and the outcome are the request's", () => {
    const { m } = threeAttempts();
    m.selected = `${R}#1`;
    const first: string = renderStory(m);
    expect(first).toMatch(/attempt <b class="attempt">1<\/b> in environment <code>17f3541e<\/code> — cold start/);
    expect(first).toContain("Duration: 63.14 ms\tBilled Duration: 64 ms\tMemory Size: 128 MB\tMax Memory Used: 70 MB\tInit Duration: 46.16 ms");
    m.selected = `${R}#3`;
    const last: string = renderStory(m);
    expect(last).toMatch(/attempt <b class="attempt">3<\/b> in environment <code>17f3541e<\/code> — warm/);
    expect(last).toContain("Duration: 2.50 ms");
    expect(last).not.toContain("Init Duration");
    // The attempts table: this story's attempt marked, the others a click away.
    expect([...last.matchAll(/<tr([^>]*)><td>attempt (\d)<\/td>/g)].map((x) => [x[2], x[1].includes("selected") ? "shown" : /data-key="[^"]+#(\d)"/.exec(x[1])?.[1]])).toEqual([["1", "1"], ["2", "2"], ["3", "shown"]]);
    expect(last).toContain("Finished: <b>success</b> <small>attempt 3</small>");
    // The async lists name the request id: a click there opens its latest attempt.
    expect(selection(m, R, undefined)).toBe(`${R}#3`);
    expect(selection(m, R, `${R}#2`)).toBe(`${R}#2`);
  });

  it("puts each attempt's log lines (from the server, or a trace's playback) on its own row", () => {
    const { m, ev, lane, finished } = recorder();
    ev("async.enqueued");
    ev("async.attempt.started", { attempt: 1 });
    // An Init's line comes before the invocation's start.
    ev("function.log", { environmentId: lane.environmentId, text: "INIT line\n" });
    ev("invocation.started", { ...lane, coldStart: true });
    ev("function.log", { environmentId: lane.environmentId, text: `START RequestId: ${R} Version: $LATEST\n` });
    ev("invocation.finished", finished(10, "error"));
    ev("async.attempt.started", { attempt: 2 }, 60);
    ev("invocation.started", { ...lane, coldStart: false }, 60);
    ev("function.log", { environmentId: lane.environmentId, text: `START RequestId: ${R} Version: $LATEST\n` }, 60);
    ev("function.log", { environmentId: lane.environmentId, text: "second try\n" }, 60);
    expect(m.invocations.get(`${R}#1`).logs).toEqual(["INIT line\n", `START RequestId: ${R} Version: $LATEST\n`]);
    expect(m.invocations.get(`${R}#2`).logs).toEqual([`START RequestId: ${R} Version: $LATEST\n`, "second try\n"]);
    // GET /_sim/invocations/R?attempt=1 answers attempt 1's lines: they go to its row only.
    applyDetails(m, { requestId: R, functionName: "send-receipt", attempt: 1, payload: '{"id":77}', logs: ["INIT line\n", "START …\n", "END …\n", "REPORT …\n"] });
    expect(m.invocations.get(`${R}#1`)).toMatchObject({ payload: '{"id":77}', logs: ["INIT line\n", "START …\n", "END …\n", "REPORT …\n"] });
    expect(m.invocations.get(`${R}#2`).logs).toHaveLength(2);
  });

  it("keeps one unlabelled row for a synchronous invocation, and for an async event that succeeded at once", () => {
    const { m, ev, lane, finished } = recorder();
    ev("async.enqueued");
    ev("async.attempt.started", { attempt: 1 });
    ev("invocation.started", { ...lane, coldStart: true });
    ev("invocation.finished", finished(5, "success"));
    applyEvent(m, { type: "invocation.started", seq: 50, time: T0, requestId: "sync-1", functionName: "send-receipt", ...lane, coldStart: false });
    applyEvent(m, { type: "invocation.finished", seq: 51, time: T0, requestId: "sync-1", functionName: "send-receipt", ...finished(1, "success") });
    expect([...m.invocations.keys()]).toEqual([`${R}#1`, "sync-1"]);
    const html: string = renderInvocations(m);
    expect(html).not.toContain('class="attempt"');
    expect(html).toContain('data-request-id="sync-1">');
    m.selected = selection(m, "sync-1", undefined);
    expect(m.selected).toBe("sync-1");
    expect(renderStory(m)).toMatch(/request <code>sync-1<\/code> in environment/);
  });

  it("tells the story of an event not run yet (throttled), chosen in the async lists", () => {
    const { m, ev } = recorder();
    ev("async.enqueued");
    ev("async.attempt.started", { attempt: 1 });
    ev("async.attempt.failed", { attempt: 1, outcome: { kind: "throttled", reason: "ReservedFunctionConcurrentInvocationLimitExceeded" } });
    m.selected = selection(m, R, undefined);
    expect(m.selected).toBe(R);
    const html: string = renderStory(m);
    expect(html).toContain("— not run yet");
    expect(html).toContain("<td>attempt 1</td>");
    expect(renderInvocations(m)).toContain("No invocations yet.");
  });
});
