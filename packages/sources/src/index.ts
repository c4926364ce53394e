// @lambda-sim/sources: event sources, each a plain `Source` object (DESIGN.md).
export { sqsSource } from "./sqs/index.ts";
export { kinesisSource } from "./kinesis/index.ts";
export { schedulesSource, createSchedulesSource, type SchedulesOptions, type ScheduleView } from "./schedules/index.ts";
export { definitionOf as scheduleDefinitionOf, scheduleKey, scheduleKeyParts, type ScheduleConfig } from "./schedules/schedule-config.ts";
export { eventsSource } from "./events/index.ts";
export { stsSource } from "./sts/index.ts";
export { cloudwatchLogsSource } from "./cloudwatch-logs/index.ts";
export { cloudwatchMetricsSource } from "./cloudwatch-metrics/index.ts";
export { snsSource } from "./sns/index.ts";
export { apiGatewaySource, type ApiView } from "./http/index.ts";
export { functionUrlsSource, type FunctionUrlView } from "./function-urls/index.ts";
export { apiId } from "./http/api-config.ts";
export { unevaluatedVtl } from "./http/mapping-template.ts";
export { RouteTable } from "./http/route-table.ts";
