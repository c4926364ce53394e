/**
 * AWS's rules for an asynchronous event after each attempt (aws-facts §5), as one pure function
 * (STYLE.md 7.8): the AsyncQueue stores what this returns and sets a Clock timer for it; it
 * decides nothing itself. Every rule has a row in async-retry-policy.test.ts.
 */

import type { GiveUpCondition, InvocationOutcome } from "../telemetry/events.ts";

import type { AsyncRetryConfig } from "../registry/async-retry-config.ts";

export type { GiveUpCondition, InvocationOutcome } from "../telemetry/events.ts";
export type { AsyncRetryConfig } from "../registry/async-retry-config.ts";

export type AsyncStep =
  | { kind: "done" }
  /** Retry at `at` (Clock ms); `consumesAttempt` says whether it counts against MaximumRetryAttempts. */
  | { kind: "retry"; at: number; delayMs: number; consumesAttempt: boolean }
  | { kind: "give-up"; condition: GiveUpCondition };

/** Where an event stands after the attempt being decided on. */
export interface AsyncEventState {
  /** Clock ms when the event was accepted: the start of its age. */
  enqueuedAt: number;
  /** Invocations that ran the function, this one included (the record's approximateInvokeCount). */
  invocations: number;
  /** Throttles and service errors since the last time the function ran (the backoff exponent). */
  throttles: number;
}

/** "~1 min before the 1st retry, ~2 min before the 2nd" (aws-facts §5, invocation-async-error-handling). */
export const FUNCTION_ERROR_DELAYS_MS = [60_000, 120_000] as const;
/** Throttles and 5xx: "exponentially from 1 s to a maximum of 5 min" (aws-facts §5). */
export const THROTTLE_BACKOFF_MIN_MS = 1_000;
export const THROTTLE_BACKOFF_MAX_MS = 300_000;
/**
 * AWS does not document its jitter (aws-facts §5: unconfirmed). Up to +10%, never less than the
 * documented delay: every retry stays inside the windows the AWS-recorded LocalStack test allows
 * (2nd attempt by +91 s, 3rd by +213 s), and MaximumEventAgeInSeconds 60 never retries.
 */
export const JITTER = 0.1;

/**
 * The next step for an event after an attempt ended with `outcome` at `now`. `random` is a draw in
 * [0, 1) from the seeded "retry-jitter" keyed draws, one per event and attempt (STYLE.md 7.5).
 */
export function nextAsyncStep(event: AsyncEventState, outcome: InvocationOutcome, config: AsyncRetryConfig, now: number, random: number): AsyncStep {
  switch (outcome.kind) {
    case "success":
      return { kind: "done" };
    case "function-error": {
      const retriesUsed = event.invocations - 1;
      if (retriesUsed >= config.maximumRetryAttempts) return { kind: "give-up", condition: "RetriesExhausted" };
      const base = FUNCTION_ERROR_DELAYS_MS[Math.min(retriesUsed, FUNCTION_ERROR_DELAYS_MS.length - 1)]!;
      return retryOrExpire(event, config, now, jittered(base, random), true);
    }
    case "throttled":
      // Reserved concurrency 0: "events go to the DLQ / OnFailure without retries" (aws-facts §4, §5).
      if (outcome.reservedConcurrency === 0) return { kind: "give-up", condition: "RetriesExhausted" };
      return retryOrExpire(event, config, now, throttleDelay(event.throttles, random), false);
    case "service-error":
      return retryOrExpire(event, config, now, throttleDelay(event.throttles, random), false);
    case "recursive-loop":
      // Straight to the DLQ or OnFailure (invocation-recursion); AWS documents no condition of its own for it.
      return { kind: "give-up", condition: "RetriesExhausted" };
  }
}

/**
 * Before an attempt (a retry timer fired, or the queue resumed after a restart): an event older
 * than MaximumEventAgeInSeconds is not run at all.
 */
export function isExpired(event: Pick<AsyncEventState, "enqueuedAt">, config: AsyncRetryConfig, now: number): boolean {
  return now - event.enqueuedAt > config.maximumEventAgeMs;
}

/** The nth throttle backoff: 1 s, 2 s, 4 s, … capped at 5 min, jittered. */
export function throttleDelay(throttles: number, random: number): number {
  return Math.min(jittered(THROTTLE_BACKOFF_MIN_MS * 2 ** Math.min(throttles, 30), random), THROTTLE_BACKOFF_MAX_MS);
}

function jittered(base: number, random: number): number {
  return Math.round(base * (1 + JITTER * random));
}

/**
 * "If the next retry would happen after the maximum event age, Lambda gives up at once"
 * (aws-facts §5); a retry due exactly at the limit would be too old by the time it ran.
 */
function retryOrExpire(event: AsyncEventState, config: AsyncRetryConfig, now: number, delayMs: number, consumesAttempt: boolean): AsyncStep {
  const at = now + delayMs;
  if (at - event.enqueuedAt >= config.maximumEventAgeMs) return { kind: "give-up", condition: "EventAgeExceeded" };
  return { kind: "retry", at, delayMs, consumesAttempt };
}
