import type { MappingRecord } from "./mapping-store.ts";
import { streamShape } from "./stream-mapping-params.ts";

/** A mapping as the Lambda API returns it (EventSourceMappingConfiguration, botocore lambda model). */
export function mappingShape(m: MappingRecord, where: { functionArn: string; region: string; accountId: string }): Record<string, unknown> {
  const out: Record<string, unknown> = {
    UUID: m.uuid,
    BatchSize: m.batchSize,
    MaximumBatchingWindowInSeconds: m.batchWindowSeconds,
    EventSourceArn: m.sourceArn,
    FunctionArn: where.functionArn,
    LastModified: m.lastModified / 1000,
    State: m.enabled ? "Enabled" : "Disabled",
    StateTransitionReason: "USER_INITIATED",
    FunctionResponseTypes: m.functionResponseTypes,
    EventSourceMappingArn: `arn:aws:lambda:${where.region}:${where.accountId}:event-source-mapping:${m.uuid}`,
  };
  if (m.filterCriteria !== undefined) out.FilterCriteria = m.filterCriteria;
  if (m.metricsConfig !== undefined) out.MetricsConfig = m.metricsConfig;
  if (m.maximumConcurrency !== undefined) out.ScalingConfig = { MaximumConcurrency: m.maximumConcurrency };
  // SQS mappings have none: AWS's recorded answers for working ones carry no LastProcessingResult
  // (LS-ESM-SQS); one whose queue was deleted shows the ReceiveMessage error there, not simulated.
  if (m.stream !== undefined) Object.assign(out, streamShape(m.stream, m.lastProcessingResult));
  return out;
}
