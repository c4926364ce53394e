import { z } from "zod";

/**
 * `streams:` in lambda-sim.yaml (DESIGN.md "Config"): CreateStream's parameters in lowerCamelCase,
 * e.g. `clicks: { shardCount: 2 }`. Ranges as aws-facts §8.1.
 */
export const streamConfigSchema = z.record(
  z.string().regex(/^[a-zA-Z0-9_.-]{1,128}$/, { error: "expected a stream name: letters, digits, _ . and -, 1-128 long" }),
  z
    .strictObject({
      /** Shards of a PROVISIONED stream. @default 1 */
      shardCount: z.number({ error: "expected a whole number between 1 and 500" }).int({ error: "expected a whole number between 1 and 500" }).min(1, { error: "expected a whole number between 1 and 500" }).max(500, { error: "expected a whole number between 1 and 500" }).optional(),
      /** PROVISIONED (default) or ON_DEMAND (4 shards). */
      streamMode: z.enum(["PROVISIONED", "ON_DEMAND"], { error: "expected PROVISIONED or ON_DEMAND" }).optional(),
      /** @default 24 */
      retentionPeriodHours: z.number({ error: "expected a whole number of hours between 24 and 8760" }).int().min(24, { error: "expected a whole number of hours between 24 and 8760" }).max(8760, { error: "expected a whole number of hours between 24 and 8760" }).optional(),
      tags: z.record(z.string(), z.string(), { error: "expected a map of tag names to values" }).optional(),
      /** lambda-sim only. */
      sim: z
        .strictObject({
          /** Enforce AWS's per-shard writes (1,000 records and 1 MiB per second). @default false */
          enforceShardLimits: z.boolean({ error: "expected true or false" }).optional(),
        })
        .optional(),
    })
    .superRefine((s, ctx) => {
      if (s.streamMode === "ON_DEMAND" && s.shardCount !== undefined) ctx.addIssue({ code: "custom", path: ["shardCount"], message: "ON_DEMAND streams take no shardCount" });
    })
    .nullable()
    .transform((s) => s ?? {}),
);

export type StreamConfig = z.output<typeof streamConfigSchema>;
