import { z } from "zod";
import { faultSchema, FUNCTION_NAME_PATTERN, functionSchema, LAYER_NAME_PATTERN, layerSchema, mappingSchema } from "@lambda-sim/core";

/**
 * The whole lambda-sim.yaml, strict. Sources add their own top-level keys (`queues`, `streams`,
 * `eventSourceMappings`, `schedules`) through `extra` as they arrive.
 */
function wholeNumber(min: number) {
  const expected = `expected a whole number ≥ ${min}`;
  return z.number({ error: expected }).int({ error: expected }).min(min, { error: expected });
}

export function buildConfigSchema(extra: Record<string, z.ZodType> = {}) {
  return z.strictObject({
    region: z.string({ error: "expected an AWS region such as us-east-1" }).regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, { error: "expected an AWS region such as us-east-1" }).default("us-east-1"),
    accountId: z
      .union([z.string(), z.number()])
      .transform(String)
      .pipe(z.string().regex(/^\d{12}$/, { error: "expected a 12-digit account id" }))
      .default("000000000000"),
    // Account concurrency and scaling (aws-facts §4); small numbers let a workshop show throttles.
    account: z
      .strictObject({
        concurrentExecutions: wholeNumber(1).default(1000),
        unreservedConcurrencyMinimum: wholeNumber(0).optional(),
        scalingLimit: wholeNumber(1).optional(),
        scalingWindowSeconds: z.number({ error: "expected a number of seconds" }).positive({ error: "expected a positive number of seconds" }).optional(),
        // "account-burst": the pre-November-2023 rule (region burst, then +500 per minute, account-wide).
        scalingMode: z.enum(["per-function", "account-burst"], { error: "expected per-function or account-burst" }).optional(),
      })
      .default({ concurrentExecutions: 1000 }),
    // AWS's Pending (after CreateFunction) and InProgress (after an update) windows; instant by default.
    functionStates: z
      .strictObject({
        pendingSeconds: z.number({ error: "expected a number of seconds" }).min(0, { error: "expected 0 to 300 seconds" }).max(300, { error: "expected 0 to 300 seconds" }).default(0),
        updateSeconds: z.number({ error: "expected a number of seconds" }).min(0, { error: "expected 0 to 300 seconds" }).max(300, { error: "expected 0 to 300 seconds" }).default(0),
      })
      .optional(),
    functions: z
      .record(z.string().regex(FUNCTION_NAME_PATTERN, { error: "expected a function name of 1-64 letters, digits, hyphens or underscores" }), functionSchema, {
        error: "expected a map of function names to definitions",
      })
      .default({}),
    // Lambda layers: a folder or .zip each, referenced by name from functions' `layers:`.
    layers: z
      .record(z.string().regex(LAYER_NAME_PATTERN, { error: "expected a layer name of 1-140 letters, digits, hyphens or underscores" }), layerSchema, { error: "expected a map of layer names to definitions" })
      .default({}),
    eventSourceMappings: z.array(mappingSchema, { error: "expected a list of event source mappings" }).default([]),
    // `--auth`: the access keys whose SigV4 signatures are accepted (besides LAMBDA_SIM_ACCESS_KEY_ID).
    auth: z
      .strictObject({
        credentials: z
          .array(
            z.strictObject({
              accessKeyId: z.string({ error: "expected an access key id" }).min(1, { error: "expected an access key id" }),
              secretAccessKey: z.string({ error: "expected a secret access key" }).min(1, { error: "expected a secret access key" }),
            }),
            { error: "expected a list of { accessKeyId, secretAccessKey }" },
          )
          .default([]),
      })
      .default({ credentials: [] }),
    // Faults active from the start, as POST /_sim/faults takes them (issue 14).
    faults: z.array(faultSchema, { error: "expected a list of faults" }).default([]),
    ...extra,
  });
}

export const configSchema = buildConfigSchema();
export type ConfigFile = z.output<typeof configSchema>;
