/**
 * SNS delivery retries as a pure function (SNS "Amazon SNS message delivery retries"). A policy
 * runs four phases in order: retries without delay, retries at the minimum delay, a backoff from
 * the minimum to the maximum delay, then retries at the maximum delay.
 */
export interface RetryPolicy {
  numRetries: number;
  numNoDelayRetries: number;
  minDelayTarget: number;
  numMinDelayRetries: number;
  maxDelayTarget: number;
  numMaxDelayRetries: number;
  backoffFunction: "linear" | "arithmetic" | "geometric" | "exponential";
}

/**
 * AWS managed endpoints (Lambda, SQS), not changeable: 3 immediate retries, 2 one second apart,
 * 10 exponential from 1 to 20 seconds, then 100,000 at 20 seconds: 100,015 retries over 23 days.
 */
export const MANAGED_ENDPOINT_POLICY: RetryPolicy = {
  numRetries: 100_015, numNoDelayRetries: 3, minDelayTarget: 1, numMinDelayRetries: 2,
  maxDelayTarget: 20, numMaxDelayRetries: 100_000, backoffFunction: "exponential",
};

/** HTTP/HTTPS by default: 3 retries 20 seconds apart (SNS default delivery policy). */
export const DEFAULT_HTTP_POLICY: RetryPolicy = {
  numRetries: 3, numNoDelayRetries: 0, minDelayTarget: 20, numMinDelayRetries: 0,
  maxDelayTarget: 20, numMaxDelayRetries: 0, backoffFunction: "linear",
};

/**
 * The delay in ms before retry number `retry` (1-based), or undefined when the policy allows no
 * more. AWS adds jitter and does not publish its backoff curves: the curves here are lambda-sim's
 * reading of the names, deterministic, with no jitter (chosen).
 */
export function retryDelayMs(p: RetryPolicy, retry: number): number | undefined {
  if (retry > p.numRetries) return undefined;
  let k = retry;
  if (k <= p.numNoDelayRetries) return 0;
  k -= p.numNoDelayRetries;
  if (k <= p.numMinDelayRetries) return p.minDelayTarget * 1000;
  k -= p.numMinDelayRetries;
  const backoff = Math.max(0, p.numRetries - p.numNoDelayRetries - p.numMinDelayRetries - p.numMaxDelayRetries);
  if (k <= backoff) {
    const f = k / backoff;
    const min = p.minDelayTarget;
    const max = p.maxDelayTarget;
    const s =
      p.backoffFunction === "linear" ? min + (max - min) * f
      : p.backoffFunction === "arithmetic" ? min + (max - min) * f * f
      : p.backoffFunction === "geometric" ? min + (max - min) * f ** 3
      : min * (max / Math.max(min, 0.001)) ** f;
    return Math.round(Math.min(max, Math.max(min, s)) * 1000);
  }
  return p.maxDelayTarget * 1000;
}

/**
 * The policy of an HTTP/HTTPS subscription: its own DeliveryPolicy's healthyRetryPolicy, else the
 * topic's `http.defaultHealthyRetryPolicy` (unless the topic disables overrides), else AWS's default.
 */
export function httpRetryPolicy(subscriptionPolicy: string | undefined, topicPolicy: string | undefined): RetryPolicy {
  const topic = parse(topicPolicy)?.http;
  const sub = topic?.disableSubscriptionOverrides ? undefined : parse(subscriptionPolicy)?.healthyRetryPolicy;
  const chosen = sub ?? topic?.defaultHealthyRetryPolicy;
  return { ...DEFAULT_HTTP_POLICY, ...(typeof chosen === "object" && chosen !== null ? chosen : {}) };
}

function parse(text: string | undefined): any {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
