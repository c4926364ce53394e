import type { TelemetryEvent } from "@lambda-sim/core";
import { describe, expect, it } from "vitest";
import { describeEvent, mayBeNotable } from "./event-line.ts";

const at = { time: 0 };

describe("which event lines are notable (printed by lambda-sim start)", () => {
  it("a throttle, a message moved to a DLQ and a last failed SNS delivery are; a finished invocation and an SNS retry are not", () => {
    const throttled = { ...at, type: "invocation.throttled", functionName: "f", qualifier: "$LATEST", reason: "ReservedFunctionConcurrentInvocationLimitExceeded", caller: "sync" } as TelemetryEvent;
    const retrying = { ...at, type: "sns.delivery-failed", topicArn: "arn:aws:sns:us-east-1:000000000000:t", messageId: "m", subscriptionArn: "arn:aws:sns:us-east-1:000000000000:t:s", attempt: 1, error: "x", retryInMs: 1000 } as TelemetryEvent;
    const lastTry = { ...retrying, retryInMs: undefined, dropped: true } as TelemetryEvent;
    expect(describeEvent(throttled)?.notable).toBe(true);
    expect(describeEvent(retrying)?.notable).toBe(false);
    expect(describeEvent(lastTry)?.notable).toBe(true);
    expect(mayBeNotable("invocation.finished")).toBe(false);
    expect(mayBeNotable("environment.state-changed")).toBe(false);
    expect(mayBeNotable("message.moved-to-dlq")).toBe(true);
  });

  it("a mapping scaling up or backing off is, scaling down is not", () => {
    const scaled = (change: string) => describeEvent({ ...at, type: "mapping.scaled", functionName: "f", eventSourceArn: "arn:aws:sqs:us-east-1:000000000000:q", change, lanes: 2, backoffMs: 1000 } as TelemetryEvent)?.notable;
    expect([scaled("up"), scaled("backoff"), scaled("down")]).toEqual([true, true, false]);
  });
});
