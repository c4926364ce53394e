import type { MappingInput } from "../config/mapping-input.ts";
import { isAwsError, type AwsError } from "../errors/aws-error.ts";
import { checkStringMembers, filterCriteriaOf, metricsConfigOf, queueMappingProblems, rejectQueueOnlyParams, unrecognizedEventSource } from "./mapping-validation.ts";
import type { PollerLimits } from "./poller.ts";
import { STREAM_BATCH_SIZE, streamOnlyParamProblems, streamParamProblems, streamParams, type StreamMappingParams } from "./stream-mapping-params.ts";

/** Which rules a mapping's source follows: a polled queue's (aws-facts §6) or a stream's (§8.2). */
export type MappingKind = "queue" | "stream";

/** What mappingInputProblems knows of the mapping beside its input. */
export interface MappingContext {
  /** Undefined: no source maps the EventSourceArn's service. */
  kind: MappingKind | undefined;
  /** For the starting timestamp. */
  now: number;
  /** A queue's batch limits (its PollerFactory's, once its source has started); without them the batch size is not checked here. */
  limits?: PollerLimits;
  /** The stream parameters of the mapping this input updates: an update keeps those it does not set. */
  current?: StreamMappingParams;
  /** The batch size and window of the mapping this input updates. */
  batchSize?: number;
  batchWindowSeconds?: number;
}

/**
 * Every refusal CreateEventSourceMapping's parameter checks would give `input`, at most one per
 * parameter. AWS answers a request with the first only (that path, EventSourceMappings, is
 * unchanged); a configuration's start lists them all, so a file with several mistakes takes one
 * start, not one per mistake (newuser13 N13-3). What needs the running sources (the function, the
 * queue or stream, the queue's visibility timeout) is EventSourceMappings.definitionProblems's.
 */
export function mappingInputProblems(input: MappingInput, ctx: MappingContext): AwsError[] {
  const { problems, check } = collectingChecks();
  check(() => checkStringMembers(input));
  // The checks below read the ARN and the function name as strings.
  if (problems.length > 0) return problems;
  if (!input.EventSourceArn || ctx.kind === undefined) return [unrecognizedEventSource()];
  if (ctx.kind === "stream") {
    check(() => rejectQueueOnlyParams(input));
    check(() => filterCriteriaOf(input.FilterCriteria));
    check(() => metricsConfigOf(input.MetricsConfig));
    const params = check(() => streamParams(input, ctx.current));
    const batchSize = input.BatchSize ?? ctx.batchSize ?? STREAM_BATCH_SIZE.default;
    if (params !== undefined) problems.push(...streamParamProblems(params, batchSize, input.MaximumBatchingWindowInSeconds ?? ctx.batchWindowSeconds ?? 0, ctx.now));
    return problems;
  }
  problems.push(...streamOnlyParamProblems(input));
  check(() => filterCriteriaOf(input.FilterCriteria));
  check(() => metricsConfigOf(input.MetricsConfig));
  const batchSize = input.BatchSize ?? ctx.batchSize ?? ctx.limits?.defaultBatchSize ?? 1;
  problems.push(...queueMappingProblems({ batchSize, batchWindowSeconds: input.MaximumBatchingWindowInSeconds ?? ctx.batchWindowSeconds ?? 0, maximumConcurrency: input.ScalingConfig?.MaximumConcurrency }, ctx.limits));
  return problems;
}

/**
 * Checks written to throw (AWS answers the first refusal), run so that each refusal is kept and
 * the next check still runs: `check` returns the check's value, or undefined when it refused.
 */
export function collectingChecks(): { problems: AwsError[]; check: <T>(run: () => T) => T | undefined } {
  const problems: AwsError[] = [];
  const check = <T>(run: () => T): T | undefined => {
    try {
      return run();
    } catch (e) {
      if (!isAwsError(e)) throw e;
      problems.push(e);
      return undefined;
    }
  };
  return { problems, check };
}
