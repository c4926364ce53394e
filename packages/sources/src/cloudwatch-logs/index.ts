import { loadMigrations, type Source } from "@lambda-sim/core";
import { z } from "zod";
import { LogCapture } from "./log-capture.ts";
import { logGroupOperations } from "./log-group-operations.ts";
import { LogGroupSettings } from "./log-group-settings.ts";
import { logOperations } from "./log-operations.ts";
import { DEFAULT_MAX_BYTES_PER_GROUP, LogStore } from "./log-store.ts";
import { registerLogsProtocol } from "./logs-protocol.ts";

/**
 * `logs:` in lambda-sim.yaml. AWS keeps a group's events for its retention period (forever by
 * default); on a developer's disk (or in memory with --in-memory) caps on events and on bytes per
 * group keep it bounded instead, the oldest dropped first (chosen defaults: 10,000 events and 64
 * MiB of messages per function; a function printing 256 KB lines reaches the second first).
 */
export const logsConfigSchema = z
  .object({
    maxEventsPerGroup: z.number().int().min(1).max(10_000_000).default(10_000),
    maxBytesPerGroup: z.number().int().min(1024 * 1024).max(1024 * 1024 * 1024 * 1024).default(DEFAULT_MAX_BYTES_PER_GROUP),
  })
  .strict();
export type LogsConfig = z.infer<typeof logsConfigSchema>;

/**
 * CloudWatch Logs for function logs (issue 15): `/aws/lambda/NAME` with one stream per execution
 * environment, filled from the function.log telemetry and read through DescribeLogGroups,
 * DescribeLogStreams, GetLogEvents and FilterLogEvents (so `aws logs tail` and the SDK work); groups
 * created, kept for a retention and tagged as Terraform and deploy scripts do (log-group-settings.ts).
 */
export const cloudwatchLogsSource: Source<LogsConfig> = {
  name: "logs",
  configKey: "logs",
  configSchema: logsConfigSchema,
  migrations: loadMigrations("logs", new URL("./migrations/", import.meta.url)),
  start(ctx, config) {
    const now = () => ctx.clock.now();
    const store = new LogStore(ctx.store, config?.maxEventsPerGroup ?? 10_000, config?.maxBytesPerGroup ?? DEFAULT_MAX_BYTES_PER_GROUP, now);
    const settings = new LogGroupSettings(ctx.store, store, now);
    const capture = new LogCapture(store);
    // Every byte a function writes, also past the console's budget (output-forwarder.ts).
    const unsubscribe = ctx.telemetry.subscribe(capture.onEvent, { everyOutputByte: true });
    registerLogsProtocol(ctx, { ...logOperations(store, ctx.region, ctx.accountId), ...logGroupOperations(store, settings, ctx.region, ctx.accountId) });
    return {
      stop: () => {
        unsubscribe();
        store.flush();
      },
    };
  },
};
