import { describe, expect, it } from "vitest";
import { parseBatchItemFailures } from "./batch-item-failures.ts";

const ids = ["a", "b", "c"];

describe("ReportBatchItemFailures responses (aws-facts §6)", () => {
  it.each([
    ['{"batchItemFailures":[]}', { kind: "succeeded" }],
    ['{"batchItemFailures":null}', { kind: "succeeded" }],
    ["{}", { kind: "succeeded" }],
    ["null", { kind: "succeeded" }],
    ['"ok"', { kind: "succeeded" }],
    ['{"batchItemFailures":[{"itemIdentifier":"b"}]}', { kind: "partial", failedIds: ["b"] }],
    ['{"batchItemFailures":[{"itemIdentifier":"a"},{"itemIdentifier":"c"}]}', { kind: "partial", failedIds: ["a", "c"] }],
    ["not json", { kind: "failed" }],
    ['{"batchItemFailures":[{"itemIdentifier":""}]}', { kind: "failed" }],
    ['{"batchItemFailures":[{"itemIdentifier":null}]}', { kind: "failed" }],
    ['{"batchItemFailures":[{"id":"a"}]}', { kind: "failed" }],
    ['{"batchItemFailures":[{"itemIdentifier":"zzz"}]}', { kind: "failed" }],
    ['{"batchItemFailures":"a"}', { kind: "failed" }],
  ])("%s", (response, outcome) => {
    expect(parseBatchItemFailures(Buffer.from(response), ids)).toEqual(outcome);
  });
});
