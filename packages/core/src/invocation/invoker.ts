import type { RandomStream, Rng } from "../random/rng.ts";
import { lambdaErrors } from "../errors/lambda-errors.ts";
import type { FunctionRegistry } from "../registry/function-registry.ts";
import type { ResolvedInvocationTarget } from "../registry/function-model.ts";
import { qualifierOf } from "../registry/function-names.ts";
import type { Telemetry } from "../telemetry/telemetry.ts";
import type { EventInvokeConfigs } from "../registry/event-invoke-configs.ts";
import type { AsyncDestinations } from "./async-destinations.ts";
import type { AsyncQueue } from "./async-queue.ts";
import type { AsyncEvent, AttemptResult } from "./async-event.ts";
import type { ConcurrencyGovernor, ThrottleReason } from "./concurrency-governor.ts";
import type { EnvironmentPool } from "./environment-pool.ts";
import { EnvironmentPools } from "./environment-pools.ts";
import type { EnvironmentContext } from "./environment-context.ts";
import { stopwatch } from "../clock/stopwatch.ts";
import { initLimitMs } from "../runtime/init-limit.ts";
import { sdkImportHint } from "../runtime/sdk-import-hint.ts";
import { emitFinished, functionErrorType, serviceSleep, type InvocationRequest, type InvocationResult } from "./invocation-result.ts";
import { MAX_ASYNC_PAYLOAD, MAX_SYNC_PAYLOAD, type InvocationObserver, type InvocationOrigin, type InvokeInput, type InvokeOutput } from "./invoke-input.ts";
import type { FaultInjector, InvocationSubject } from "../faults/fault-injector.ts";
import { injectedDurationMs, injectedError, injectedResult } from "../faults/injected-outcome.ts";
import { LoopGuard } from "./recursive-loop.ts";

/** What only a synchronous caller brings to the environment. */
type SyncOptions = Pick<InvokeInput, "clientContext" | "responseSink" | "logTail" | "frontDoor" | "via" | "deadline">;
const NO_SYNC_OPTIONS: SyncOptions = {};

/**
 * The one path for every invocation (DESIGN.md `Invoker`): resolve name, qualifier and alias
 * routing, (admit: the concurrency issue adds the governor here), run in a pooled environment, and
 * hand back the result. Event invocations are stored durably first and run from the AsyncQueue.
 */
export class Invoker {
  readonly asyncQueue: AsyncQueue;
  readonly governor: ConcurrencyGovernor;
  private readonly registry: FunctionRegistry;
  private readonly ctx: EnvironmentContext;
  private readonly telemetry: Telemetry;
  /** Hints given (hintSdkImport), with the wall time of the last. */
  private readonly hinted = new Map<string, number>();
  private readonly ids: RandomStream;
  private readonly pools: EnvironmentPools;
  private readonly faults: FaultInjector | undefined;
  private observers: InvocationObserver[] = [];
  /** Each invocation's trace header, and the stop of a recursive loop. */
  private readonly loops: LoopGuard;
  private closed = false;

  constructor(opts: { registry: FunctionRegistry; ctx: EnvironmentContext; rng: Rng; asyncQueue: AsyncQueue; governor: ConcurrencyGovernor; faults?: FaultInjector }) {
    this.faults = opts.faults;
    this.registry = opts.registry;
    this.governor = opts.governor;
    this.ctx = opts.ctx;
    this.telemetry = opts.ctx.telemetry;
    this.ids = opts.rng.stream("ids");
    this.pools = new EnvironmentPools(this.registry, this.ctx, opts.rng.stream("environment-ids"), (name) => this.governor.remove(name));
    this.asyncQueue = opts.asyncQueue;
    this.loops = new LoopGuard(this.registry, this.telemetry, this.ids, this.ctx.clock);
  }

  /** Starts running stored Event invocations (including those from before a restart). */
  start(configs: EventInvokeConfigs, destinations: AsyncDestinations): void {
    this.asyncQueue.start({
      settings: (e) => configs.settings(e.functionName, e.qualifier),
      run: (e) => this.runAsyncAttempt(e),
      hasDeliveries: (e, condition) => destinations.destinations(e, condition).length > 0,
      deliver: (e, condition) => destinations.deliver(e, condition),
    });
  }

  /**
   * One attempt of a stored Event invocation, under the event's own request id (every attempt
   * keeps it, aws-facts §5). Throttles are values here: the queue backs off (§4).
   */
  private async runAsyncAttempt(e: AsyncEvent): Promise<AttemptResult> {
    const target = this.registry.resolve(e.functionName, e.qualifier);
    const trace = this.loops.trace(target, e.traceHeader, "async", e.requestId);
    // Stopped in a loop: "Lambda sends the event to a dead-letter queue or on-failure destination"
    // (invocation-recursion). What its record says is unpublished: our choice, the sync caller's
    // answer (RecursiveInvocationException, 400), not a throttle's 429 (newuser10 N2-1).
    if (trace === undefined) {
      const e = lambdaErrors.recursiveInvocation();
      return { outcome: { kind: "recursive-loop" }, refused: { statusCode: e.statusCode, executedVersion: target.executedVersion, payload: JSON.stringify({ errorType: e.code, errorMessage: e.message }) } };
    }
    try {
      // Faults' `attempt`: this one's approximateInvokeCount, should it run.
      const r = await this.admitAndRun(target, e.payload, trace, e.requestId, undefined, "async", NO_SYNC_OPTIONS, e.invocations + 1);
      if ("throttled" in r) return { outcome: { kind: "throttled", reason: r.throttled, reservedConcurrency: this.governor.reserved(target.config.functionName) } };
      const response = { statusCode: 200, executedVersion: target.executedVersion, payload: r.payload.toString("utf8") };
      if (r.errorType === undefined) return { outcome: { kind: "success" }, response };
      // Every AWS recording shows `Unhandled` (aws-facts §1.2).
      return { outcome: { kind: "function-error", errorType: r.errorType, functionErrorType: functionErrorType(r) }, response: { ...response, functionError: "Unhandled" } };
    } catch (err) {
      return { outcome: { kind: "service-error", message: err instanceof Error ? err.message : String(err) } };
    }
  }

  /**
   * Sees every invocation that ran, with its event and result (a scenario's per-key order check).
   * Telemetry carries no payloads; this is for the few in-process consumers that need them.
   */
  observe(observer: InvocationObserver): () => void {
    this.observers = [...this.observers, observer];
    return () => {
      this.observers = this.observers.filter((o) => o !== observer);
    };
  }

  /**
   * Whether an invocation of the function carrying `traceHeader` would be stopped as a recursive
   * loop (reported as any stop is): a queue mapping asks it per message (PollerTarget.stopsLoop).
   */
  stopsLoop(functionName: string, qualifier: string | undefined, traceHeader: string, caller: string, eventId?: string): boolean {
    // A function gone since the receive: not a loop (its invocation fails as any would).
    if (!this.registry.has(functionName)) return false;
    return this.loops.stops(functionName, qualifier, this.registry.arn(functionName), traceHeader, caller, eventId);
  }

  newRequestId(): string {
    return this.ids.uuid();
  }

  async invoke(input: InvokeInput): Promise<InvokeOutput> {
    const target = this.registry.resolve(input.functionName, input.qualifier);
    // A function still Pending after CreateFunction refuses every invocation (function-transitions.ts).
    this.registry.transitions.check(target.config.functionName, "Invoke", target.config.functionArn);
    if (input.invocationType === "DryRun") return { kind: "dry-run" };
    if (input.invocationType === "Event") {
      if (input.payload.length > MAX_ASYNC_PAYLOAD) {
        throw lambdaErrors.requestTooLarge(`${input.payload.length} byte payload is too large for the Event invocation type (limit ${MAX_ASYNC_PAYLOAD} bytes)`);
      }
      const requestId = input.requestId ?? this.newRequestId();
      await this.asyncQueue.enqueue({ requestId, functionName: target.config.functionName, qualifier: input.qualifier ?? qualifierOf(target), payload: input.payload, frontDoor: input.frontDoor, traceHeader: input.traceHeader });
      return { kind: "accepted", requestId };
    }
    if (input.payload.length > MAX_SYNC_PAYLOAD) {
      throw lambdaErrors.requestTooLarge(`Request must be smaller than ${MAX_SYNC_PAYLOAD} bytes for the InvokeFunction operation`);
    }
    input.responseSink?.resolved(target.executedVersion);
    const result = await this.runSync(target, input);
    return { kind: "result", executedVersion: target.executedVersion, result };
  }

  /**
   * Keeps `count` provisioned environments for a published version (ProvisionedConcurrency works
   * out which versions an alias's configuration puts them on). PC init may take max(130 s,
   * timeout) (aws-facts §3). False when the version is gone or an init failed.
   */
  async provision(functionName: string, version: string, count: number): Promise<boolean> {
    // An allocation finishing after close() starts nothing.
    if (this.closed) return false;
    const config = this.registry.has(functionName) ? this.registry.get(functionName).versions.get(version) : undefined;
    if (config === undefined) return false;
    const limit = Math.max(130_000, config.timeout * 1000);
    return this.pools.for({ config, invokedFunctionArn: `${config.functionArn}:${version}`, executedVersion: version }).provision(count, limit);
  }

  /** Provisioned environments of a version initialised and not retiring. */
  provisionedReady(functionName: string, version: string): number {
    return this.pools.provisionedReady(functionName, version);
  }

  /** Number of live environments per `name:version`, for tests and the state snapshot. */
  environmentCounts(): Record<string, number> {
    return this.pools.counts();
  }

  /** Every live environment (draining ones included), for the dashboard's snapshot. */
  environments(): { id: string; functionName: string; version: string; state: string; reason?: string; provisioned: boolean }[] {
    return this.pools.environments();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.asyncQueue.stop();
    await this.pools.close();
  }

  /** Admits (or throttles with the AWS reason, §4) and runs in a pooled environment. */
  private async runSync(target: ResolvedInvocationTarget, input: InvokeInput): Promise<InvocationResult> {
    const trace = this.loops.trace(target, input.traceHeaders ?? input.traceHeader, input.origin?.sourceArn ?? "sync");
    if (trace === undefined) throw lambdaErrors.recursiveInvocation();
    // A mapping's invocation names its source (the dashboard's list, tail); a front names itself.
    const sync = input.via === undefined && input.origin !== undefined ? { ...input, via: { eventSourceArn: input.origin.sourceArn } } : input;
    const out = await this.admitAndRun(target, input.payload, trace, input.requestId, input.origin, undefined, sync);
    if ("throttled" in out) throw lambdaErrors.tooManyRequests(out.throttled);
    return out;
  }

  /** Admission as a value (STYLE.md 7.7): the async queue backs off without an exception. */
  private async admitAndRun(
    target: ResolvedInvocationTarget,
    payload: Buffer,
    /** The X-Ray trace header the environment gets (Lambda-Runtime-Trace-Id). */
    trace: string,
    requestId?: string,
    origin?: InvocationOrigin,
    /** Named in throttle telemetry: a mapping's source ARN, `async` (the async queue) or `sync`. */
    caller = origin?.sourceArn ?? "sync",
    sync: SyncOptions = NO_SYNC_OPTIONS,
    attempt = origin?.attempt,
  ): Promise<InvocationResult | { throttled: ThrottleReason }> {
    const pool = this.pools.for(target);
    const coldStart = pool.idleCount === 0;
    // No fault, no work: this is every invocation's path.
    const subject: InvocationSubject | undefined =
      this.faults === undefined || this.faults.size === 0
        ? undefined
        : {
            functionName: target.config.functionName,
            qualifier: qualifierOf(target),
            executedVersion: target.executedVersion,
            payload,
            sourceArn: origin?.sourceArn,
            mappingUuid: origin?.mappingUuid,
            coldStart,
            attempt,
          };
    const throttle = subject && this.faults?.forInvocation(subject, "admission")?.throttle;
    if (throttle !== undefined) return { throttled: this.governor.refuse(target.config.functionName, target.executedVersion, throttle, caller).reason };
    const admission = this.governor.admit(target.config.functionName, target.executedVersion, coldStart, caller);
    if (!admission.ok) return { throttled: admission.reason };
    let result: InvocationResult | undefined;
    let latencyMs = 0;
    let slowInitMs = 0;
    try {
      // The run phase's faults name the invocation, for its story (the id is drawn here only when faults are in play).
      if (subject !== undefined) subject.requestId = requestId ??= this.newRequestId();
      const faults = subject && this.faults?.forInvocation(subject, "run");
      if (faults !== undefined) {
        // A slow cold start passes in service time before its new environment, holding the concurrency
        // slot as a slow Init would; the environment counts it in the Init (InvocationRequest.initDelayMs).
        // A real one's Init stops at the init limit (aws-facts §3: 10 s on demand), where it times out.
        slowInitMs = faults.coldStartDelayMs;
        const initDelayMs = firstInitDelayMs(target, slowInitMs);
        if (initDelayMs > 0) await serviceSleep(this.ctx.clock, sync, initDelayMs);
        // Latency passes in the environment, after the handler's run, as a slow call in it would (InvocationCompletion, ModelEnvironment).
        latencyMs = faults.latencyMs;
        const spec = faults.outcome?.spec;
        if (spec !== undefined && target.config.runtime !== "model") {
          // Each reaches an environment, as on AWS, and so has START, END and REPORT (aws-facts §2.5).
          // A function error: the handler does not run, the runtime's error line stands for it. A
          // crash, running out of memory or a timeout: the real process dies (or hangs) under the
          // handler, and its environment resets.
          // A timeout: the handler runs, but its invocation takes service time past the function's
          // timeout, as a hung handler's would, so it times out at the timeout on the Clock (a
          // scenario or the virtual clock need not wait out the timeout in wall time: walk39).
          result =
            spec.kind === "error"
              ? await this.runIn(pool, target, payload, trace, requestId, undefined, sync, injectedError(spec), latencyMs, slowInitMs)
              : spec.kind === "timeout"
                ? await this.runIn(pool, target, payload, trace, requestId, undefined, sync, undefined, latencyMs + target.config.timeout * 1000 + 1, slowInitMs)
                : await this.runIn(pool, target, payload, trace, requestId, spec.kind, sync, undefined, latencyMs, slowInitMs);
        } else if (faults.outcome !== undefined) {
          // A model function's outcome fault has no environment to hold: its latency passes first (our choice).
          if (latencyMs > 0) await serviceSleep(this.ctx.clock, sync, latencyMs);
          const durationMs = injectedDurationMs(faults, target.config);
          if (durationMs > 0) await serviceSleep(this.ctx.clock, sync, durationMs);
          result = injectedResult(faults, target.config, requestId ?? this.newRequestId(), durationMs);
          emitFinished(this.telemetry, target.config, result, { invokedFunctionArn: target.invokedFunctionArn, via: sync.via });
        }
      }
      result ??= await this.runIn(pool, target, payload, trace, requestId, undefined, sync, undefined, latencyMs, slowInitMs);
      if (result.errorType !== undefined && result.payload.includes("@aws-sdk/")) this.hintSdkImport(target.config.functionName, target.config.runtime, result.payload);
      for (const o of this.observers) o({ functionName: target.config.functionName, payload, result });
      return result;
    } finally {
      // Answered before its extensions finished: the environment, and so its concurrency, stays
      // taken until the invocation completes (Extensions API "Invoke phase").
      if (result?.completion === undefined) admission.lease.release();
      else void result.completion.then(() => admission.lease.release());
    }
  }

  /**
   * The hint beside an un-bundled SDK client AWS's runtime has and ours lacks: with a failing
   * invocation, at most once a minute per function and SDK client, so that a
   * `tail` or a page opened later sees it too at the next failure.
   */
  private hintSdkImport(functionName: string, runtime: string, errorPayload: Buffer): void {
    const hint = sdkImportHint(functionName, runtime, errorPayload);
    if (hint === undefined) return;
    const now = stopwatch.now();
    if (now - (this.hinted.get(hint) ?? -Infinity) < HINT_EVERY_MS) return;
    this.hinted.set(hint, now);
    this.telemetry.emit({ type: "simulator.warning", message: hint });
  }

  private runIn(
    pool: EnvironmentPool,
    target: ResolvedInvocationTarget,
    payload: Buffer,
    trace: string,
    requestId: string | undefined,
    failure: InvocationRequest["failure"],
    sync: SyncOptions,
    injected?: InvocationRequest["injectedError"],
    latencyMs = 0,
    slowInitMs = 0,
  ): Promise<InvocationResult> {
    return pool.run({
      latencyMs,
      // Read only with a slow cold start: nothing more on the invoke path without one.
      initDelayMs: slowInitMs === 0 ? 0 : firstInitDelayMs(target, slowInitMs),
      slowInitMs,
      failure,
      injectedError: injected,
      responseSink: sync.responseSink,
      logTail: sync.logTail,
      answerFirst: sync.frontDoor === true && sync.logTail !== true && sync.responseSink === undefined,
      requestId: requestId ?? this.newRequestId(),
      // An empty payload reaches the handler as `{}`, as Invoke without a payload does on AWS.
      payload: payload.length === 0 ? EMPTY_EVENT : payload,
      invokedFunctionArn: target.invokedFunctionArn,
      traceId: trace,
      clientContext: sync.clientContext,
      via: sync.via,
      deadline: sync.deadline,
    });
  }
}

const EMPTY_EVENT = Buffer.from("{}");

/**
 * What a slow cold start of `slowInitMs` lets pass before a new environment: all of it for a
 * `model` function; for a real one, up to the init limit (aws-facts §3: 10 s on demand), where its
 * Init times out and runs again inside the invocation (EnvironmentFailures.suppressInit).
 */
function firstInitDelayMs(target: ResolvedInvocationTarget, slowInitMs: number): number {
  return target.config.runtime === "model" ? slowInitMs : Math.min(slowInitMs, initLimitMs());
}
/** How often a repeated hint is said again (wall time: it is for the people watching). Our choice. */
const HINT_EVERY_MS = 60_000;
