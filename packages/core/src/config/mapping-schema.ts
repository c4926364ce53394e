import { z } from "zod";
import type { MappingInput } from "../mappings/event-source-mappings.ts";

/**
 * One entry of `eventSourceMappings:` in lambda-sim.yaml: CreateEventSourceMapping's parameters in
 * lowerCamelCase; the source may be written `sqs:NAME`. Ranges are checked by the API's own rules.
 */
export const mappingSchema = z.strictObject({
  functionName: z.string({ error: "expected the name of a function" }),
  eventSourceArn: z.string({ error: "expected sqs:NAME or an ARN" }),
  batchSize: z.number({ error: "expected a whole number" }).int({ error: "expected a whole number" }).optional(),
  maximumBatchingWindowInSeconds: z.number({ error: "expected a whole number of seconds" }).int({ error: "expected a whole number of seconds" }).optional(),
  functionResponseTypes: z.array(z.enum(["ReportBatchItemFailures"], { error: "expected ReportBatchItemFailures" })).optional(),
  enabled: z.boolean({ error: "expected true or false" }).optional(),
  scalingConfig: z.strictObject({ maximumConcurrency: z.number({ error: "expected a whole number between 2 and 1000" }).int().min(2).max(1000) }).optional(),
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
  const arn = e.eventSourceArn.startsWith("sqs:") ? `arn:aws:sqs:${region}:${accountId}:${e.eventSourceArn.slice(4)}` : e.eventSourceArn;
  return {
    FunctionName: e.functionName,
    EventSourceArn: arn,
    BatchSize: e.batchSize,
    MaximumBatchingWindowInSeconds: e.maximumBatchingWindowInSeconds,
    FunctionResponseTypes: e.functionResponseTypes,
    Enabled: e.enabled,
    ScalingConfig: e.scalingConfig === undefined ? undefined : { MaximumConcurrency: e.scalingConfig.maximumConcurrency },
    FilterCriteria:
      e.filterCriteria === undefined
        ? undefined
        : { Filters: e.filterCriteria.filters.map((f) => ({ Pattern: typeof f.pattern === "string" ? f.pattern : JSON.stringify(f.pattern) })) },
  };
}
