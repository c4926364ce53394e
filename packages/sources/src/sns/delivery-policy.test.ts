import { describe, expect, it } from "vitest";
import { DEFAULT_HTTP_POLICY, MANAGED_ENDPOINT_POLICY, httpRetryPolicy, retryDelayMs } from "./delivery-policy.ts";

describe("SNS delivery retry policies", () => {
  it.each([
    // [retry, delay ms] for Lambda and SQS subscriptions (AWS managed endpoints)
    [1, 0], [3, 0], [4, 1000], [5, 1000], [6, 1349], [15, 20_000], [16, 20_000], [100_015, 20_000], [100_016, undefined],
  ])("managed endpoints: retry %i waits %s ms", (retry, delay) => {
    expect(retryDelayMs(MANAGED_ENDPOINT_POLICY, retry)).toBe(delay);
  });

  it.each([[1, 20_000], [3, 20_000], [4, undefined]])("HTTP by default: retry %i waits %s ms", (retry, delay) => {
    expect(retryDelayMs(DEFAULT_HTTP_POLICY, retry)).toBe(delay);
  });

  it("takes the subscription's healthyRetryPolicy over the topic's default, unless the topic forbids overrides", () => {
    const sub = JSON.stringify({ healthyRetryPolicy: { numRetries: 5, minDelayTarget: 1, maxDelayTarget: 1 } });
    const topic = (disable: boolean) => JSON.stringify({ http: { disableSubscriptionOverrides: disable, defaultHealthyRetryPolicy: { numRetries: 2, minDelayTarget: 7, maxDelayTarget: 7 } } });
    expect(httpRetryPolicy(sub, topic(false)).numRetries).toBe(5);
    expect(httpRetryPolicy(sub, topic(true))).toMatchObject({ numRetries: 2, minDelayTarget: 7 });
    expect(httpRetryPolicy(undefined, undefined)).toEqual(DEFAULT_HTTP_POLICY);
  });
});
