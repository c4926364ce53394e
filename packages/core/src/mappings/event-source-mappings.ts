import type { Clock } from "../clock/clock.ts";
import { AwsError } from "../errors/aws-error.ts";
import { lambdaErrors } from "../errors/lambda-errors.ts";
import type { Invoker } from "../invocation/invoker.ts";
import type { RandomStream } from "../random/rng.ts";
import type { FunctionRegistry } from "../registry/function-registry.ts";
import type { Store } from "../store/store.ts";
import type { Telemetry } from "../telemetry/telemetry.ts";
import { ESM_SCALING, EsmWorker } from "./esm-worker.ts";
import { matchesFilters, parseFilterCriteria } from "./filter-criteria.ts";
import type { PollerFactory } from "./poller.ts";
import type { TargetRegistry } from "../invocation/targets.ts";
import { CheckpointStore } from "./checkpoint-store.ts";
import type { StreamReaderFactory } from "./stream-reader.ts";
import { rejectStreamOnlyParams, STREAM_BATCH_SIZE, streamParams, streamShape, validateStreamParams, type StreamMappingInput, type StreamMappingParams } from "./stream-mapping-params.ts";
import { StreamWorker } from "./stream-worker.ts";

export interface MappingInput extends StreamMappingInput {
  FunctionName?: string;
  EventSourceArn?: string;
  BatchSize?: number;
  MaximumBatchingWindowInSeconds?: number;
  Enabled?: boolean;
  FunctionResponseTypes?: string[];
  ScalingConfig?: { MaximumConcurrency?: number };
  FilterCriteria?: { Filters?: { Pattern?: string }[] };
}

interface Mapping {
  uuid: string;
  functionName: string;
  sourceArn: string;
  batchSize: number;
  batchWindowSeconds: number;
  enabled: boolean;
  functionResponseTypes: string[];
  maximumConcurrency?: number;
  /** FilterCriteria as AWS returns it; absent when the mapping does not filter. */
  filterCriteria?: { Filters: { Pattern: string }[] };
  lastModified: number;
  /** Stream sources only (Kinesis): their parameters (stream-mapping-params.ts). */
  stream?: StreamMappingParams;
}

/**
 * Event source mappings (a Lambda API, so core owns it; STYLE.md 7.3): Create/Get/List/Update/
 * Delete with AWS's fields, defaults and validation (aws-facts §6, §8.2), persisted, with one
 * worker per enabled mapping. Queue sources (SQS) register a poller and get an EsmWorker's lanes;
 * stream sources (Kinesis) register a StreamReader and get a StreamWorker (shards in order,
 * checkpoints); their parameters live in stream-mapping-params.ts.
 */
export class EventSourceMappings {
  private readonly store: Store;
  private readonly registry: FunctionRegistry;
  private readonly invoker: Invoker;
  private readonly clock: Clock;
  private readonly telemetry: Telemetry;
  private readonly ids: RandomStream;
  private readonly pollers = new Map<string, PollerFactory>();
  private readonly streamReaders = new Map<string, StreamReaderFactory>();
  private readonly checkpoints: CheckpointStore;
  private readonly targets: TargetRegistry | undefined;
  private readonly mappings = new Map<string, Mapping>();
  private readonly workers = new Map<string, { stop(): Promise<void>; readonly concurrency?: number }>();

  constructor(opts: { store: Store; registry: FunctionRegistry; invoker: Invoker; clock: Clock; telemetry: Telemetry; ids: RandomStream; targets?: TargetRegistry }) {
    this.store = opts.store;
    this.registry = opts.registry;
    this.invoker = opts.invoker;
    this.clock = opts.clock;
    this.telemetry = opts.telemetry;
    this.ids = opts.ids;
    this.targets = opts.targets;
    this.checkpoints = new CheckpointStore(opts.store);
    for (const row of this.store.db.prepare("SELECT config FROM event_source_mappings").all() as { config: string }[]) {
      const m = JSON.parse(row.config) as Mapping;
      this.mappings.set(m.uuid, m);
    }
  }

  registerPoller(service: string, factory: PollerFactory): void {
    this.pollers.set(service, factory);
  }

  /** Stream sources (Kinesis, later DynamoDB Streams) register their shard reader instead of a poller. */
  registerStreamReader(service: string, factory: StreamReaderFactory): void {
    this.streamReaders.set(service, factory);
  }

  /**
   * Mappings declared in lambda-sim.yaml: created, or updated to match the file when one for the
   * same function and source exists. Call after the sources registered their pollers.
   */
  async applyDefinitions(defs: readonly MappingInput[]): Promise<void> {
    for (const def of defs) {
      const fn = this.registry.get(def.FunctionName ?? "").name;
      const existing = [...this.mappings.values()].find((m) => m.sourceArn === def.EventSourceArn && m.functionName === fn);
      if (existing === undefined) this.createStopped(def);
      else await this.update(existing.uuid, def, false);
    }
  }

  /** Starts the workers of enabled mappings (after the sources registered their pollers). */
  start(): void {
    for (const m of this.mappings.values()) if (m.enabled) this.startWorker(m);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.workers.values()].map((w) => w.stop()));
    this.workers.clear();
  }

  create(input: MappingInput): Record<string, unknown> {
    const m = this.createStopped(input);
    if (m.enabled) this.startWorker(m);
    return { ...this.shape(m), State: m.enabled ? "Creating" : "Disabled" };
  }

  private createStopped(input: MappingInput): Mapping {
    checkStringMembers(input);
    if (!input.EventSourceArn) throw lambdaErrors.invalidParameterValue("Unrecognized event source, must be kinesis, dynamodb stream, sqs, msk, mq, or documentdb.");
    const rec = this.registry.get(input.FunctionName ?? "");
    const duplicate = [...this.mappings.values()].find((m) => m.sourceArn === input.EventSourceArn && m.functionName === rec.name);
    if (duplicate !== undefined) {
      throw lambdaErrors.resourceConflict(
        `An event source mapping with ${this.isStream(input.EventSourceArn) ? "Kinesis" : "SQS"} arn (" ${input.EventSourceArn} ") and function (" ${rec.name} ") already exists. Please update or delete the existing mapping with UUID ${duplicate.uuid}`,
      );
    }
    if (!this.isStream(input.EventSourceArn)) rejectStreamOnlyParams(input);
    else rejectQueueOnlyParams(input);
    const m: Mapping = {
      uuid: this.ids.uuid(),
      functionName: rec.name,
      sourceArn: input.EventSourceArn,
      batchSize: input.BatchSize ?? (this.isStream(input.EventSourceArn) ? STREAM_BATCH_SIZE.default : 10),
      batchWindowSeconds: input.MaximumBatchingWindowInSeconds ?? 0,
      enabled: input.Enabled ?? true,
      functionResponseTypes: input.FunctionResponseTypes ?? [],
      maximumConcurrency: input.ScalingConfig?.MaximumConcurrency,
      filterCriteria: filterCriteriaOf(input.FilterCriteria),
      lastModified: this.clock.now(),
      stream: this.isStream(input.EventSourceArn) ? streamParams(input, undefined) : undefined,
    };
    this.validate(m);
    this.save(m);
    return m;
  }

  get(uuid: string): Record<string, unknown> {
    return this.shape(this.find(uuid));
  }

  list(filter: { EventSourceArn?: string; FunctionName?: string }): Record<string, unknown>[] {
    const fn = filter.FunctionName === undefined ? undefined : this.registry.get(filter.FunctionName).name;
    return [...this.mappings.values()]
      .filter((m) => (filter.EventSourceArn === undefined || m.sourceArn === filter.EventSourceArn) && (fn === undefined || m.functionName === fn))
      .map((m) => this.shape(m));
  }

  async update(uuid: string, input: MappingInput, run = true): Promise<Record<string, unknown>> {
    const current = this.find(uuid);
    checkStringMembers(input);
    if (current.stream === undefined) rejectStreamOnlyParams(input);
    else rejectQueueOnlyParams(input);
    const m: Mapping = {
      ...current,
      functionName: input.FunctionName === undefined ? current.functionName : this.registry.get(input.FunctionName).name,
      batchSize: input.BatchSize ?? current.batchSize,
      batchWindowSeconds: input.MaximumBatchingWindowInSeconds ?? current.batchWindowSeconds,
      enabled: input.Enabled ?? current.enabled,
      functionResponseTypes: input.FunctionResponseTypes ?? current.functionResponseTypes,
      maximumConcurrency: input.ScalingConfig === undefined ? current.maximumConcurrency : input.ScalingConfig.MaximumConcurrency,
      // `FilterCriteria: {}` or an empty Filters list removes the filters.
      filterCriteria: input.FilterCriteria === undefined ? current.filterCriteria : filterCriteriaOf(input.FilterCriteria),
      lastModified: this.clock.now(),
      stream: current.stream === undefined ? undefined : streamParams(input, current.stream),
    };
    this.validate(m);
    await this.workers.get(uuid)?.stop();
    this.workers.delete(uuid);
    this.save(m);
    if (m.enabled && run) this.startWorker(m);
    return { ...this.shape(m), State: m.enabled ? "Updating" : "Disabling" };
  }

  async delete(uuid: string): Promise<Record<string, unknown>> {
    const m = this.find(uuid);
    await this.workers.get(uuid)?.stop();
    this.workers.delete(uuid);
    this.mappings.delete(uuid);
    this.checkpoints.deleteMapping(uuid);
    this.store.db.prepare("DELETE FROM event_source_mappings WHERE uuid = ?").run(uuid);
    return { ...this.shape(m), State: "Deleting" };
  }

  /** Every mapping with its running lanes (SQS: concurrent batches), for the dashboard's snapshot. */
  overview(): { uuid: string; functionName: string; eventSourceArn: string; state: string; batchSize: number; lanes?: number }[] {
    return this.list({}).map((m) => {
      const w = this.workers.get(m.UUID as string);
      return { uuid: m.UUID as string, functionName: String(m.FunctionArn).split(":").pop()!, eventSourceArn: m.EventSourceArn as string, state: m.State as string, batchSize: m.BatchSize as number, lanes: w?.concurrency };
    });
  }

  private find(uuid: string): Mapping {
    const m = this.mappings.get(uuid);
    if (m === undefined) throw new AwsError("ResourceNotFoundException", 404, `The resource you requested does not exist. (Service: Lambda, Status Code: 404, Request ID: ${uuid})`);
    return m;
  }

  private isStream(arn: string | undefined): boolean {
    return arn !== undefined && this.streamReaders.has(serviceOf(arn));
  }

  /** AWS's rules for SQS mappings (aws-facts §6); stream mappings have their own (§8.2). */
  private validate(m: Mapping): void {
    if (m.stream !== undefined) {
      const reader = this.streamReaders.get(serviceOf(m.sourceArn));
      if (reader === undefined) throw lambdaErrors.invalidParameterValue("Unrecognized event source, must be kinesis, dynamodb stream, sqs, msk, mq, or documentdb.");
      validateStreamParams(m.stream, m.batchSize, m.batchWindowSeconds, this.clock.now());
      reader.validate(m.sourceArn);
      return;
    }
    const factory = this.pollers.get(serviceOf(m.sourceArn));
    if (factory === undefined) throw lambdaErrors.invalidParameterValue("Unrecognized event source, must be kinesis, dynamodb stream, sqs, msk, mq, or documentdb.");
    const fifo = m.sourceArn.endsWith(".fifo");
    if (m.batchSize < 1 || m.batchSize > (fifo ? 10 : 10_000)) {
      throw new AwsError("ValidationException", 400, `1 validation error detected: Value '${m.batchSize}' at 'batchSize' failed to satisfy constraint: Member must have value ${m.batchSize < 1 ? "greater than or equal to 1" : `less than or equal to ${fifo ? 10 : 10000}`}`, { messageKey: "message" });
    }
    if (m.batchWindowSeconds < 0 || m.batchWindowSeconds > 300) {
      throw new AwsError("ValidationException", 400, `1 validation error detected: Value '${m.batchWindowSeconds}' at 'maximumBatchingWindowInSeconds' failed to satisfy constraint: Member must have value less than or equal to 300`, { messageKey: "message" });
    }
    if (m.batchSize > 10 && m.batchWindowSeconds < 1) {
      throw lambdaErrors.invalidParameterValue("Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10");
    }
    if (m.maximumConcurrency !== undefined && (m.maximumConcurrency < 2 || m.maximumConcurrency > 1000)) {
      throw new AwsError("ValidationException", 400, `1 validation error detected: Value '${m.maximumConcurrency}' at 'scalingConfig.maximumConcurrency' failed to satisfy constraint: Member must have value between 2 and 1000`, { messageKey: "message" });
    }
    const fn = this.registry.get(m.functionName).latest;
    factory.validate({ sourceArn: m.sourceArn, functionTimeoutSeconds: fn.timeout, batchSize: m.batchSize, batchWindowSeconds: m.batchWindowSeconds });
  }

  private save(m: Mapping): void {
    this.mappings.set(m.uuid, m);
    this.store.db.prepare("INSERT OR REPLACE INTO event_source_mappings (uuid, function_name, source_arn, config, last_modified) VALUES (?, ?, ?, ?, ?)").run(m.uuid, m.functionName, m.sourceArn, JSON.stringify(m), m.lastModified);
  }

  private startWorker(m: Mapping): void {
    if (m.stream !== undefined) return this.startStreamWorker(m, m.stream);
    const factory = this.pollers.get(serviceOf(m.sourceArn));
    if (factory === undefined || !this.registry.has(m.functionName)) return;
    const fn = this.registry.get(m.functionName).latest;
    const poller = factory.create({
      sourceArn: m.sourceArn, functionTimeoutSeconds: fn.timeout, batchSize: m.batchSize, batchWindowSeconds: m.batchWindowSeconds,
      filters: parseFilterCriteria(m.filterCriteria),
    });
    const worker = new EsmWorker(
      {
        mappingId: m.uuid,
        eventSourceArn: m.sourceArn,
        functionName: m.functionName,
        batchSize: m.batchSize,
        batchWindowMs: m.batchWindowSeconds * 1000,
        reportBatchItemFailures: m.functionResponseTypes.includes("ReportBatchItemFailures"),
        maxConcurrency: m.maximumConcurrency ?? ESM_SCALING.ceiling,
      },
      poller,
      this.invoker,
      this.clock,
      this.telemetry,
    );
    this.workers.set(m.uuid, worker);
    worker.start();
  }

  private startStreamWorker(m: Mapping, p: StreamMappingParams): void {
    const factory = this.streamReaders.get(serviceOf(m.sourceArn));
    if (factory === undefined || !this.registry.has(m.functionName)) return;
    const fn = this.registry.get(m.functionName).latest;
    const reader = factory.create({ sourceArn: m.sourceArn, roleArn: fn.role });
    const filters = parseFilterCriteria(m.filterCriteria);
    const worker = new StreamWorker(
      {
        uuid: m.uuid,
        functionName: m.functionName,
        functionArn: this.registry.arn(m.functionName),
        sourceArn: m.sourceArn,
        batchInfoKey: factory.batchInfoKey,
        batchSize: m.batchSize,
        batchWindowMs: m.batchWindowSeconds * 1000,
        reportBatchItemFailures: m.functionResponseTypes.includes("ReportBatchItemFailures"),
        bisectBatchOnFunctionError: p.bisectBatchOnFunctionError,
        maximumRetryAttempts: p.maximumRetryAttempts,
        maximumRecordAgeInSeconds: p.maximumRecordAgeInSeconds,
        onFailureDestination: p.onFailureDestination,
        parallelizationFactor: p.parallelizationFactor,
        startingPosition: p.startingPosition,
        startingPositionTimestamp: p.startingPositionTimestamp,
        tumblingWindowMs: p.tumblingWindowInSeconds * 1000,
        filter: filters === undefined ? undefined : (r) => matchesFilters(filters, r.filterView()),
      },
      reader,
      { invoker: this.invoker, clock: this.clock, telemetry: this.telemetry, checkpoints: this.checkpoints, targets: this.targets },
    );
    this.workers.set(m.uuid, worker);
    worker.start();
  }

  private shape(m: Mapping): Record<string, unknown> {
    const out: Record<string, unknown> = {
      UUID: m.uuid,
      BatchSize: m.batchSize,
      MaximumBatchingWindowInSeconds: m.batchWindowSeconds,
      EventSourceArn: m.sourceArn,
      FunctionArn: this.registry.arn(m.functionName),
      LastModified: m.lastModified / 1000,
      State: m.enabled ? "Enabled" : "Disabled",
      StateTransitionReason: "USER_INITIATED",
      FunctionResponseTypes: m.functionResponseTypes,
      EventSourceMappingArn: `arn:aws:lambda:${this.registry.region}:${this.registry.accountId}:event-source-mapping:${m.uuid}`,
    };
    if (m.filterCriteria !== undefined) out.FilterCriteria = m.filterCriteria;
    if (m.maximumConcurrency !== undefined) out.ScalingConfig = { MaximumConcurrency: m.maximumConcurrency };
    if (m.stream !== undefined) Object.assign(out, streamShape(m.stream));
    return out;
  }
}

function serviceOf(arn: string): string {
  return arn.split(":")[2] ?? "";
}

/** Validates FilterCriteria (throws InvalidParameterValueException) and keeps the patterns as written. */
function filterCriteriaOf(input: MappingInput["FilterCriteria"]): Mapping["filterCriteria"] {
  const filters = parseFilterCriteria(input);
  return filters === undefined ? undefined : { Filters: filters.map((f) => ({ Pattern: f.pattern })) };
}

/** A FunctionName or EventSourceArn that is not a string is a client error, not a crash. */
function checkStringMembers(input: MappingInput): void {
  for (const [key, member] of [["FunctionName", "functionName"], ["EventSourceArn", "eventSourceArn"]] as const) {
    const v: unknown = input[key];
    if (v !== undefined && v !== null && typeof v !== "string") {
      throw new AwsError("ValidationException", 400, `1 validation error detected: Value '${JSON.stringify(v)}' at '${member}' failed to satisfy constraint: Member must be a string`, { messageKey: "message" });
    }
  }
}

/** ScalingConfig is "Amazon SQS only" (botocore lambda model): a stream mapping would ignore it. Our wording. */
function rejectQueueOnlyParams(input: MappingInput): void {
  if (input.ScalingConfig !== undefined && input.ScalingConfig !== null) throw lambdaErrors.invalidParameterValue("Unsupported ScalingConfig parameter for given event source mapping type.");
}
