import { loadMigrations, type Source } from "@lambda-sim/core";
import { z } from "zod";
import { LogCapture } from "./log-capture.ts";
import { logOperations } from "./log-operations.ts";
import { LogStore } from "./log-store.ts";
import { registerLogsProtocol } from "./logs-protocol.ts";

/**
 * `logs:` in lambda-sim.yaml. AWS keeps a group's events for its retention period (forever by
 * default); on a developer's disk a cap on events per group keeps it bounded instead, the oldest
 * dropped first (chosen default: 10,000 events per function).
 */
export const logsConfigSchema = z
  .object({ maxEventsPerGroup: z.number().int().min(1).max(10_000_000).default(10_000) })
  .strict();
export type LogsConfig = z.infer<typeof logsConfigSchema>;

/**
 * CloudWatch Logs for function logs (issue 15): `/aws/lambda/NAME` with one stream per execution
 * environment, filled from the function.log telemetry and read through DescribeLogGroups,
 * DescribeLogStreams, GetLogEvents and FilterLogEvents (so `aws logs tail` and the SDK work).
 */
export const cloudwatchLogsSource: Source<LogsConfig> = {
  name: "logs",
  configKey: "logs",
  configSchema: logsConfigSchema,
  migrations: loadMigrations("logs", new URL("./migrations/", import.meta.url)),
  start(ctx, config) {
    const store = new LogStore(ctx.store, config?.maxEventsPerGroup ?? 10_000);
    const capture = new LogCapture(store);
    // Every byte a function writes, also past the console's budget (output-forwarder.ts).
    const unsubscribe = ctx.telemetry.subscribe(capture.onEvent, { everyOutputByte: true });
    registerLogsProtocol(ctx, logOperations(store, ctx.region, ctx.accountId));
    return {
      stop: () => {
        unsubscribe();
        store.flush();
      },
    };
  },
};
