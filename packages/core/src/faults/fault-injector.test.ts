import { describe, expect, it } from "vitest";
import { VirtualClock } from "../clock/virtual-clock.ts";
import { SeededRng } from "../random/seeded-rng.ts";
import { Telemetry } from "../telemetry/telemetry.ts";
import { FaultInjector, type InvocationSubject } from "./fault-injector.ts";
import { arnMatches } from "./arn-match.ts";

const subject = (over: Partial<InvocationSubject> = {}): InvocationSubject => ({ functionName: "f", executedVersion: "$LATEST", payload: Buffer.from("{}"), coldStart: false, ...over });

function injector(seed = 7) {
  const clock = new VirtualClock(0);
  return { clock, faults: new FaultInjector(clock, new Telemetry(clock), new SeededRng(seed).stream("faults")) };
}

describe("FaultInjector", () => {
  it("fires a fraction drawn from the seeded stream: the same seed fires on the same invocations", () => {
    const pattern = (seed: number) => {
      const { faults } = injector(seed);
      faults.add({ kind: "error", fraction: 0.3 });
      return Array.from({ length: 200 }, () => (faults.forInvocation(subject(), "run")?.outcome ? 1 : 0)).join("");
    };
    expect(pattern(7)).toBe(pattern(7));
    expect(pattern(7)).not.toBe(pattern(8));
    const fired = [...pattern(7)].filter((c) => c === "1").length;
    expect(fired).toBeGreaterThan(40);
    expect(fired).toBeLessThan(80);
  });

  it.each([
    { name: "function", spec: { function: "g" }, s: {}, fires: false },
    { name: "qualifier (alias)", spec: { function: "f", qualifier: "live" }, s: { qualifier: "live", executedVersion: "3" }, fires: true },
    { name: "qualifier (version run)", spec: { qualifier: "3" }, s: { qualifier: "live", executedVersion: "3" }, fires: true },
    { name: "source short form", spec: { source: "sqs:in" }, s: { sourceArn: "arn:aws:sqs:us-east-1:000000000000:in" }, fires: true },
    { name: "source of a direct invoke", spec: { source: "sqs:in" }, s: {}, fires: false },
    { name: "kinesis source", spec: { source: "kinesis:clicks" }, s: { sourceArn: "arn:aws:kinesis:us-east-1:000000000000:stream/clicks" }, fires: true },
    { name: "mapping", spec: { mapping: "u-1" }, s: { mappingUuid: "u-2", sourceArn: "x" }, fires: false },
    { name: "payload", spec: { payloadContains: "poison" }, s: { payload: Buffer.from('{"Records":["poison"]}') }, fires: true },
    ...[0, 1, 2].map((k) => ({ name: `payload in base64 data (alignment ${k})`, spec: { payloadContains: '"poison":true' }, s: { payload: Buffer.from(`{"data":"${Buffer.from(`${"x".repeat(k)}{"poison":true}`).toString("base64")}"}`) }, fires: true })),
    { name: "payload absent from base64 data", spec: { payloadContains: '"poison":true' }, s: { payload: Buffer.from(`{"data":"${Buffer.from('{"poison":false}').toString("base64")}"}`) }, fires: false },
  ])("scopes by $name", ({ spec, s, fires }) => {
    const { faults } = injector();
    faults.add({ kind: "error", ...spec });
    expect(faults.forInvocation(subject(s), "run")?.outcome !== undefined).toBe(fires);
  });

  it("is active only in its window of service time, and at most `times` times", async () => {
    const { clock, faults } = injector();
    faults.add({ kind: "throttle", afterSeconds: 10, forSeconds: 5, times: 2 });
    expect(faults.forInvocation(subject(), "admission")).toBeUndefined();
    await clock.advanceBy(10_000);
    expect(faults.forInvocation(subject(), "admission")?.throttle).toBe("ConcurrentInvocationLimitExceeded");
    expect(faults.forInvocation(subject(), "admission")?.throttle).toBeDefined();
    expect(faults.forInvocation(subject(), "admission")).toBeUndefined();
    await clock.advanceBy(5_000);
    expect(faults.list()[0]).toMatchObject({ fired: 2 });
  });

  it("scopes a delivery-failure by whose record it carries, as it scopes invocations", () => {
    const { faults } = injector();
    const dlq = "arn:aws:sqs:us-east-1:000000000000:dlq";
    const stream = "arn:aws:kinesis:us-east-1:000000000000:stream/clicks";
    faults.add({ kind: "delivery-failure", target: "sqs:dlq", source: stream, mapping: "m-1" });
    expect(faults.forDelivery(dlq, { functionName: "f", sourceArn: stream, mappingUuid: "m-2" })).toBeUndefined();
    expect(faults.forDelivery(dlq, { functionName: "f", qualifier: "live", executedVersion: "3" })).toBeUndefined();
    // A source's own delivery (an SNS or EventBridge DLQ) is no mapping's record.
    expect(faults.forDelivery(dlq)).toBeUndefined();
    expect(faults.forDelivery(dlq, { functionName: "f", sourceArn: stream, mappingUuid: "m-1" })).toMatchObject({ fired: 1 });
    faults.clear();
    faults.add({ kind: "delivery-failure", target: "sqs:dlq", qualifier: "3" });
    expect(faults.forDelivery(dlq, { functionName: "f", qualifier: "live", executedVersion: "3" })).toMatchObject({ fired: 1 });
    expect(faults.forDelivery(dlq, { functionName: "f", executedVersion: "$LATEST" })).toBeUndefined();
  });

  it("matches target references by service and name", () => {
    expect(arnMatches("sqs:dlq", "arn:aws:sqs:us-east-1:000000000000:dlq")).toBe(true);
    expect(arnMatches("sqs:dlq", "arn:aws:sqs:us-east-1:000000000000:dlq2")).toBe(false);
    expect(arnMatches("lambda:audit", "arn:aws:lambda:us-east-1:000000000000:function:audit:live")).toBe(true);
    expect(arnMatches("arn:aws:lambda:us-east-1:000000000000:function:audit", "arn:aws:lambda:us-east-1:000000000000:function:audit:live")).toBe(true);
  });
});
