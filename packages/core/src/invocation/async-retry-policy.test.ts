import { describe, expect, it } from "vitest";
import { isExpired, nextAsyncStep, throttleDelay, type AsyncEventState, type AsyncRetryConfig, type AsyncStep, type InvocationOutcome } from "./async-retry-policy.ts";

const T0 = 1_000_000;
const DEFAULTS: AsyncRetryConfig = { maximumRetryAttempts: 2, maximumEventAgeMs: 21_600_000 };
const fnError: InvocationOutcome = { kind: "function-error", errorType: "Error" };
const timeout: InvocationOutcome = { kind: "function-error", errorType: "Sandbox.Timedout" };
const throttled: InvocationOutcome = { kind: "throttled", reason: "ConcurrentInvocationLimitExceeded" };
const reservedZero: InvocationOutcome = { kind: "throttled", reason: "ReservedFunctionConcurrentInvocationLimitExceeded", reservedConcurrency: 0 };
const reservedFull: InvocationOutcome = { kind: "throttled", reason: "ReservedFunctionConcurrentInvocationLimitExceeded", reservedConcurrency: 3 };
const serviceError: InvocationOutcome = { kind: "service-error", message: "boom" };

const ev = (invocations: number, throttles = 0, age = 0): AsyncEventState => ({ enqueuedAt: T0 - age, invocations, throttles });

// random = 0 is the bottom of the jitter window: the documented delay exactly.
const table: [string, AsyncEventState, InvocationOutcome, AsyncRetryConfig, AsyncStep][] = [
  ["success ends the event", ev(1), { kind: "success" }, DEFAULTS, { kind: "done" }],
  ["success after retries ends the event", ev(3), { kind: "success" }, DEFAULTS, { kind: "done" }],
  ["1st function error: retry after 1 minute", ev(1), fnError, DEFAULTS, { kind: "retry", at: T0 + 60_000, delayMs: 60_000, consumesAttempt: true }],
  ["2nd function error: retry after 2 minutes", ev(2), fnError, DEFAULTS, { kind: "retry", at: T0 + 120_000, delayMs: 120_000, consumesAttempt: true }],
  ["3rd function error: retries exhausted", ev(3), fnError, DEFAULTS, { kind: "give-up", condition: "RetriesExhausted" }],
  ["a timeout counts as a function error", ev(1), timeout, DEFAULTS, { kind: "retry", at: T0 + 60_000, delayMs: 60_000, consumesAttempt: true }],
  ["MaximumRetryAttempts 0: the first error gives up", ev(1), fnError, { ...DEFAULTS, maximumRetryAttempts: 0 }, { kind: "give-up", condition: "RetriesExhausted" }],
  ["MaximumRetryAttempts 1: one retry", ev(1), fnError, { ...DEFAULTS, maximumRetryAttempts: 1 }, { kind: "retry", at: T0 + 60_000, delayMs: 60_000, consumesAttempt: true }],
  ["MaximumRetryAttempts 1: the second error gives up", ev(2), fnError, { ...DEFAULTS, maximumRetryAttempts: 1 }, { kind: "give-up", condition: "RetriesExhausted" }],
  ["MaximumEventAge 60 s: a 1-minute retry would land after it", ev(1), fnError, { ...DEFAULTS, maximumEventAgeMs: 60_000 }, { kind: "give-up", condition: "EventAgeExceeded" }],
  ["event age: a retry landing just before the limit runs", ev(1, 0, 59_999), fnError, { ...DEFAULTS, maximumEventAgeMs: 120_000 }, { kind: "retry", at: T0 + 60_000, delayMs: 60_000, consumesAttempt: true }],
  ["event age: a retry landing exactly at the limit gives up", ev(1, 0, 60_000), fnError, { ...DEFAULTS, maximumEventAgeMs: 120_000 }, { kind: "give-up", condition: "EventAgeExceeded" }],
  ["event age: the 2nd retry would be too late", ev(2, 0, 60_000), fnError, { ...DEFAULTS, maximumEventAgeMs: 120_000 }, { kind: "give-up", condition: "EventAgeExceeded" }],
  ["first throttle: retry after 1 s, not consuming an attempt", ev(0, 0), throttled, DEFAULTS, { kind: "retry", at: T0 + 1_000, delayMs: 1_000, consumesAttempt: false }],
  ["throttles back off exponentially: 4th → 8 s", ev(0, 3), throttled, DEFAULTS, { kind: "retry", at: T0 + 8_000, delayMs: 8_000, consumesAttempt: false }],
  ["throttle backoff caps at 5 minutes", ev(0, 12), throttled, DEFAULTS, { kind: "retry", at: T0 + 300_000, delayMs: 300_000, consumesAttempt: false }],
  ["throttles never exhaust retries (after 3 function errors' worth)", ev(2, 20), throttled, DEFAULTS, { kind: "retry", at: T0 + 300_000, delayMs: 300_000, consumesAttempt: false }],
  ["reserved concurrency full (not 0): backoff", ev(0, 0), reservedFull, DEFAULTS, { kind: "retry", at: T0 + 1_000, delayMs: 1_000, consumesAttempt: false }],
  ["reserved concurrency 0: straight to failure handling", ev(0, 0), reservedZero, DEFAULTS, { kind: "give-up", condition: "RetriesExhausted" }],
  ["service errors back off like throttles", ev(1, 2), serviceError, DEFAULTS, { kind: "retry", at: T0 + 4_000, delayMs: 4_000, consumesAttempt: false }],
  ["throttled near the 6-hour limit: EventAgeExceeded", ev(0, 12, 21_600_000 - 100_000), throttled, DEFAULTS, { kind: "give-up", condition: "EventAgeExceeded" }],
  ["service error near the limit: EventAgeExceeded", ev(0, 0, 59_500), serviceError, { ...DEFAULTS, maximumEventAgeMs: 60_000 }, { kind: "give-up", condition: "EventAgeExceeded" }],
];

describe("nextAsyncStep", () => {
  it.each(table)("%s", (_name, event, outcome, config, expected) => {
    expect(nextAsyncStep(event, outcome, config, T0, 0)).toEqual(expected);
  });

  it("jitters delays up to +10% from the random draw, never past the 5-minute cap", () => {
    const at = (r: number) => nextAsyncStep(ev(2), fnError, DEFAULTS, T0, r);
    expect(at(0.5)).toMatchObject({ delayMs: 126_000 });
    expect(at(0.999999)).toMatchObject({ delayMs: 132_000 });
    expect(throttleDelay(0, 0.5)).toBe(1_050);
    expect(throttleDelay(8, 0.999999)).toBe(281_600);
    expect(throttleDelay(9, 0.999999)).toBe(300_000);
  });
});

describe("isExpired", () => {
  it.each([
    ["younger than the limit", 59_999, false],
    ["exactly the limit", 60_000, false],
    ["older than the limit", 60_001, true],
  ] as const)("%s", (_name, age, expected) => {
    expect(isExpired({ enqueuedAt: T0 - age }, { ...DEFAULTS, maximumEventAgeMs: 60_000 }, T0)).toBe(expected);
  });
});
