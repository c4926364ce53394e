import { describe, expect, it } from "vitest";
import type { MappingInput } from "../config/mapping-input.ts";
import { mappingInputProblems } from "./mapping-problems.ts";
import { streamParams, validateStreamParams } from "./stream-mapping-params.ts";

const STREAM = "arn:aws:kinesis:us-east-1:000000000000:stream/clicks";
const QUEUE = "arn:aws:sqs:us-east-1:000000000000:jobs";
const messages = (input: MappingInput, kind: "stream" | "queue" | undefined) => mappingInputProblems(input, { kind, now: 0 }).map((e) => e.message);

describe("mappingInputProblems", () => {
  it("lists every refused stream parameter once, in the order AWS checks them", () => {
    const input: MappingInput = { FunctionName: "f", EventSourceArn: STREAM, StartingPosition: "LATEST", ParallelizationFactor: 11, MaximumRetryAttempts: -2, MaximumRecordAgeInSeconds: -5 };
    expect(messages(input, "stream")).toEqual([
      "1 validation error detected: Value '11' at 'parallelizationFactor' failed to satisfy constraint: Member must have value less than or equal to 10",
      "1 validation error detected: Value '-2' at 'maximumRetryAttempts' failed to satisfy constraint: Member must have value greater than or equal to -1",
      // One message for the parameter, though it also breaks the one-minute rule.
      "1 validation error detected: Value '-5' at 'maximumRecordAgeInSeconds' failed to satisfy constraint: Member must have value greater than or equal to -1",
    ]);
    // The API answers the first, as before.
    expect(() => validateStreamParams(streamParams(input, undefined), 100, 0, 0)).toThrow(/parallelizationFactor/);
  });

  it("lists every stream-only parameter of a queue mapping, and its own refusals", () => {
    const input: MappingInput = { FunctionName: "f", EventSourceArn: QUEUE, StartingPosition: "LATEST", TumblingWindowInSeconds: 5, MaximumBatchingWindowInSeconds: 301, ScalingConfig: { MaximumConcurrency: 1 } };
    expect(messages(input, "queue")).toEqual([
      "Unsupported StartingPosition parameter for given event source mapping type.",
      "Unsupported TumblingWindowInSeconds parameter for given event source mapping type.",
      "1 validation error detected: Value '301' at 'maximumBatchingWindowInSeconds' failed to satisfy constraint: Member must have value less than or equal to 300",
      "1 validation error detected: Value '1' at 'scalingConfig.maximumConcurrency' failed to satisfy constraint: Member must have value between 2 and 1000",
    ]);
  });

  it("answers an unknown source's mapping with AWS's one message", () => {
    expect(messages({ FunctionName: "f", EventSourceArn: "arn:aws:s3:::bucket", BatchSize: 0 }, undefined)).toEqual(["Unrecognized event source, must be kinesis, dynamodb stream, sqs, msk, mq, or documentdb."]);
  });
});
