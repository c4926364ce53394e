import { z } from "zod";
import type { MappingInput } from "./mapping-input.ts";
import { expandShortName } from "./short-names.ts";

/**
 * One entry of `eventSourceMappings:` in lambda-sim.yaml: CreateEventSourceMapping's parameters in
 * lowerCamelCase; the source may be written `sqs:NAME`. Ranges are checked by the API's own rules.
 */
export const mappingSchema = z.strictObject({
  functionName: z.string({ error: "expected the name of a function" }),
  eventSourceArn: z.string({ error: "expected sqs:NAME, kinesis:NAME or an ARN" }),
  batchSize: z.number({ error: "expected a whole number" }).int({ error: "expected a whole number" }).optional(),
  maximumBatchingWindowInSeconds: z.number({ error: "expected a whole number of seconds" }).int({ error: "expected a whole number of seconds" }).optional(),
  functionResponseTypes: z.array(z.enum(["ReportBatchItemFailures"], { error: "expected ReportBatchItemFailures" })).optional(),
  enabled: z.boolean({ error: "expected true or false" }).optional(),
  // Its range (2-1000) is AWS's check's to refuse, in AWS's words, with the entry's other parameters (mapping-validation.ts).
  scalingConfig: z.strictObject({ maximumConcurrency: z.number({ error: "expected a whole number" }).int() }).optional(),
  // Stream sources (kinesis:NAME); ranges are checked by the API's own rules (aws-facts §8.2).
  startingPosition: z.enum(["TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"], { error: "expected TRIM_HORIZON, LATEST or AT_TIMESTAMP" }).optional(),
  startingPositionTimestamp: z.union([z.number(), z.string()], { error: "expected epoch seconds or an ISO 8601 date" }).optional(),
  parallelizationFactor: z.number({ error: "expected a whole number between 1 and 10" }).int({ error: "expected a whole number between 1 and 10" }).optional(),
  bisectBatchOnFunctionError: z.boolean({ error: "expected true or false" }).optional(),
  maximumRetryAttempts: z.number({ error: "expected a whole number, -1 for no limit" }).int({ error: "expected a whole number, -1 for no limit" }).optional(),
  maximumRecordAgeInSeconds: z.number({ error: "expected a whole number of seconds, -1 for no limit" }).int({ error: "expected a whole number of seconds, -1 for no limit" }).optional(),
  tumblingWindowInSeconds: z.number({ error: "expected a whole number of seconds between 0 and 900" }).int({ error: "expected a whole number of seconds between 0 and 900" }).optional(),
  destinationConfig: z.strictObject({ onFailure: z.strictObject({ destination: z.string({ error: "expected sqs:NAME or an ARN" }) }) }).optional(),
  /** Up to 5 EventBridge-style patterns, each a JSON string as in the API or written as YAML. */
  filterCriteria: z
    .strictObject({
      filters: z.array(z.strictObject({ pattern: z.union([z.string(), z.record(z.string(), z.unknown())], { error: "expected a pattern: a JSON string or an object" }) })),
    })
    .optional(),
});

export type MappingEntry = z.output<typeof mappingSchema>;

/** The API input of a declared mapping, `sqs:NAME` turned into the queue's ARN. */
export function toMappingInput(e: MappingEntry, region: string, accountId: string): MappingInput {
  const arn = expandShortName(e.eventSourceArn, region, accountId);
  return {
    FunctionName: e.functionName,
    EventSourceArn: arn,
    BatchSize: e.batchSize,
    MaximumBatchingWindowInSeconds: e.maximumBatchingWindowInSeconds,
    FunctionResponseTypes: e.functionResponseTypes,
    Enabled: e.enabled,
    ScalingConfig: e.scalingConfig === undefined ? undefined : { MaximumConcurrency: e.scalingConfig.maximumConcurrency },
    StartingPosition: e.startingPosition,
    StartingPositionTimestamp: e.startingPositionTimestamp,
    ParallelizationFactor: e.parallelizationFactor,
    BisectBatchOnFunctionError: e.bisectBatchOnFunctionError,
    MaximumRetryAttempts: e.maximumRetryAttempts,
    MaximumRecordAgeInSeconds: e.maximumRecordAgeInSeconds,
    TumblingWindowInSeconds: e.tumblingWindowInSeconds,
    DestinationConfig: e.destinationConfig === undefined ? undefined : { OnFailure: { Destination: expandShortName(e.destinationConfig.onFailure.destination, region, accountId) } },
    FilterCriteria:
      e.filterCriteria === undefined
        ? undefined
        : { Filters: e.filterCriteria.filters.map((f) => ({ Pattern: typeof f.pattern === "string" ? f.pattern : JSON.stringify(f.pattern) })) },
  };
}
