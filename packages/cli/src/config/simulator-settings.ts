import type { SimulatorOptions, Source } from "@lambda-sim/core";
import { apiGatewaySource, cloudwatchLogsSource, cloudwatchMetricsSource, createSchedulesSource, eventsSource, functionUrlsSource, kinesisSource, snsSource, sqsSource, stsSource } from "@lambda-sim/sources";
import type { LoadedConfig } from "./load-config.ts";

/**
 * The explicit source registry (STYLE.md 7.3): no discovery. `start` and `run` serve the same
 * services, so a scenario can drive anything a running simulator offers.
 */
export function allSources(opts: { catchUp?: boolean } = {}): Source<any>[] {
  // events after schedules: it takes over the EventBridge API and passes scheduled rules on.
  return [sqsSource, kinesisSource, createSchedulesSource({ catchUp: opts.catchUp }), eventsSource, stsSource, cloudwatchLogsSource, cloudwatchMetricsSource, snsSource, apiGatewaySource, functionUrlsSource];
}

/** lambda-sim.yaml's `functionStates:` in service milliseconds (core's function-transitions.ts). */
export function functionStateTimes(states: LoadedConfig["functionStates"]): SimulatorOptions["functionStates"] {
  return states && { pendingMs: states.pendingSeconds * 1000, updateMs: states.updateSeconds * 1000 };
}

/** lambda-sim.yaml's `account:` section (seconds, AWS's names) as the simulator's governor settings. */
export function accountSettings(account: LoadedConfig["account"]): NonNullable<SimulatorOptions["account"]> {
  return {
    accountLimit: account.concurrentExecutions,
    unreservedMinimum: account.unreservedConcurrencyMinimum,
    scalingLimit: account.scalingLimit,
    scalingWindowMs: account.scalingWindowSeconds === undefined ? undefined : account.scalingWindowSeconds * 1000,
    scalingMode: account.scalingMode,
  };
}
