import type { TelemetryEvent } from "@lambda-sim/core";
import { describe, expect, it } from "vitest";
import { concerns, describeEvent, mayBeNotable } from "./event-line.ts";

const at = { time: 0 };

describe("which event lines are notable (printed by lambda-sim start)", () => {
  it("a throttle, a message moved to a DLQ and a last failed SNS delivery are; a finished invocation and an SNS retry are not", () => {
    const throttled = { ...at, type: "invocation.throttled", functionName: "f", qualifier: "$LATEST", reason: "ReservedFunctionConcurrentInvocationLimitExceeded", caller: "sync" } as TelemetryEvent;
    const retrying = { ...at, type: "sns.delivery-failed", topicArn: "arn:aws:sns:us-east-1:000000000000:t", messageId: "m", subscriptionArn: "arn:aws:sns:us-east-1:000000000000:t:s", endpoint: "arn:aws:sqs:us-east-1:000000000000:q", attempt: 1, error: "x", retryInMs: 1000 } as TelemetryEvent;
    const lastTry = { ...retrying, retryInMs: undefined, dropped: true } as TelemetryEvent;
    expect(describeEvent(throttled)?.notable).toBe(true);
    expect(describeEvent(retrying)?.notable).toBe(false);
    expect(describeEvent(lastTry)?.notable).toBe(true);
    expect(mayBeNotable("invocation.finished")).toBe(false);
    expect(mayBeNotable("environment.state-changed")).toBe(false);
    expect(mayBeNotable("message.moved-to-dlq")).toBe(true);
  });

  it("an async event retried, sent to a destination or dropped is, and a fault fired (issue 15); an async attempt starting is not", () => {
    const async = { ...at, requestId: "r", functionName: "f" };
    expect(describeEvent({ ...async, type: "async.retry.scheduled", at: 60_000, delayMs: 60_000, consumesAttempt: true } as TelemetryEvent)?.notable).toBe(true);
    expect(describeEvent({ ...async, type: "async.delivered", destination: "OnSuccess", targetArn: "arn:aws:sqs:us-east-1:000000000000:done" } as TelemetryEvent)?.notable).toBe(true);
    expect(describeEvent({ ...async, type: "async.given-up", condition: "RetriesExhausted", approximateInvokeCount: 3, dropped: true } as TelemetryEvent)?.notable).toBe(true);
    expect(describeEvent({ ...at, type: "fault.fired", faultId: "fault-1", kind: "error", functionName: "f" } as TelemetryEvent)?.notable).toBe(true);
    expect(describeEvent({ ...async, type: "async.attempt.started", attempt: 1 } as TelemetryEvent)?.notable).toBe(false);
  });

  it("a stream batch refused for its answer is, and a batch given up to OnFailure (newuser8 R3, R6); a plain batch is not", () => {
    const kinesis = "arn:aws:kinesis:us-east-1:000000000000:stream/s";
    const batch = { ...at, type: "mapping.batch", mappingId: "u", functionName: "f", eventSourceArn: kinesis, size: 3, outcome: "failed", shardId: "shardId-000000000000", iteratorAgeMs: 0 } as TelemetryEvent;
    expect(describeEvent(batch)?.notable).toBe(false);
    expect(describeEvent({ ...batch, reason: "the answer has no `state` object (required with TumblingWindowInSeconds)" } as TelemetryEvent)?.notable).toBe(true);
    const givenUp = { ...at, type: "mapping.batch-given-up", mappingId: "u", functionName: "f", eventSourceArn: kinesis, shardId: "shardId-000000000000", size: 5, condition: "RecordAgeExceeded" } as TelemetryEvent;
    expect(describeEvent(givenUp)?.notable).toBe(false);
    expect(describeEvent({ ...givenUp, destination: "arn:aws:sqs:us-east-1:000000000000:failed" } as TelemetryEvent)?.notable).toBe(true);
  });

  it("a mapping scaling up or backing off is, scaling down is not", () => {
    const scaled = (change: string) => describeEvent({ ...at, type: "mapping.scaled", functionName: "f", eventSourceArn: "arn:aws:sqs:us-east-1:000000000000:q", change, lanes: 2, backoffMs: 1000 } as TelemetryEvent)?.notable;
    expect([scaled("up"), scaled("backoff"), scaled("down")]).toEqual([true, true, false]);
  });
});

describe("an environment's line", () => {
  it("says why it was reset (timeout, crash, out-of-memory), as a retired one says why it retired (issue 15)", () => {
    const moved = (to: string, reason?: string) => describeEvent({ ...at, type: "environment.state-changed", environmentId: "e1a2b3c4d5", functionName: "fn", version: "$LATEST", from: "busy", to, reason } as TelemetryEvent)?.text;
    expect(moved("reset", "timeout")).toBe("environment e1a2b3c4 fn:$LATEST: reset (timeout)");
    expect(moved("reset", "crash")).toBe("environment e1a2b3c4 fn:$LATEST: reset (crash)");
    expect(moved("reset", "out-of-memory")).toBe("environment e1a2b3c4 fn:$LATEST: reset (out-of-memory)");
    expect(moved("retired", "idle-timeout")).toBe("environment e1a2b3c4 fn:$LATEST: retired (idle-timeout)");
    expect(moved("idle")).toBe("environment e1a2b3c4 fn:$LATEST: frozen");
  });
});

describe("the lines of SNS and EventBridge fan-out events", () => {
  const topicArn = "arn:aws:sns:us-east-1:000000000000:orders";
  const ruleArn = "arn:aws:events:us-east-1:000000000000:rule/shop/big-orders";
  const line = (e: object) => describeEvent({ ...at, ...e } as TelemetryEvent);

  it.each([
    [{ type: "sns.published", topicArn, messageId: "m1", deliveries: 2, filteredOut: [`${topicArn}:s3`] }, "sns sns:orders message m1: published, 2 delivery(ies), filtered out by s3", false],
    [{ type: "sns.delivered", topicArn, subscriptionArn: `${topicArn}:s1`, endpoint: "arn:aws:lambda:us-east-1:000000000000:function:bill", messageId: "m1", attempt: 1, requestId: "r1" }, "sns sns:orders message m1: delivered to lambda:bill (request r1)", false],
    [{ type: "sns.delivered", topicArn, subscriptionArn: `${topicArn}:s2`, endpoint: "arn:aws:sqs:us-east-1:000000000000:audit", messageId: "m1", attempt: 3 }, "sns sns:orders message m1: delivered to sqs:audit at attempt 3", false],
    [{ type: "sns.delivery-failed", topicArn, subscriptionArn: `${topicArn}:s3`, endpoint: "http://[::1]:8080/a:b", messageId: "m1", attempt: 1, error: "HTTP 500", retryInMs: 20000 }, "sns sns:orders message m1: attempt 1 to http://[::1]:8080/a:b failed (HTTP 500); retry in 20 s", false],
    [{ type: "events.routed", busName: "shop", eventId: "e1", source: "shop", detailType: "OrderPlaced", rules: [ruleArn] }, "events shop event e1 (shop, OrderPlaced): matched big-orders", false],
    [{ type: "events.routed", busName: "shop", eventId: "e2", source: "shop", detailType: "Other", rules: [] }, "events shop event e2 (shop, Other): matched no rule", false],
    [{ type: "events.delivered", ruleArn, targetId: "fn", targetArn: "arn:aws:lambda:us-east-1:000000000000:function:bill", eventId: "e1", attempt: 1, requestId: "r2" }, "events rule big-orders target fn lambda:bill: delivered event e1 (request r2)", false],
    [{ type: "schedule.delivered", scheduleArn: "arn:aws:scheduler:us-east-1:000000000000:schedule/default/nightly", targetId: "", targetArn: "arn:aws:lambda:us-east-1:000000000000:function:bill", attempt: 1, requestId: "r3" }, "schedule nightly: delivered to lambda:bill (request r3)", false],
    [{ type: "events.delivery-failed", ruleArn, targetId: "q", targetArn: "arn:aws:sqs:us-east-1:000000000000:gone", eventId: "e1", attempt: 1, error: "RESOURCE_NOT_FOUND: the queue does not exist", deadLetterArn: "arn:aws:sqs:us-east-1:000000000000:dlq" }, "events rule big-orders target q sqs:gone: event e1 attempt 1 failed (RESOURCE_NOT_FOUND: the queue does not exist); sent to DLQ sqs:dlq", true],
    [{ type: "events.delivery-failed", ruleArn, targetId: "q", targetArn: "arn:aws:sqs:us-east-1:000000000000:slow", eventId: "e1", attempt: 2, error: "THROTTLING: x", retryInMs: 1500 }, "events rule big-orders target q sqs:slow: event e1 attempt 2 failed (THROTTLING: x); retry in 1.5 s", false],
  ])("%j", (e, text, notable) => {
    expect(line(e)).toMatchObject({ text, notable });
  });
});

describe("tail --source for topics and buses", () => {
  it("follows a topic by its name or sns:NAME, and a bus's events and its rules' deliveries by the bus's name", () => {
    const published = { ...at, type: "sns.published", topicArn: "arn:aws:sns:us-east-1:000000000000:orders", messageId: "m", deliveries: 1 } as TelemetryEvent;
    const routed = { ...at, type: "events.routed", busName: "shop", eventId: "e", source: "s", detailType: "d", rules: [] } as TelemetryEvent;
    const delivered = (ruleArn: string) => ({ ...at, type: "events.delivered", ruleArn, targetId: "t", targetArn: "arn:aws:sqs:us-east-1:000000000000:q", eventId: "e", attempt: 1 }) as TelemetryEvent;
    expect([concerns(published, { source: "orders" }), concerns(published, { source: "sns:orders" }), concerns(published, { source: "shop" })]).toEqual([true, true, false]);
    expect(concerns(routed, { source: "shop" })).toBe(true);
    expect(concerns(delivered("arn:aws:events:us-east-1:000000000000:rule/shop/big"), { source: "shop" })).toBe(true);
    expect(concerns(delivered("arn:aws:events:us-east-1:000000000000:rule/big"), { source: "default" })).toBe(true);
    expect(concerns(delivered("arn:aws:events:us-east-1:000000000000:rule/big"), { source: "shop" })).toBe(false);
  });
});

describe("an invocation's line names who made it (newuser10 N3-2), as the dashboard's invocation list does", () => {
  const finished = { ...at, type: "invocation.finished", requestId: "r1", functionName: "ws-NodeFn-JY7VEIQWCHG4", version: "$LATEST", environmentId: "e1", durationMs: 3.5, billedDurationMs: 4, maxMemoryUsedMb: 49, status: "success" };
  const line = (via?: object) => describeEvent({ ...finished, via } as TelemetryEvent)?.text;

  it.each([
    [{ front: "rest-api", apiId: "d9ef8224a1", stage: "Prod", routeKey: "GET /long" }, " via REST GET /long"],
    [{ front: "http-api", apiId: "b7f01ef3c1", stage: "$default", routeKey: "GET /long" }, " via HTTP GET /long"],
    [{ front: "http-api", apiId: "b7f01ef3c1", stage: "$default", routeKey: "$default" }, " via HTTP $default"],
    [{ front: "rest-api", apiId: "d9ef8224a1", stage: "Prod", routeKey: "GET /long", authorizer: true }, " via REST GET /long authorizer"],
    [{ front: "function-url", apiId: "1809b0ce", stage: "$default", routeKey: "$default" }, " via URL"],
    [{ eventSourceArn: "arn:aws:sqs:us-east-1:000000000000:orders" }, " via sqs:orders"],
    [{ eventSourceArn: "arn:aws:kinesis:us-east-1:000000000000:stream/clicks" }, " via kinesis:clicks"],
    [undefined, ""],
  ])("%j", (via, label) => {
    expect(line(via)).toBe(`invoked ws-NodeFn-JY7VEIQWCHG4:$LATEST request r1${label}: 3.50 ms, billed 4 ms, 49 MB`);
  });
});
