import { stopwatch } from "../clock/stopwatch.ts";
import type { FunctionVersionConfig } from "../registry/function-model.ts";
import { initLimitMs } from "../runtime/init-limit.ts";
import { RuntimeApiServer } from "../runtime/runtime-api-server.ts";
import { normaliseErrorType } from "../runtime/runtime-contract.ts";
import type { EnvironmentState, ResetCause, RetireReason } from "./environment-state.ts";
import { EnvironmentFailures } from "./environment-failures.ts";
import { EnvironmentLifecycle } from "./environment-lifecycle.ts";
import { EnvironmentProcess } from "./environment-process.ts";
import { EnvironmentWatchdogs } from "./environment-watchdogs.ts";
import { ExtensionHost } from "./extension-host.ts";
import { FreezePolicy } from "./freeze-policy.ts";
import type { InvocationRequest, InvocationResult } from "./invocation-result.ts";
import { InvocationCompletion } from "./invocation-completion.ts";
import { InvocationReporter } from "./invocation-reporter.ts";
import { ServiceTime } from "./service-time.ts";
import { OutputForwarder } from "./output-forwarder.ts";
import { PlatformLog } from "./platform-log.ts";
import { RunningInvocation } from "./running-invocation.ts";
import { runtimeErrorLine } from "./runtime-error-line.ts";
import type { Environment } from "./environment.ts";
import type { EnvironmentContext } from "./environment-context.ts";

/**
 * One sandbox (DESIGN.md): a real child process behind its own Runtime API listener, its /tmp and
 * its init duration. Frozen with SIGSTOP while idle and thawed before the next event (aws-facts §3
 * "Freeze/thaw"); reset after a timeout or crash (process killed, /tmp kept, the next invocation
 * re-initialises); retired for good after an init failure, its idle lifetime or a code change.
 *
 * This class is the state machine (environment-state.ts) and the path of an invocation through it:
 * invoke → the runtime takes the event (onDelivered) → its answer and the invocation's end
 * (InvocationCompletion). It wires the pieces that do the rest: the runtime's process and the
 * sandbox pool (EnvironmentProcess), freezing (FreezePolicy), the invocation's result and report (InvocationReporter), the deadlines
 * (EnvironmentWatchdogs) and what happens when something fails (EnvironmentFailures).
 */
export class ExecutionEnvironment implements Environment {
  readonly id: string;
  readonly config: FunctionVersionConfig;
  /** Called when the environment can take another event, and when it leaves service. */
  onAvailable: (env: Environment) => void = () => {};
  onRetired: (env: Environment) => void = () => {};
  private readonly ctx: EnvironmentContext;
  private readonly api: RuntimeApiServer;
  private readonly output: OutputForwarder;
  private runtimeApi = "";
  /** The runtime's process, its /tmp and channel, and the sandbox pool's part in starting it. */
  private readonly process: EnvironmentProcess;
  private readonly lifecycle: EnvironmentLifecycle;
  private readonly watchdogs = new EnvironmentWatchdogs();
  private readonly freezer: FreezePolicy;
  /** The running invocation, its result and report. */
  private readonly report: InvocationReporter;
  /** The runtime's answer to the end of the invocation, the environment free again. */
  private readonly completion: InvocationCompletion;
  /** Exits, timeouts, out-of-memory, injected faults and extension failures: reset or retirement. */
  private readonly failures: EnvironmentFailures;
  /** /opt/extensions, the Extensions API and the Telemetry API of this environment. */
  private readonly extensions: ExtensionHost;

  /** `provisioned-concurrency` environments are initialised ahead of traffic (aws-facts §4). */
  readonly initializationType: "on-demand" | "provisioned-concurrency";
  private prewarmed: ((ok: boolean) => void) | undefined;
  /** An invocation with an injected error, waiting for its cold start's runtime to ask for an event. */
  private injectedWaiting: RunningInvocation | undefined;

  constructor(id: string, config: FunctionVersionConfig, ctx: EnvironmentContext, logStream: string, initializationType: "on-demand" | "provisioned-concurrency" = "on-demand") {
    this.id = id;
    this.initializationType = initializationType;
    this.config = config;
    this.ctx = ctx;
    this.api = new RuntimeApiServer({
      onReady: () => this.onReady(),
      onDelivered: (_id, at) => this.onDelivered(at),
      onOutcome: (o) => this.completion.outcome(o),
      onInitError: (errorType, body) => this.failures.initErrored(errorType, body),
    });
    this.output = new OutputForwarder(ctx.telemetry, config.functionName, id, (text) => this.report.running?.log.append(text));
    this.lifecycle = new EnvironmentLifecycle(id, config, ctx.telemetry, initializationType === "provisioned-concurrency");
    const onOutput = (b: Buffer, pipe?: string) => this.output.write(b, this.report.running?.request.requestId, pipe);
    this.extensions = new ExtensionHost({ environmentId: id, config, telemetry: ctx.telemetry, api: this.api, endpoint: ctx.endpointUrl, onOutput, onCrash: (f) => this.failures.onExtensionCrash(f) });
    this.process = new EnvironmentProcess({ environmentId: id, config, ctx, api: this.api, initializationType, logStream, onOutput, onExit: (code, signal) => this.failures.onExit(code, signal) });
    this.freezer = new FreezePolicy(config, ctx, this.process, this.api, this.extensions, this);
    const platformLog = new PlatformLog({ config, logStream, initializationType, now: () => ctx.clock.now() });
    this.report = new InvocationReporter(id, config, ctx.telemetry, this.output, this.process, this.watchdogs, platformLog);
    this.completion = new InvocationCompletion({
      telemetry: ctx.telemetry,
      lifecycle: this.lifecycle,
      process: this.process,
      extensions: this.extensions,
      report: this.report,
      watchdogs: this.watchdogs,
      clock: ctx.clock,
      timeoutMs: this.config.timeout * 1000,
      serviceTimeout: () => this.failures.onServiceTimeout(),
      label: `invoke.latency:${this.config.functionName}`,
      available: () => {
        this.onAvailable(this);
        // The runtime may have asked for the next event before we finished.
        this.freezer.ifWaiting();
      },
    });
    this.failures = new EnvironmentFailures({
      config,
      clock: ctx.clock,
      lifecycle: this.lifecycle,
      process: this.process,
      api: this.api,
      extensions: this.extensions,
      freezer: this.freezer,
      report: this.report,
      output: this.output,
      watchdogs: this.watchdogs,
      retire: (reason) => this.retire(reason),
      available: () => this.onAvailable(this),
      invoke: (request) => this.invoke(request),
    });
  }

  /** Invocations finished in this environment. */
  get invocations(): number {
    return this.report.finished;
  }

  get state(): EnvironmentState {
    return this.lifecycle.state;
  }

  get reason(): RetireReason | ResetCause | undefined {
    return this.lifecycle.reason;
  }

  get busy(): boolean {
    return this.report.running !== undefined;
  }

  /**
   * Initialises the environment ahead of traffic (provisioned concurrency): resolves true once the
   * runtime asks for its first event, false if init fails or takes longer than the init limit.
   */
  async prewarm(limitMs: number): Promise<boolean> {
    if (this.process.current !== undefined || this.report.running !== undefined) return true;
    const ready = new Promise<boolean>((resolve) => (this.prewarmed = resolve));
    // Real work, as an on-demand init inside an invocation is: the VirtualClock waits for it, so
    // traffic after the allocation finds the environment ready rather than spilling over.
    const hold = this.ctx.clock.hold(`prewarm:${this.id}`);
    try {
      if (this.state === "reset") this.transition("initializing");
      await this.startProcess();
      const timer = stopwatch.after(limitMs, () => void this.retire("init-timeout"));
      const ok = await ready;
      timer.cancel();
      return ok;
    } finally {
      hold.release();
    }
  }

  /** Runs one invocation; a new or reset environment initialises first (a cold start). */
  async invoke(request: InvocationRequest): Promise<InvocationResult> {
    if (this.report.running !== undefined || this.state === "retiring" || this.state === "retired") {
      throw new Error(`environment ${this.id} cannot take an invocation in state ${this.state}`);
    }
    const coldStart = this.process.current === undefined;
    // A scenario's serviceTime: service time the invocation takes beside its handler's run (an
    // injected latency comes after the handler's run instead: InvocationCompletion).
    const serviceTimeMs = this.config.sim.serviceTimeMs;
    const done = new Promise<InvocationResult>((resolve) => {
      const running = new RunningInvocation(request, coldStart, this.ctx.clock.hold(`invoke:${request.requestId}`), resolve);
      if (serviceTimeMs !== undefined) {
        // What the function's timeout has left: all of it, or after a suppressed init what its retried Init left.
        const timeout = { ms: Math.max(0, this.config.timeout * 1000 - running.timeoutUsedMs()), onTimeout: () => this.failures.onServiceTimeout() };
        running.serviceTime = new ServiceTime(this.ctx.clock, serviceTimeMs, `invoke.service-time:${this.config.functionName}`, timeout);
        request.deadline?.alongside(serviceTimeMs);
      }
      this.report.running = running;
    });
    const running = this.report.running!;
    // An Init past its limit that runs again inside this invocation (EnvironmentFailures.suppressInit).
    const retriedInit = request.suppressedInitAt !== undefined;
    // False once this invocation's Init timed out and runs again (EnvironmentFailures.suppressInit),
    // or it was answered: what this call was doing belongs to the attempt that ended.
    const current = () => this.report.running === running && !running.retrying;
    this.output.resetBudget();
    if (coldStart) {
      if (this.state === "reset") this.transition("initializing");
      // A suppressed init (EnvironmentFailures.suppressInit) has the function's timeout, not the Init limit.
      const limit = retriedInit ? this.config.timeout * 1000 : initLimitMs();
      // From the Init's start, the extensions' registration included (aws-facts §3: the limit is the
      // three Init tasks'); a slow cold start's service ms are Init already spent (InvocationRequest.initDelayMs),
      // and a retried Init's count as the timeout's (timeoutUsedMs).
      const left = Math.max(0, limit - (retriedInit ? running.timeoutUsedMs() : running.initDelayMs));
      await this.startProcess(left, current, () => this.failures.onInitTimeout(limit));
      if (!current()) return done;
    } else {
      // Its telemetry is delivered while the runtime works (Telemetry.deferred).
      this.ctx.telemetry.deferred(() => this.transition("busy"));
      this.freezer.thaw();
    }
    // A retried Init's invocation has started already.
    if (!retriedInit) this.report.started(request, coldStart);
    // Init ends when every extension has asked for its first event too (aws-facts §3 "Phases").
    if (coldStart && this.extensions.running && ((await this.failures.extensionInitFailed(running)) || !current())) return done;
    if (request.injectedError !== undefined) {
      // Not given to the runtime: answered now if it waits on /next, else when it first does (onReady).
      if (this.api.runtimeWaiting) this.answerForRuntime(running);
      else this.injectedWaiting = running;
      return done;
    }
    this.api.dispatch({
      requestId: request.requestId,
      payload: request.payload,
      timeoutMs: this.config.timeout * 1000,
      // A suppressed init's time, service delay included, comes out of the function's timeout.
      deadlineAt: retriedInit ? stopwatch.epochNow() - running.timeoutUsedMs() + this.config.timeout * 1000 : undefined,
      invokedFunctionArn: request.invokedFunctionArn,
      traceId: request.traceId,
      clientContext: request.clientContext,
      responseSink: request.responseSink,
    });
    return done;
  }

  /** Kills the process and removes /tmp; the environment never runs again. */
  async retire(reason: RetireReason): Promise<void> {
    if (this.state === "retiring" || this.state === "retired") return;
    this.settlePrewarm(false);
    // An Init still running never finished: the sandbox pool stops counting it in a burst.
    this.process.initFailed();
    this.transition("retiring", reason);
    if (reason === "init-failed") this.output.initFailed();
    // A freeze still pending would stop the extensions in the middle of their SHUTDOWN.
    this.freezer.stop();
    if (this.process.current !== undefined && this.extensions.shutdownBudgetMs > 0) {
      // Thawed, runtime included: an internal extension's telemetry listener lives in its process.
      this.freezer.thaw();
      await this.extensions.shutdown("spindown");
    }
    this.extensions.close();
    this.failures.kill();
    if (this.report.running !== undefined) this.report.finish(this.report.platformError("Runtime.ExitError", "Runtime exited without providing a reason", "error"));
    this.watchdogs.stop();
    await this.api.close();
    this.process.removeTmp();
    // A last line without its newline still reaches the environment's log stream.
    this.output.outputEnded();
    this.transition("retired", reason);
    this.onRetired(this);
  }

  /**
   * `limitMs`: what the extensions have to register (the Init limit, or what a suppressed init has
   * left); `current`: false once the invocation that started it has moved on (its Init timed out);
   * `onLimit`: armed for `limitMs` from the instant Init Duration counts from (prepare()), so a
   * timed-out Init reports its limit, not a few ms less (the Runtime API's first listen came between).
   */
  private async startProcess(limitMs = initLimitMs(), current: () => boolean = () => true, onLimit?: () => void): Promise<void> {
    if (this.runtimeApi === "") this.runtimeApi = await this.api.listen();
    this.failures.initStarts();
    this.report.initStart();
    const options = this.process.prepare(this.runtimeApi);
    if (onLimit !== undefined) this.watchdogs.arm(limitMs, onLimit);
    const failure = await this.extensions.start(options, limitMs, this.report.initPhase);
    if (!current()) return;
    if (failure !== undefined) return this.failures.failExtensionInit(failure);
    // Retired while its extensions started: no runtime for a gone environment (review23 M7).
    if (this.state === "retiring" || this.state === "retired") return;
    const invalidEntrypoint = this.process.start(options);
    if (invalidEntrypoint !== undefined) this.failures.invalidEntrypoint(invalidEntrypoint);
  }

  private settlePrewarm(ok: boolean): void {
    const settle = this.prewarmed;
    this.prewarmed = undefined;
    settle?.(ok);
  }

  private onReady(): void {
    const r = this.report.running;
    // A cold start's Init is over (the runtime asks for its first event): a fault's error answers it.
    if (r !== undefined && r === this.injectedWaiting) return this.answerForRuntime(r);
    // A provisioned environment's Init ends here; an invocation's, when the runtime takes its event (onDelivered).
    if (r === undefined) this.report.initDone("success", stopwatch.now() - this.process.spawnedAt);
    // An invocation's Init is not over while its extensions finish theirs (it dispatches after):
    // initializing until the runtime takes the event (onDelivered), so an extension dying meanwhile
    // fails the Init rather than resetting an environment that never was ready (review-si).
    if (this.state === "initializing" && r === undefined) this.transition("idle");
    this.process.initSucceeded();
    this.settlePrewarm(true);
    this.freezer.ifWaiting();
  }

  /** `at`: the stopwatch reading just before the event was written to the runtime. */
  private onDelivered(at: number): void {
    const r = this.report.running;
    if (r === undefined) return;
    this.watchdogs.disarm();
    this.process.initSucceeded();
    if (r.coldStart && r.initDurationMs === undefined) r.initEnded(at - this.process.spawnedAt);
    if (this.state === "initializing") this.transition("busy");
    r.deliveredAt = at;
    // A suppressed init's time (its service delay included) came out of the function's timeout.
    const budgetMs = Math.max(0, this.config.timeout * 1000 - r.timeoutUsedMs(at));
    this.extensions.invoke(r.request, budgetMs);
    this.ctx.telemetry.deferred(() => {
      // A retried Init's end too (JSON records, in the invoke phase): its time is the Duration's, never an Init Duration.
      if (r.coldStart) this.report.initDone("success", r.initDurationMs ?? r.timeoutUsedMs(at));
      this.report.startLine(r);
    });
    this.watchdogs.arm(budgetMs, () => this.failures.onTimeout());
    this.watchdogs.watchMemory(
      () => this.report.running === r && (this.process.current?.residentMemoryMb() ?? 0) > this.config.memorySize,
      () => this.failures.onOutOfMemory(),
    );
    if (r.request.failure !== undefined) this.failures.suffer(r.request.failure);
  }

  /**
   * A fault's function error (InvocationRequest.injectedError), in place of the handler's: the
   * invocation goes as a handler that throws at once would, START, the runtime's error line, END
   * and REPORT with this environment's figures (aws-facts §2.5: every invocation that reaches an
   * environment has them), Init Duration on a cold start, extensions told of it.
   */
  private answerForRuntime(r: RunningInvocation): void {
    const error = r.request.injectedError!;
    this.injectedWaiting = undefined;
    this.onDelivered(stopwatch.now());
    const line = runtimeErrorLine(this.config, r.requestId, error, this.ctx.clock.now());
    if (line !== undefined) this.ctx.telemetry.deferred(() => this.output.write(Buffer.from(line), r.requestId));
    this.completion.outcome({ kind: "error", requestId: r.requestId, errorType: normaliseErrorType(error.errorType), body: error.payload });
  }

  private transition(to: EnvironmentState, reason?: RetireReason): void {
    this.lifecycle.to(to, reason);
  }
}

