import type { Clock } from "../clock/clock.ts";
import type { MappingInput } from "../config/mapping-input.ts";
import type { AwsError } from "../errors/aws-error.ts";
import { lambdaErrors } from "../errors/lambda-errors.ts";
import type { Invoker } from "../invocation/invoker.ts";
import type { RandomStream } from "../random/rng.ts";
import type { FunctionRegistry } from "../registry/function-registry.ts";
import { parseFunctionName } from "../registry/function-names.ts";
import type { Store } from "../store/store.ts";
import type { Telemetry } from "../telemetry/telemetry.ts";
import { collectingChecks, mappingInputProblems } from "./mapping-problems.ts";
import { MappingSources } from "./mapping-sources.ts";
import { mappingShape } from "./mapping-shape.ts";
import { MappingStore, type MappingRecord as Mapping } from "./mapping-store.ts";
import { checkStringMembers, filterCriteriaOf, metricsConfigOf, rejectQueueOnlyParams, unrecognizedEventSource } from "./mapping-validation.ts";
import type { PollerFactory } from "./poller.ts";
import type { TargetRegistry } from "../invocation/targets.ts";
import { CheckpointStore } from "./checkpoint-store.ts";
import { HeldAttempts } from "./held-attempts.ts";
import type { StreamReaderFactory } from "./stream-reader.ts";
import { mappingWorker, type MappingWorker } from "./mapping-worker.ts";
import { rejectStreamOnlyParams, streamParams } from "./stream-mapping-params.ts";
import { updateState } from "./update-state.ts";
import type { LastProcessingResult } from "./stream-batch-runner.ts";

/**
 * Event source mappings (a Lambda API, so core owns it; STYLE.md 7.3): Create/Get/List/Update/
 * Delete with AWS's fields, defaults and validation (aws-facts §6, §8.2), persisted, with one
 * worker per enabled mapping. Polled (queue) sources register a PollerFactory, which carries their
 * batch limits, and get an EsmWorker's lanes; stream sources register a StreamReaderFactory and
 * get a StreamWorker (shards in order, checkpoints; parameters in stream-mapping-params.ts). No
 * source is named here: the service in the EventSourceArn picks the registered factory
 * (MappingSources, which also holds the source-dependent checks).
 */
export class EventSourceMappings {
  private readonly rows: MappingStore;
  private readonly registry: FunctionRegistry;
  private readonly invoker: Invoker;
  private readonly clock: Clock;
  private readonly telemetry: Telemetry;
  private readonly ids: RandomStream;
  private readonly sources: MappingSources;
  private readonly checkpoints: CheckpointStore;
  private readonly targets: TargetRegistry | undefined;
  private readonly mappings = new Map<string, Mapping>();
  private readonly workers = new Map<string, MappingWorker>();
  /** Per stream mapping: its batches in retries, counted on across the workers an update restarts. */
  private readonly held = new Map<string, HeldAttempts>();

  constructor(opts: { store: Store; registry: FunctionRegistry; invoker: Invoker; clock: Clock; telemetry: Telemetry; ids: RandomStream; targets?: TargetRegistry }) {
    this.rows = new MappingStore(opts.store);
    this.registry = opts.registry;
    this.invoker = opts.invoker;
    this.clock = opts.clock;
    this.telemetry = opts.telemetry;
    this.ids = opts.ids;
    this.targets = opts.targets;
    this.sources = new MappingSources(opts.registry);
    this.checkpoints = new CheckpointStore(opts.store);
    for (const m of this.rows.loadAll()) this.mappings.set(m.uuid, m);
  }

  registerPoller(service: string, factory: PollerFactory): void {
    this.sources.pollers.set(service, factory);
  }

  /** Stream sources register their shard reader instead of a poller. */
  registerStreamReader(service: string, factory: StreamReaderFactory): void {
    this.sources.streamReaders.set(service, factory);
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
      else await this.update(existing.uuid, def, { run: false });
    }
  }

  /**
   * Every refusal applyDefinitions would meet for `def` (one at a time, as AWS answers), without
   * making or changing anything: its function, its parameters (mapping-problems.ts), its queue or
   * stream. A configuration's start checks all its mappings with this first and lists every
   * problem (newuser13 N13-3). Call after the sources registered their pollers.
   */
  definitionProblems(def: MappingInput): AwsError[] {
    const { problems, check } = collectingChecks();
    const arn = typeof def.EventSourceArn === "string" && def.EventSourceArn !== "" ? def.EventSourceArn : undefined;
    const fn = typeof def.FunctionName === "string" ? check(() => this.target(def.FunctionName!)) : undefined;
    const existing = fn === undefined || arn === undefined ? undefined : [...this.mappings.values()].find((m) => m.sourceArn === arn && m.functionName === fn.name);
    const kind = this.sources.kind(arn);
    const limits = kind === "queue" ? this.sources.limits(arn!) : undefined;
    const found = mappingInputProblems(def, { kind, now: this.clock.now(), limits, current: existing?.stream, batchSize: existing?.batchSize, batchWindowSeconds: existing?.batchWindowSeconds });
    problems.push(...found);
    // The source itself: whether it exists, and a queue's rules against the function (its visibility timeout).
    if (fn !== undefined && arn !== undefined && kind !== undefined) {
      const batchSize = def.BatchSize ?? existing?.batchSize ?? this.sources.defaultBatchSize(arn);
      const batchWindowSeconds = def.MaximumBatchingWindowInSeconds ?? existing?.batchWindowSeconds ?? 0;
      check(() => this.sources.validateSource(arn, fn.name, batchSize, batchWindowSeconds));
    }
    return problems;
  }

  /** Starts the workers of enabled mappings (after the sources registered their pollers). */
  start(): void {
    for (const m of this.mappings.values()) if (m.enabled) this.startWorker(m);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.workers.values()].map((w) => w.stop()));
    this.checkpoints.flush();
    this.workers.clear();
  }

  create(input: MappingInput): Record<string, unknown> {
    const m = this.createStopped(input);
    if (m.enabled) this.startWorker(m);
    return { ...this.shape(m), State: m.enabled ? "Creating" : "Disabled" };
  }

  private createStopped(input: MappingInput): Mapping {
    checkStringMembers(input);
    // The ARN says which kind of mapping this is before any parameter is judged by that kind (our
    // reading: AWS does not publish the order of its checks; its message lists the kinds it serves).
    if (!input.EventSourceArn || this.sources.kind(input.EventSourceArn) === undefined) throw unrecognizedEventSource();
    const rec = this.target(input.FunctionName ?? "");
    // AWS's conflict is one source and one qualified function ARN: `fn:blue` beside `fn:green` is two mappings.
    const duplicate = [...this.mappings.values()].find((m) => m.sourceArn === input.EventSourceArn && m.functionName === rec.name && m.qualifier === rec.qualifier);
    if (duplicate !== undefined) {
      const fn = rec.qualifier === undefined ? rec.name : `${rec.name}:${rec.qualifier}`;
      // Queues: aws-facts §6. Streams (Kinesis, DynamoDB): "The event source arn (...) and function
      // (...) provided mapping already exists" (CloudFormation/CDK captures, LocalStack's provider),
      // which deploy tools grep for to make a create idempotent.
      throw lambdaErrors.resourceConflict(
        this.sources.isStream(input.EventSourceArn)
          ? `The event source arn (" ${input.EventSourceArn} ") and function (" ${fn} ") provided mapping already exists. Please update or delete the existing mapping with UUID ${duplicate.uuid}`
          : `An event source mapping with ${this.sources.kindName(input.EventSourceArn)} arn (" ${input.EventSourceArn} ") and function (" ${fn} ") already exists. Please update or delete the existing mapping with UUID ${duplicate.uuid}`,
      );
    }
    if (!this.sources.isStream(input.EventSourceArn)) rejectStreamOnlyParams(input);
    else rejectQueueOnlyParams(input);
    const m: Mapping = {
      uuid: this.ids.uuid(),
      functionName: rec.name,
      qualifier: rec.qualifier,
      sourceArn: input.EventSourceArn,
      batchSize: input.BatchSize ?? this.sources.defaultBatchSize(input.EventSourceArn),
      batchWindowSeconds: input.MaximumBatchingWindowInSeconds ?? 0,
      enabled: input.Enabled ?? true,
      functionResponseTypes: input.FunctionResponseTypes ?? [],
      maximumConcurrency: input.ScalingConfig?.MaximumConcurrency,
      filterCriteria: filterCriteriaOf(input.FilterCriteria),
      metricsConfig: metricsConfigOf(input.MetricsConfig),
      lastModified: this.clock.now(),
      stream: this.sources.isStream(input.EventSourceArn) ? streamParams(input, undefined) : undefined,
    };
    this.sources.validate(m, this.clock.now());
    this.save(m);
    return m;
  }

  /** `requestId`: the API request's, which AWS's not-found message quotes. */
  get(uuid: string, requestId?: string): Record<string, unknown> {
    return this.shape(this.find(uuid, requestId));
  }

  list(filter: { EventSourceArn?: string; FunctionName?: string }): Record<string, unknown>[] {
    const fn = filter.FunctionName === undefined ? undefined : this.target(filter.FunctionName);
    // A qualified FunctionName lists that version's or alias's mappings (ListEventSourceMappings'
    // FunctionName). Unqualified, every mapping of the function: AWS does not say; our choice.
    const matches = (m: Mapping) => fn === undefined || (m.functionName === fn.name && (fn.qualifier === undefined || m.qualifier === fn.qualifier));
    return [...this.mappings.values()]
      .filter((m) => (filter.EventSourceArn === undefined || m.sourceArn === filter.EventSourceArn) && matches(m))
      .map((m) => this.shape(m));
  }

  /** `run: false` leaves the worker stopped (start() starts it); `requestId` as for get(). */
  async update(uuid: string, input: MappingInput, opts: { run?: boolean; requestId?: string } = {}): Promise<Record<string, unknown>> {
    const current = this.find(uuid, opts.requestId);
    checkStringMembers(input);
    if (current.stream === undefined) rejectStreamOnlyParams(input);
    else rejectQueueOnlyParams(input);
    const target = input.FunctionName === undefined ? { name: current.functionName, qualifier: current.qualifier } : this.target(input.FunctionName);
    const m: Mapping = {
      ...current,
      functionName: target.name,
      qualifier: target.qualifier,
      batchSize: input.BatchSize ?? current.batchSize,
      batchWindowSeconds: input.MaximumBatchingWindowInSeconds ?? current.batchWindowSeconds,
      enabled: input.Enabled ?? current.enabled,
      functionResponseTypes: input.FunctionResponseTypes ?? current.functionResponseTypes,
      maximumConcurrency: input.ScalingConfig === undefined ? current.maximumConcurrency : input.ScalingConfig.MaximumConcurrency,
      // `FilterCriteria: {}` or an empty Filters list removes the filters.
      filterCriteria: input.FilterCriteria === undefined ? current.filterCriteria : filterCriteriaOf(input.FilterCriteria),
      metricsConfig: input.MetricsConfig === undefined ? current.metricsConfig : metricsConfigOf(input.MetricsConfig),
      lastModified: this.clock.now(),
      stream: current.stream === undefined ? undefined : streamParams(input, current.stream),
    };
    this.sources.validate(m, this.clock.now());
    await this.workers.get(uuid)?.stop();
    this.workers.delete(uuid);
    // A batch that ended while the worker stopped has recorded its result since `current` was read.
    m.lastProcessingResult = this.mappings.get(uuid)?.lastProcessingResult ?? m.lastProcessingResult;
    this.save(m);
    if (m.enabled && (opts.run ?? true)) this.startWorker(m);
    return { ...this.shape(m), State: updateState(current.enabled, input.Enabled) };
  }

  async delete(uuid: string, requestId?: string): Promise<Record<string, unknown>> {
    const m = this.find(uuid, requestId);
    await this.workers.get(uuid)?.stop();
    this.workers.delete(uuid);
    this.mappings.delete(uuid);
    this.checkpoints.deleteMapping(uuid);
    this.held.delete(uuid);
    this.rows.delete(uuid);
    return { ...this.shape(m), State: "Deleting" };
  }

  /** Every mapping with its running lanes (SQS: concurrent batches), for the dashboard's snapshot. */
  overview(): { uuid: string; functionName: string; eventSourceArn: string; state: string; batchSize: number; lanes?: number }[] {
    return this.list({}).map((m) => {
      const w = this.workers.get(m.UUID as string);
      return { uuid: m.UUID as string, functionName: this.mappings.get(m.UUID as string)!.functionName, eventSourceArn: m.EventSourceArn as string, state: m.State as string, batchSize: m.BatchSize as number, lanes: w?.concurrency };
    });
  }

  /**
   * The function FunctionName names and the version or alias it qualifies, which must exist: a
   * mapping may invoke a version or an alias (CreateEventSourceMapping's FunctionName takes
   * `name:qualifier` and version and alias ARNs), and reports it in its FunctionArn.
   */
  private target(functionName: string): { name: string; qualifier?: string } {
    const rec = this.registry.get(functionName);
    const { qualifier } = parseFunctionName(functionName);
    if (qualifier === undefined || qualifier === "$LATEST") return { name: rec.name };
    if (!rec.versions.has(qualifier) && !rec.aliases.has(qualifier)) throw lambdaErrors.functionNotFound(`${this.registry.arn(rec.name)}:${qualifier}`);
    return { name: rec.name, qualifier };
  }

  private find(uuid: string, requestId?: string): Mapping {
    const m = this.mappings.get(uuid);
    // Only API calls name a UUID that may be missing, and they pass their request id.
    if (m === undefined) throw lambdaErrors.mappingNotFound(requestId ?? "none");
    return m;
  }

  private save(m: Mapping): void {
    this.mappings.set(m.uuid, m);
    this.rows.save(m);
  }

  private startWorker(m: Mapping): void {
    const worker = mappingWorker(m, {
      pollers: this.sources.pollers,
      streamReaders: this.sources.streamReaders,
      registry: this.registry,
      invoker: this.invoker,
      clock: this.clock,
      telemetry: this.telemetry,
      checkpoints: this.checkpoints,
      targets: this.targets,
      onProcessed: (result) => this.processed(m.uuid, result),
      heldAttempts: m.stream === undefined ? undefined : this.heldAttempts(m.uuid),
    });
    if (worker === undefined) return;
    this.workers.set(m.uuid, worker);
    worker.start();
  }

  private heldAttempts(uuid: string): HeldAttempts {
    let h = this.held.get(uuid);
    if (h === undefined) this.held.set(uuid, (h = new HeldAttempts({ store: this.checkpoints, uuid })));
    return h;
  }

  /** LastProcessingResult: per batch a comparison; saved only when it changes (a stuck shard fails the same way each time). */
  private processed(uuid: string, result: LastProcessingResult): void {
    const m = this.mappings.get(uuid);
    if (m === undefined || m.lastProcessingResult === result) return;
    this.save({ ...m, lastProcessingResult: result });
  }

  private shape(m: Mapping): Record<string, unknown> {
    const arn = this.registry.arn(m.functionName);
    return mappingShape(m, { functionArn: m.qualifier === undefined ? arn : `${arn}:${m.qualifier}`, region: this.registry.region, accountId: this.registry.accountId });
  }
}


