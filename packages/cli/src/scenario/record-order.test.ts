import { describe, expect, it } from "vitest";
import type { InvocationResult } from "@lambda-sim/core";
import { RecordOrder } from "./record-order.ts";

const ok = { requestId: "r", payload: Buffer.from("null"), durationMs: 1, billedDurationMs: 1, maxMemoryUsedMb: 1, coldStart: false, environmentId: "e", logTail: "" } satisfies InvocationResult;
const kinesis = (...recs: [string, string][]) =>
  Buffer.from(JSON.stringify({ Records: recs.map(([partitionKey, sequenceNumber]) => ({ kinesis: { partitionKey, sequenceNumber, data: "" }, eventSourceARN: "arn:aws:kinesis:us-east-1:000000000000:stream/clicks" })) }));

describe("RecordOrder", () => {
  it("counts records processed after a later record of their key; failed batches are not processed", () => {
    const order = new RecordOrder();
    const seq = (n: number) => `4960${String(n).padStart(52, "0")}`;
    order.observe({ functionName: "f", payload: kinesis(["a", seq(1)], ["b", seq(2)], ["a", seq(3)]), result: ok });
    order.observe({ functionName: "f", payload: kinesis(["a", seq(2)]), result: { ...ok, errorType: "Error" } });
    expect(order.outOfOrder.get("clicks")).toBeUndefined();
    order.observe({ functionName: "f", payload: kinesis(["b", seq(4)], ["a", seq(2)]), result: ok });
    expect(order.outOfOrder.get("clicks")).toBe(1);
  });

  it("reads SQS FIFO groups by MessageGroupId and SequenceNumber", () => {
    const order = new RecordOrder();
    const fifo = (group: string, n: string) => Buffer.from(JSON.stringify({ Records: [{ attributes: { MessageGroupId: group, SequenceNumber: n }, eventSourceARN: "arn:aws:sqs:us-east-1:000000000000:orders.fifo" }] }));
    order.observe({ functionName: "f", payload: fifo("g1", "20"), result: ok });
    order.observe({ functionName: "f", payload: fifo("g2", "10"), result: ok });
    order.observe({ functionName: "f", payload: fifo("g1", "15"), result: ok });
    expect(Object.fromEntries(order.outOfOrder)).toEqual({ "orders.fifo": 1 });
  });

  it("does not count what a batch's answer returned (batchItemFailures): AWS's own FIFO handler and a stream's retry pass (newuser9 P1-6)", () => {
    const order = new RecordOrder();
    const answered = (...ids: string[]) => ({ ...ok, payload: Buffer.from(JSON.stringify({ batchItemFailures: ids.map((itemIdentifier) => ({ itemIdentifier })) })) });
    const fifo = (...msgs: [string, string][]) => Buffer.from(JSON.stringify({ Records: msgs.map(([id, n]) => ({ messageId: id, attributes: { MessageGroupId: "g", SequenceNumber: n }, eventSourceARN: "arn:aws:sqs:us-east-1:000000000000:jobs.fifo" })) }));
    // Stops at the first failure and returns the rest (AWS's FIFO advice); they come back in order.
    order.observe({ functionName: "f", payload: fifo(["m1", "1"], ["m4", "4"], ["m7", "7"]), result: answered("m4", "m7") });
    order.observe({ functionName: "f", payload: fifo(["m4", "4"], ["m7", "7"]), result: ok });
    const seq = (n: number) => `4960${String(n).padStart(52, "0")}`;
    // A stream batch answering record 2 failed: checkpointed before it, retried from it.
    order.observe({ functionName: "f", payload: kinesis(["a", seq(0)], ["a", seq(1)], ["a", seq(2)], ["a", seq(3)]), result: answered(seq(2)) });
    order.observe({ functionName: "f", payload: kinesis(["a", seq(2)], ["a", seq(3)]), result: ok });
    expect(Object.fromEntries(order.outOfOrder)).toEqual({});
    // A real one still counts: a later message processed before an earlier one it did not return.
    order.observe({ functionName: "f", payload: fifo(["m9", "9"], ["m8", "8"]), result: ok });
    expect(Object.fromEntries(order.outOfOrder)).toEqual({ "jobs.fifo": 1 });
  });
});
