/** Throttled batches back off from 1 s, doubling, up to this (their records or messages wait meanwhile). */
const MAX_THROTTLE_BACKOFF_MS = 60_000;

/**
 * How long a mapping waits after the `n`th throttle in a row (0-based), queue or stream alike:
 * 1 s doubling, at most a minute (aws-facts §6 "Backoff"; the cap is our choice).
 */
export function throttleBackoffMs(n: number): number {
  return Math.min(1_000 * 2 ** n, MAX_THROTTLE_BACKOFF_MS);
}
