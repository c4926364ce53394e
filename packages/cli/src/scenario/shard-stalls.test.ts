import { describe, expect, it } from "vitest";
import type { TelemetryEvent } from "@lambda-sim/core";
import { ShardStalls } from "./shard-stalls.ts";
import { nextShard, stalled, type ShardConsumerView } from "../dashboard/page/shard-consumers.js";

type BatchEvent = Extract<TelemetryEvent, { type: "mapping.batch" }>;
type GivenUpEvent = Extract<TelemetryEvent, { type: "mapping.batch-given-up" }>;
const ARN = "arn:aws:kinesis:us-east-1:000000000000:stream/clicks";
const SHARD = "shardId-000000000000";
const batch = (s: number, outcome: BatchEvent["outcome"], lane: number | undefined, last: string): BatchEvent =>
  ({ type: "mapping.batch", seq: s, time: s * 1000, mappingId: "m", functionName: "f", eventSourceArn: ARN, size: 1, outcome, shardId: SHARD, iteratorAgeMs: 0, lastSequenceNumber: last, ...(lane === undefined ? {} : { lane }) }) as BatchEvent;
const givenUp = (s: number, lane: number | undefined, last: string): GivenUpEvent =>
  ({ type: "mapping.batch-given-up", seq: s, time: s * 1000, mappingId: "m", functionName: "f", eventSourceArn: ARN, shardId: SHARD, size: 2, condition: "RetryAttemptsExhausted", lastSequenceNumber: last, ...(lane === undefined ? {} : { lane }) }) as GivenUpEvent;
const lines = (s: ShardStalls) => s.lines(0, 100_000, (ms) => `${ms / 1000} s`, (ms) => `${ms / 1000}`, (x) => x);

// An UpdateEventSourceMapping that sets ParallelizationFactor back to 1 restarts the shard with one
// lane, whose batches carry no lane: a lane held before it is read again there, and passed.
describe("a shard whose lanes an update took away", () => {
  it("ends a held lane's hold when the one lane's batch passes its failed batch", () => {
    const s = new ShardStalls();
    s.batch(batch(1, "failed", 2, "5"), "clicks");
    s.batch(batch(2, "succeeded", undefined, "3"), "clicks");
    expect(lines(s)).toEqual(["clicks shardId-000000000000 lane 2: held 99 s from +1 to the end, 1 failed attempt(s); iterator age up to 0 s"]);
    s.batch(batch(3, "succeeded", undefined, "9"), "clicks");
    expect(lines(s)).toEqual(["clicks shardId-000000000000 lane 2: held 2 s from +1 until succeeded at +3, 1 failed attempt(s); iterator age up to 0 s"]);
  });

  it("ends it when the one lane gives up records past it", () => {
    const s = new ShardStalls();
    s.batch(batch(1, "failed", 3, "5"), "clicks");
    s.batch(batch(2, "failed", undefined, "7"), "clicks");
    s.givenUp(givenUp(4, undefined, "7"), "clicks");
    expect(lines(s)).toEqual(["clicks shardId-000000000000 lane 3: held 3 s from +1 until 2 record(s) given up (RetryAttemptsExhausted) at +4, 1 failed attempt(s); 2 lanes held (0, 3); 2 record(s) given up in all; iterator age up to 0 s"]);
  });
});

// review37 #7: lane numbers mean the key's hash modulo the lane count, so an update of
// ParallelizationFactor (events' laneCount) leaves the old numbers naming other keys.
describe("a shard whose lane count an update changed", () => {
  it("ends the old lanes' holds at the change, and names each lane with its count", () => {
    const s = new ShardStalls();
    s.batch({ ...batch(1, "failed", 3, "5"), laneCount: 4 }, "clicks");
    s.batch({ ...batch(2, "failed", 1, "5"), laneCount: 2 }, "clicks");
    expect(s.heldNow("clicks")).toBe(true);
    expect(lines(s)).toEqual(["clicks shardId-000000000000 lane 1 of 2: held 98 s from +2 to the end, 1 failed attempt(s); 2 lanes held (1 of 2, 3 of 4); iterator age up to 0 s"]);
    s.givenUp({ ...givenUp(3, 1, "5"), laneCount: 2 }, "clicks");
    expect(s.heldNow("clicks")).toBe(false);
  });

  // review37 #12: the page held a lane until any success or give-up in it; both hold it until the failed batch is passed.
  it("holds as the dashboard's consumer does, event by event, across an update to one lane", () => {
    const events = [
      { ...batch(1, "failed", 2, "5"), laneCount: 4 },
      { ...batch(2, "succeeded", 0, "6"), laneCount: 4 },
      batch(3, "succeeded", undefined, "3"), // one lane now: it reads again from the checkpoint, behind lane 2's batch
      batch(4, "failed", undefined, "7"),
      givenUp(5, undefined, "6"), // an expired prefix: the rest of the batch still holds
      batch(6, "succeeded", undefined, "7"),
    ];
    const s = new ShardStalls();
    let view: ShardConsumerView | undefined;
    const held: [boolean, boolean][] = [];
    for (const e of events) {
      if (e.type === "mapping.batch") s.batch(e, "clicks");
      else s.givenUp(e, "clicks");
      view = nextShard(view, e);
      held.push([s.heldNow("clicks"), stalled(view)]);
    }
    expect(held).toEqual([[true, true], [true, true], [true, true], [true, true], [true, true], [false, false]]);
    // Lane 2's batch (to 5) is passed by the records given up (to 6); the one lane's (to 7) by its success.
    expect(lines(s)).toEqual(["clicks shardId-000000000000 lane 2: held 4 s from +1 until 2 record(s) given up (RetryAttemptsExhausted) at +5, 1 failed attempt(s); 2 lanes held (0, 2); 2 record(s) given up in all; iterator age up to 0 s"]);
  });
});
