import { describe, expect, it } from "vitest";
import { bisect, expiredCount, laneOf, onFailureRecord, parseStreamResponse, retryDelayMs, spanOf, NO_STATE } from "./stream-batches.ts";
import type { StreamRecord } from "./stream-reader.ts";

const rec = (seq: string, arrivalMs = 0, partitionKey = "k"): StreamRecord => ({ shardId: "shardId-000000000000", sequenceNumber: seq, partitionKey, arrivalMs, eventBytes: 0, event: {}, filterView: () => ({}) });
const seqs = ["s1", "s2", "s3"];

describe("stream batch rules (aws-facts §8.2)", () => {
  it("deals each partition key to one lane, within the factor", () => {
    for (const key of ["a", "b", "user-17", ""]) {
      expect(laneOf(key, 1)).toBe(0);
      const lane = laneOf(key, 5);
      expect(lane).toBeGreaterThanOrEqual(0);
      expect(lane).toBeLessThan(5);
      expect(laneOf(key, 5)).toBe(lane);
    }
    const lanes = new Set(Array.from({ length: 100 }, (_, i) => laneOf(`key-${i}`, 10)));
    expect(lanes.size).toBe(10);
  });

  it("bisects a batch into two halves, the first the larger", () => {
    expect(bisect([1, 2, 3, 4, 5])).toEqual([[1, 2, 3], [4, 5]]);
    expect(bisect([1, 2])).toEqual([[1], [2]]);
  });

  it("counts the leading records older than MaximumRecordAgeInSeconds, or than the retention with -1", () => {
    const batch = [rec("s1", 0), rec("s2", 50_000), rec("s3", 100_000)];
    expect(expiredCount(batch, 120_000, 60, 86_400_000)).toBe(2);
    expect(expiredCount(batch, 120_000, -1, 86_400_000)).toBe(0);
    expect(expiredCount(batch, 120_000, -1, 70_000)).toBe(1);
  });

  it("backs retries off from 1 s, doubling, up to a minute", () => {
    expect([1, 2, 3, 7, 20].map(retryDelayMs)).toEqual([1_000, 2_000, 4_000, 60_000, 60_000]);
  });

  it.each([
    ['{"batchItemFailures":[]}', true, { kind: "succeeded" }],
    ["", true, { kind: "succeeded" }],
    ["null", true, { kind: "succeeded" }],
    ["{}", true, { kind: "succeeded" }],
    ['{"batchItemFailures":[{"itemIdentifier":"s3"},{"itemIdentifier":"s2"}]}', true, { kind: "partial", firstFailed: 1 }],
    ['{"batchItemFailures":[{"itemIdentifier":"s1"}]}', true, { kind: "partial", firstFailed: 0 }],
    ['{"batchItemFailures":[{"itemIdentifier":""}]}', true, { kind: "failed" }],
    ['{"batchItemFailures":[{"itemIdentifier":null}]}', true, { kind: "failed" }],
    ['{"batchItemFailures":[{"id":"s1"}]}', true, { kind: "failed" }],
    ['{"batchItemFailures":[{"itemIdentifier":"zz"}]}', true, { kind: "failed" }],
    ["not json", true, { kind: "failed" }],
    // Ignored unless the mapping has ReportBatchItemFailures.
    ['{"batchItemFailures":[{"itemIdentifier":"s1"}]}', false, { kind: "succeeded" }],
  ])("response %s (ReportBatchItemFailures %s)", (text, report, outcome) => {
    expect(parseStreamResponse(Buffer.from(text), seqs, report, false)).toEqual(outcome);
  });

  it("requires state from a tumbling-window function", () => {
    expect(parseStreamResponse(Buffer.from('{"state":{"n":1}}'), seqs, false, true)).toEqual({ kind: "succeeded", state: { n: 1 } });
    expect(parseStreamResponse(Buffer.from('{"batchItemFailures":[]}'), seqs, true, true)).toEqual({ kind: "failed", reason: NO_STATE });
  });

  it("writes the OnFailure record, without responseContext for RecordAgeExceeded", () => {
    const common = { requestId: "r", functionArn: "arn:aws:lambda:us-east-1:000000000000:function:f", now: Date.UTC(2026, 0, 1), batchInfoKey: "KinesisBatchInfo", streamArn: "arn:s", span: spanOf([rec("s1", 1000), rec("s2", 2000)]) };
    const exhausted = onFailureRecord({ ...common, condition: "RetryAttemptsExhausted", approximateInvokeCount: 3, response: { executedVersion: "$LATEST", functionError: "Unhandled" } });
    expect(exhausted).toEqual({
      requestContext: { requestId: "r", functionArn: common.functionArn, condition: "RetryAttemptsExhausted", approximateInvokeCount: 3 },
      responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
      version: "1.0",
      timestamp: "2026-01-01T00:00:00.000Z",
      KinesisBatchInfo: {
        shardId: "shardId-000000000000",
        startSequenceNumber: "s1",
        endSequenceNumber: "s2",
        approximateArrivalOfFirstRecord: "1970-01-01T00:00:01.000Z",
        approximateArrivalOfLastRecord: "1970-01-01T00:00:02.000Z",
        batchSize: 2,
        streamArn: "arn:s",
      },
    });
    const aged = onFailureRecord({ ...common, condition: "RecordAgeExceeded", approximateInvokeCount: 0, response: { executedVersion: "$LATEST" } });
    expect(Object.keys(aged)).toEqual(["requestContext", "version", "timestamp", "KinesisBatchInfo"]);
  });
});
