import type { Clock } from "../clock/clock.ts";
import type { Invoker } from "../invocation/invoker.ts";
import type { TargetRegistry } from "../invocation/targets.ts";
import type { FunctionRegistry } from "../registry/function-registry.ts";
import type { Telemetry } from "../telemetry/telemetry.ts";
import { arnService } from "../text/arn-fields.ts";
import type { CheckpointStore } from "./checkpoint-store.ts";
import { EsmWorker } from "./esm-worker.ts";
import { matchesFilters, parseFilterCriteria } from "./filter-criteria.ts";
import type { HeldAttempts } from "./held-attempts.ts";
import type { MappingRecord as Mapping } from "./mapping-store.ts";
import type { PollerFactory } from "./poller.ts";
import type { LastProcessingResult } from "./stream-batch-runner.ts";
import type { StreamReaderFactory } from "./stream-reader.ts";
import { StreamWorker } from "./stream-worker.ts";

/** What runs an enabled mapping: started once, stopped when the mapping is disabled, updated or deleted. */
export interface MappingWorker {
  start(): void;
  stop(): Promise<void>;
  /** The lanes (concurrent batches) a queue mapping runs now. */
  readonly concurrency?: number;
}

export interface MappingWorkerDeps {
  /** By the service in an EventSourceArn (`sqs`, `kinesis`): what the sources registered. */
  pollers: ReadonlyMap<string, PollerFactory>;
  streamReaders: ReadonlyMap<string, StreamReaderFactory>;
  registry: FunctionRegistry;
  invoker: Invoker;
  clock: Clock;
  telemetry: Telemetry;
  checkpoints: CheckpointStore;
  targets: TargetRegistry | undefined;
  /** A stream mapping's LastProcessingResult after each batch. */
  onProcessed(result: LastProcessingResult): void;
  /** A stream mapping's batches held by retries, kept across its workers. */
  heldAttempts?: HeldAttempts;
}

/**
 * The worker for mapping `m`, not started: a queue source's poller behind an EsmWorker's lanes, or
 * a stream source's reader behind a StreamWorker (shards in order, checkpoints). Undefined when
 * no source serves its ARN or its function is gone: such a mapping stays, and runs nothing.
 */
export function mappingWorker(m: Mapping, d: MappingWorkerDeps): MappingWorker | undefined {
  if (!d.registry.has(m.functionName)) return undefined;
  const fn = d.registry.get(m.functionName).latest;
  const filters = parseFilterCriteria(m.filterCriteria);
  const common = {
    functionName: m.functionName,
    qualifier: m.qualifier,
    uuid: m.uuid,
    sourceArn: m.sourceArn,
    batchSize: m.batchSize,
    batchWindowMs: m.batchWindowSeconds * 1000,
    reportBatchItemFailures: m.functionResponseTypes.includes("ReportBatchItemFailures"),
    eventCountMetrics: m.metricsConfig?.Metrics.includes("EventCount") === true,
  };
  const p = m.stream;
  if (p === undefined) {
    const factory = d.pollers.get(arnService(m.sourceArn));
    if (factory === undefined) return undefined;
    const poller = factory.create({
      sourceArn: m.sourceArn, functionTimeoutSeconds: fn.timeout, batchSize: m.batchSize, batchWindowSeconds: m.batchWindowSeconds, filters,
      stopsLoop: (header, recordId) => d.invoker.stopsLoop(m.functionName, m.qualifier, header, m.sourceArn, recordId),
    });
    return new EsmWorker({ ...common, maxConcurrency: m.maximumConcurrency ?? factory.scaling.ceiling, scaling: factory.scaling }, poller, d.invoker, d.clock, d.telemetry);
  }
  const factory = d.streamReaders.get(arnService(m.sourceArn));
  if (factory === undefined) return undefined;
  const reader = factory.create({ sourceArn: m.sourceArn, roleArn: fn.role });
  return new StreamWorker(
    {
      ...common,
      functionArn: d.registry.arn(m.functionName),
      batchInfoKey: factory.batchInfoKey,
      bisectBatchOnFunctionError: p.bisectBatchOnFunctionError,
      maximumRetryAttempts: p.maximumRetryAttempts,
      maximumRecordAgeInSeconds: p.maximumRecordAgeInSeconds,
      onFailureDestination: p.onFailureDestination,
      parallelizationFactor: p.parallelizationFactor,
      startingPosition: p.startingPosition,
      startingPositionTimestamp: p.startingPositionTimestamp,
      tumblingWindowMs: p.tumblingWindowInSeconds * 1000,
      filter: filters === undefined ? undefined : (r) => matchesFilters(filters, r.filterView()),
      onProcessed: d.onProcessed,
    },
    reader,
    { invoker: d.invoker, clock: d.clock, telemetry: d.telemetry, checkpoints: d.checkpoints, targets: d.targets, held: d.heldAttempts },
  );
}
