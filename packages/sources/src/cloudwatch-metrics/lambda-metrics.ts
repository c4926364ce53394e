import type { TelemetryEvent } from "@lambda-sim/core";
import { mappingEventCounts } from "./mapping-event-counts.ts";
import { dimensionKey, type MetricStore } from "./metric-store.ts";
import { ProvisionedMetrics, type MetricSample } from "./provisioned-metrics.ts";

const NS = "AWS/Lambda";
/** Enqueue times of async events awaiting an attempt, for AsyncEventAge; bounded (chosen). */
const MAX_PENDING_ASYNC = 100_000;

/**
 * Lambda's metrics (AWS/Lambda, "Types of metrics for Lambda functions") from the telemetry stream.
 * Each is published with the dimension sets Lambda uses: none (account level, for the metrics AWS
 * aggregates per account), `FunctionName`, and `FunctionName` + `Resource` (the function, or
 * `function:qualifier` for a version or alias). An invocation through an alias is counted under
 * its alias, not the version it ran, plus `FunctionName` + `Resource` + `ExecutedVersion` (the
 * version): "ExecutedVersion ... only applies to alias invocations" (Lambda Developer Guide,
 * "Viewing metrics"; ListMetrics on AWS shows `Resource: NAME:live, ExecutedVersion: 42` for them,
 * aws/aws-cdk#14248).
 * - Invocations, Errors (0 or 1 per invocation, so Average is the error rate), Duration (ms);
 * - Throttles (1 per refused request), ConcurrentExecutions and UnreservedConcurrentExecutions
 *   (sampled at each admission: their Maximum is the peak, the statistic AWS's console shows);
 * - AsyncEventsReceived, AsyncEventAge (ms from enqueue to each attempt), AsyncEventsDropped,
 *   DeadLetterErrors, DestinationDeliveryFailures;
 * - IteratorAge (ms, stream mappings: age of the batch's last record when it is invoked);
 * - an event source mapping's EventCount metrics, when its MetricsConfig asks (mapping-event-counts.ts);
 * - the provisioned concurrency metrics (provisioned-metrics.ts).
 */
export class LambdaMetrics {
  private readonly store: MetricStore;
  private readonly enqueuedAt = new Map<string, number>();
  /** The three dimension sets of each function and qualifier, as store keys (computed once). */
  private readonly dimensionCache = new Map<string, string[]>();
  private readonly provisioned = new ProvisionedMetrics();

  constructor(store: MetricStore) {
    this.store = store;
  }

  readonly onEvent = (e: TelemetryEvent): void => {
    switch (e.type) {
      case "invocation.finished": {
        const dims = e.alias === undefined ? this.dimensionSets(e.functionName, e.version) : this.aliasDimensionSets(e.functionName, e.alias, e.version);
        const failed = e.status !== "success";
        for (const d of dims) {
          this.put("Invocations", d, 1, "Count");
          this.put("Errors", d, failed ? 1 : 0, "Count");
          this.put("Duration", d, e.durationMs, "Milliseconds");
        }
        if (!failed) this.enqueuedAt.delete(e.requestId);
        this.putAll(this.provisioned.samples(e));
        return;
      }
      case "environment.state-changed":
      case "provisioned-concurrency.changed":
        this.putAll(this.provisioned.samples(e));
        return;
      case "invocation.throttled":
        for (const d of this.dimensionSets(e.functionName, e.qualifier)) this.put("Throttles", d, 1, "Count");
        return;
      case "invocation.recursive-loop":
        // "The number of times that Lambda has stopped invocation of your function because it's detected ... an infinite recursive loop" (Lambda metrics).
        for (const d of this.dimensionSets(e.functionName, e.qualifier)) this.put("RecursiveInvocationsDropped", d, 1, "Count");
        return;
      case "invocation.admitted": {
        // Sampled at each admission: their Maximum is the peak (the counts come with the event).
        const [accountLevel, ...perFunction] = this.dimensionSets(e.functionName, e.qualifier);
        this.put("ConcurrentExecutions", accountLevel!, e.accountConcurrentExecutions, "Count");
        for (const d of perFunction) this.put("ConcurrentExecutions", d, e.concurrentExecutions, "Count");
        this.put("UnreservedConcurrentExecutions", accountLevel!, e.unreservedConcurrentExecutions, "Count");
        return;
      }
      case "async.enqueued":
        if (this.enqueuedAt.size >= MAX_PENDING_ASYNC) this.enqueuedAt.delete(this.enqueuedAt.keys().next().value!);
        this.enqueuedAt.set(e.requestId, e.time);
        for (const d of this.dimensionSets(e.functionName, e.qualifier)) this.put("AsyncEventsReceived", d, 1, "Count");
        return;
      case "async.attempt.started": {
        const at = this.enqueuedAt.get(e.requestId);
        if (at !== undefined) for (const d of this.dimensionSets(e.functionName, undefined)) this.put("AsyncEventAge", d, e.time - at, "Milliseconds");
        return;
      }
      case "async.given-up":
        this.enqueuedAt.delete(e.requestId);
        for (const d of this.dimensionSets(e.functionName, undefined)) this.put("AsyncEventsDropped", d, 1, "Count");
        return;
      case "async.delivery-failed": {
        const name = e.destination === "DeadLetterQueue" ? "DeadLetterErrors" : "DestinationDeliveryFailures";
        for (const d of this.dimensionSets(e.functionName, undefined)) this.put(name, d, 1, "Count");
        return;
      }
      case "mapping.batch":
        // Stream mappings only: an SQS batch has no iterator.
        if (e.iteratorAgeMs !== undefined) for (const d of this.dimensionSets(e.functionName, undefined)) this.put("IteratorAge", d, e.iteratorAgeMs, "Milliseconds");
        if (e.eventCountMetrics === true) {
          const d = dimensionKey([{ Name: "EventSourceMappingUUID", Value: e.mappingId }]);
          for (const [name, n] of mappingEventCounts(e)) this.put(name, d, n, "Count");
        }
        return;
      default:
        return;
    }
  };

  /** Account level, per function, per function and resource. */
  private dimensionSets(functionName: string, qualifier: string | undefined): string[] {
    const resource = qualifier === undefined || qualifier === "" || qualifier === "$LATEST" ? functionName : `${functionName}:${qualifier}`;
    let sets = this.dimensionCache.get(resource);
    if (sets === undefined) {
      const fn = { Name: "FunctionName", Value: functionName };
      sets = [dimensionKey([]), dimensionKey([fn]), dimensionKey([fn, { Name: "Resource", Value: resource }])];
      this.dimensionCache.set(resource, sets);
    }
    return sets;
  }

  /** An alias invocation's: account level, per function, per function and alias, and per function, alias and the version that ran. */
  private aliasDimensionSets(functionName: string, alias: string, version: string): string[] {
    const key = `${functionName}:${alias}\u0000${version}`;
    let sets = this.dimensionCache.get(key);
    if (sets === undefined) {
      const resource = { Name: "Resource", Value: `${functionName}:${alias}` };
      sets = [...this.dimensionSets(functionName, alias), dimensionKey([{ Name: "FunctionName", Value: functionName }, resource, { Name: "ExecutedVersion", Value: version }])];
      this.dimensionCache.set(key, sets);
    }
    return sets;
  }

  private putAll(samples: MetricSample[] | undefined): void {
    if (samples !== undefined) for (const [name, dims, value, unit] of samples) this.put(name, dims, value, unit);
  }

  private put(name: string, dims: string, value: number, unit: string): void {
    this.store.record(NS, name, dims, value, unit);
  }
}
