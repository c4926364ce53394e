import type { FunctionRegistry } from "../registry/function-registry.ts";
import { arnService } from "../text/arn-fields.ts";
import type { MappingKind } from "./mapping-problems.ts";
import type { MappingRecord as Mapping } from "./mapping-store.ts";
import { unrecognizedEventSource, validateQueueMapping } from "./mapping-validation.ts";
import type { PollerFactory, PollerLimits } from "./poller.ts";
import { STREAM_BATCH_SIZE, validateStreamParams } from "./stream-mapping-params.ts";
import type { StreamReaderFactory } from "./stream-reader.ts";

/**
 * The sources event source mappings read from, by the service in an EventSourceArn: polled queues
 * register a PollerFactory (with their batch limits), streams a StreamReaderFactory. No source is
 * named here (STYLE.md 7.3). What a mapping may be depends on which kind its ARN names: a queue's
 * rules (aws-facts §6) or a stream's (§8.2), and the source's own checks (the queue or stream must
 * exist; a queue's visibility timeout against the function's).
 */
export class MappingSources {
  readonly pollers = new Map<string, PollerFactory>();
  readonly streamReaders = new Map<string, StreamReaderFactory>();
  private readonly registry: FunctionRegistry;

  constructor(registry: FunctionRegistry) {
    this.registry = registry;
  }

  /** Which rules `arn`'s source follows; undefined when no source serves its service. */
  kind(arn: string | undefined): MappingKind | undefined {
    if (arn === undefined) return undefined;
    const service = arnService(arn);
    return this.streamReaders.has(service) ? "stream" : this.pollers.has(service) ? "queue" : undefined;
  }

  isStream(arn: string | undefined): boolean {
    return this.kind(arn) === "stream";
  }

  /** How AWS's messages name the source kind of `arn`: its factory says (the ARN's service if none is registered). */
  kindName(arn: string): string {
    const service = arnService(arn);
    return this.streamReaders.get(service)?.kind ?? this.pollers.get(service)?.kind ?? service;
  }

  /** A queue's batch limits; undefined for a stream or an unserved service. */
  limits(arn: string): PollerLimits | undefined {
    return this.pollers.get(arnService(arn))?.limits(arn);
  }

  /** BatchSize when the request names none: the stream default, or the poller's for this ARN. */
  defaultBatchSize(arn: string): number {
    if (this.isStream(arn)) return STREAM_BATCH_SIZE.default;
    // No poller: validate() refuses the mapping anyway; any number does until then.
    return this.limits(arn)?.defaultBatchSize ?? 0;
  }

  /** Lambda's rules for queue mappings (aws-facts §6) with the poller's limits; stream mappings have their own (§8.2). */
  validate(m: Mapping, now: number): void {
    if (m.stream !== undefined) {
      if (!this.streamReaders.has(arnService(m.sourceArn))) throw unrecognizedEventSource();
      validateStreamParams(m.stream, m.batchSize, m.batchWindowSeconds, now);
    } else {
      const limits = this.limits(m.sourceArn);
      if (limits === undefined) throw unrecognizedEventSource();
      validateQueueMapping(m, limits);
    }
    this.validateSource(m.sourceArn, m.functionName, m.batchSize, m.batchWindowSeconds);
  }

  /** The source's own checks: a stream's existence; a queue's, and its rules against the function (visibility timeout). */
  validateSource(sourceArn: string, functionName: string, batchSize: number, batchWindowSeconds: number): void {
    const reader = this.streamReaders.get(arnService(sourceArn));
    if (reader !== undefined) return reader.validate(sourceArn);
    const factory = this.pollers.get(arnService(sourceArn));
    if (factory === undefined) throw unrecognizedEventSource();
    const fn = this.registry.get(functionName).latest;
    factory.validate({ sourceArn, functionTimeoutSeconds: fn.timeout, batchSize, batchWindowSeconds });
  }
}
