import { stopwatch } from "../clock/stopwatch.ts";
import type { FunctionVersionConfig } from "../registry/function-model.ts";
import { INIT_LIMIT_MS } from "../runtime/init-limit.ts";
import { RuntimeApiServer, type RuntimeOutcome } from "../runtime/runtime-api-server.ts";
import { signalText } from "../runtime/sandbox-process.ts";
import type { EnvironmentState, RetireReason } from "./environment-state.ts";
import { EnvironmentLifecycle } from "./environment-lifecycle.ts";
import { EnvironmentProcess } from "./environment-process.ts";
import { EnvironmentWatchdogs } from "./environment-watchdogs.ts";
import { ExtensionHost, type ExtensionFailure } from "./extension-host.ts";
import { FreezePolicy } from "./freeze-policy.ts";
import { failurePayload, type InvocationRequest, type InvocationResult, type ReportStatus } from "./invocation-result.ts";
import { InvocationReporter } from "./invocation-reporter.ts";
import { OutputForwarder } from "./output-forwarder.ts";
import { RunningInvocation } from "./running-invocation.ts";
import type { Environment } from "./environment.ts";
import type { EnvironmentContext } from "./environment-context.ts";

/**
 * One sandbox (DESIGN.md): a real child process behind its own Runtime API listener, its /tmp and
 * its init duration. Frozen with SIGSTOP while idle and thawed before the next event (aws-facts §3
 * "Freeze/thaw"); reset after a timeout or crash (process killed, /tmp kept, the next invocation
 * re-initialises); retired for good after an init failure, its idle lifetime or a code change.
 */
export class ExecutionEnvironment implements Environment {
  readonly id: string;
  readonly config: FunctionVersionConfig;
  invocations = 0;
  /** Called when the environment can take another event, and when it leaves service. */
  onAvailable: (env: Environment) => void = () => {};
  onRetired: (env: Environment) => void = () => {};
  private readonly ctx: EnvironmentContext;
  private readonly api: RuntimeApiServer;
  private readonly output: OutputForwarder;
  private runtimeApi = "";
  /** The runtime's process, its /tmp and channel, and the sandbox pool's part in starting it. */
  private readonly process: EnvironmentProcess;
  private initError: { errorType: string; body: Buffer } | undefined;
  private running: RunningInvocation | undefined;
  private readonly lifecycle: EnvironmentLifecycle;
  private readonly watchdogs = new EnvironmentWatchdogs();
  private readonly freezer: FreezePolicy;
  private readonly report: InvocationReporter;
  /** /opt/extensions, the Extensions API and the Telemetry API of this environment. */
  private readonly extensions: ExtensionHost;

  /** `provisioned-concurrency` environments are initialised ahead of traffic (aws-facts §4). */
  readonly initializationType: "on-demand" | "provisioned-concurrency";
  private prewarmed: ((ok: boolean) => void) | undefined;

  constructor(id: string, config: FunctionVersionConfig, ctx: EnvironmentContext, logStream: string, initializationType: "on-demand" | "provisioned-concurrency" = "on-demand") {
    this.id = id;
    this.initializationType = initializationType;
    this.config = config;
    this.ctx = ctx;
    this.api = new RuntimeApiServer({
      onReady: () => this.onReady(),
      onDelivered: (_id, at) => this.onDelivered(at),
      onOutcome: (o) => this.onOutcome(o),
      onInitError: (errorType, body) => (this.initError = { errorType, body }),
    });
    this.output = new OutputForwarder(ctx.telemetry, config.functionName, id, (text) => this.running?.log.append(text));
    this.lifecycle = new EnvironmentLifecycle(id, config, ctx.telemetry, initializationType === "provisioned-concurrency");
    const onOutput = (b: Buffer) => this.output.write(b, this.running?.request.requestId);
    this.extensions = new ExtensionHost({ environmentId: id, config, telemetry: ctx.telemetry, api: this.api, onOutput, onCrash: (f) => this.onExtensionCrash(f) });
    this.process = new EnvironmentProcess({ environmentId: id, config, ctx, api: this.api, initializationType, logStream, onOutput, onExit: (code, signal) => this.onExit(code, signal) });
    this.freezer = new FreezePolicy(config, ctx, this.process, this.api, this.extensions, this);
    this.report = new InvocationReporter(id, config, ctx.telemetry, this.output, this.process);
  }

  get state(): EnvironmentState {
    return this.lifecycle.state;
  }

  get busy(): boolean {
    return this.running !== undefined;
  }

  /**
   * Initialises the environment ahead of traffic (provisioned concurrency): resolves true once the
   * runtime asks for its first event, false if init fails or takes longer than the init limit.
   */
  async prewarm(limitMs: number): Promise<boolean> {
    if (this.process.current !== undefined || this.running !== undefined) return true;
    const ready = new Promise<boolean>((resolve) => (this.prewarmed = resolve));
    if (this.state === "reset") this.transition("initializing");
    await this.startProcess();
    const timer = stopwatch.after(limitMs, () => void this.retire("init-timeout"));
    const ok = await ready;
    timer.cancel();
    return ok;
  }

  /** Runs one invocation; a new or reset environment initialises first (a cold start). */
  async invoke(request: InvocationRequest): Promise<InvocationResult> {
    if (this.running !== undefined || this.state === "retiring" || this.state === "retired") {
      throw new Error(`environment ${this.id} cannot take an invocation in state ${this.state}`);
    }
    const coldStart = this.process.current === undefined;
    const done = new Promise<InvocationResult>((resolve) => {
      this.running = new RunningInvocation(request, coldStart, this.ctx.clock.hold(`invoke:${request.requestId}`), resolve);
    });
    this.output.resetBudget(request.requestId);
    if (coldStart) {
      if (this.state === "reset") this.transition("initializing");
      await this.startProcess();
      this.watchdogs.arm(INIT_LIMIT_MS, () => this.onInitTimeout());
    } else {
      // Its telemetry is delivered while the runtime works (Telemetry.deferred).
      this.ctx.telemetry.deferred(() => this.transition("busy"));
      this.freezer.thaw();
    }
    this.report.started(request, coldStart);
    // Init ends when every extension has asked for its first event too (aws-facts §3 "Phases").
    if (coldStart && this.extensions.running && (await this.extensionInitFailed())) return done;
    this.api.dispatch({
      requestId: request.requestId,
      payload: request.payload,
      timeoutMs: this.config.timeout * 1000,
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
    this.process.initFailed();
    this.transition("retiring", reason);
    // A freeze still pending would stop the extensions in the middle of their SHUTDOWN.
    this.freezer.stop();
    if (this.process.current !== undefined && this.extensions.running) await this.extensions.shutdown("spindown");
    this.extensions.close();
    this.killProcess();
    if (this.running !== undefined) this.finish(this.platformError("Runtime.ExitError", "Runtime exited without providing a reason", "error"));
    this.watchdogs.stop();
    await this.api.close();
    this.process.removeTmp();
    this.transition("retired", reason);
    this.onRetired(this);
  }

  private async startProcess(): Promise<void> {
    if (this.runtimeApi === "") this.runtimeApi = await this.api.listen();
    this.initError = undefined;
    const options = this.process.prepare(this.runtimeApi);
    const failure = await this.extensions.start(options, INIT_LIMIT_MS);
    if (failure !== undefined) return this.failExtensionInit(failure);
    const invalidEntrypoint = this.process.start(options);
    if (invalidEntrypoint === undefined) return;
    // RAPID's fatal error for a missing or non-executable entrypoint (aws-facts §1.5).
    const message = `RequestId: ${this.running?.request.requestId} Error: ${invalidEntrypoint}`;
    this.initError = { errorType: "Runtime.InvalidEntrypoint", body: failurePayload("Runtime.InvalidEntrypoint", message) };
    setImmediate(() => this.onExit(127, null));
  }

  private settlePrewarm(ok: boolean): void {
    const settle = this.prewarmed;
    this.prewarmed = undefined;
    settle?.(ok);
  }

  private onReady(): void {
    if (this.state === "initializing") this.transition("idle");
    this.process.initSucceeded();
    this.settlePrewarm(true);
    this.freezer.ifWaiting();
  }

  /** `at`: the stopwatch reading just before the event was written to the runtime. */
  private onDelivered(at: number): void {
    const r = this.running;
    if (r === undefined) return;
    this.watchdogs.disarm();
    this.process.initSucceeded();
    if (r.coldStart && r.initDurationMs === undefined) r.initDurationMs = at - this.process.spawnedAt;
    if (this.state === "initializing") this.transition("busy");
    r.deliveredAt = at;
    this.extensions.invoke(r.request, this.config.timeout * 1000);
    this.ctx.telemetry.deferred(() => this.report.startLine(r));
    this.watchdogs.arm(this.config.timeout * 1000, () => this.onTimeout());
    this.watchdogs.watchMemory(
      () => this.running === r && (this.process.current?.residentMemoryMb() ?? 0) > this.config.memorySize,
      () => this.onOutOfMemory(),
    );
    if (r.request.failure !== undefined) this.suffer(r.request.failure);
  }

  /** An injected failure: what the process dying (or hanging) under the handler reports (aws-facts §1.5). */
  private suffer(failure: NonNullable<InvocationRequest["failure"]>): void {
    // A hung handler: its answer never counts, and the timeout watchdog armed above ends it.
    if (failure === "timeout") return;
    if (failure === "out-of-memory") return this.onOutOfMemory();
    this.killRuntime();
    this.finish(this.platformError("Runtime.ExitError", "Runtime exited with error: exit status 1", "error"));
    this.toReset("failure");
  }

  private onOutcome(o: RuntimeOutcome): void {
    const r = this.running;
    if (r === undefined || o.requestId !== r.request.requestId || r.request.failure === "timeout" || r.answered) return;
    if (o.kind !== "too-large" && o.peakMemoryKb !== undefined) this.process.current?.notePeakKb(o.peakMemoryKb);
    const produced = o.kind === "too-large" ? 0 : o.body.length;
    const idle = this.extensions.runtimeDone(o.requestId, o.kind === "response" ? "success" : "error", stopwatch.now() - (r.deliveredAt ?? stopwatch.now()), produced);
    if (!idle) return this.answerEarly(r, o);
    this.watchdogs.disarm();
    // Output the runtime wrote before posting is already in the pipe; one turn of the event loop
    // lets it reach the log ahead of END and REPORT.
    setImmediate(() => this.complete(r, o));
  }

  /**
   * Extensions still at work after the runtime's response. AWS answers the caller now; the Invoke
   * phase (its Duration, billing, the environment and its concurrency) lasts until every extension
   * has asked for its next event, and the function timeout still bounds it (Extensions API
   * "Invoke phase"). The caller's log tail ends here: END and REPORT come with the completion
   * (our choice: what AWS's tail holds in this case is not published).
   */
  private answerEarly(r: RunningInvocation, o: RuntimeOutcome): void {
    setImmediate(() => {
      if (this.running !== r || r.answered) return;
      const early = this.report.outcome(r, o);
      early.logTail = r.log.tailBase64();
      r.answer(early);
    });
    void this.extensions.whenIdle().then(() => setImmediate(() => this.complete(r, o)));
  }

  /** The invocation is over: its result (duration up to now), and the environment is free again. */
  private complete(r: RunningInvocation, o: RuntimeOutcome): void {
    if (this.running !== r) return;
    // Telemetry after the caller has its answer (Telemetry.deferred).
    this.ctx.telemetry.deferred(() => {
      this.finish(this.report.outcome(r, o));
      if (this.state === "busy") this.transition("idle");
    });
    this.onAvailable(this);
    // The runtime may have asked for the next event before we finished.
    this.freezer.ifWaiting();
  }

  /** The process exited on its own (or could not start). */
  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    const proc = this.process.exited();
    const r = this.running;
    // A runtime dying under an event resets the environment, and its extensions hear why (toReset).
    if (this.state !== "busy" || r?.deliveredAt === undefined) this.extensions.kill();
    this.watchdogs.disarm();
    if (this.state === "retiring" || this.state === "retired") return;
    const reason = signal !== null ? `signal: ${signalText(signal)}` : code === 0 ? undefined : `exit status ${code}`;
    const exitMessage = reason ? `Runtime exited with error: ${reason}` : "Runtime exited without providing a reason";
    if (r === undefined) {
      if (this.state === "idle") this.transition("reset");
      else if (this.state === "initializing") void this.retire("init-failed"); // a provisioned init failed
      return;
    }
    if (this.state === "initializing") {
      // Init failed: this invocation gets the init error and the environment is not reused.
      if (r.initDurationMs === undefined) r.initDurationMs = stopwatch.now() - this.process.spawnedAt;
      const e = this.initError;
      this.finish(e ? this.report.result(r, e.body, e.errorType, "error") : this.platformError("Runtime.ExitError", exitMessage, "error"));
      void this.retire("init-failed");
      return;
    }
    if (r.deliveredAt === undefined) {
      // The last process died before taking this event (say, exit after an uncaught error):
      // the environment is reset and this invocation pays a new Init, as on AWS.
      this.api.resetSession();
      this.running = undefined;
      r.hold.release();
      this.transition("reset");
      void this.invoke(r.request).then(r.resolve);
      return;
    }
    const oom = this.output.sawOutOfMemory || (proc?.peakMemoryMb() ?? 0) >= this.config.memorySize;
    this.finish(this.platformError(oom ? "Runtime.OutOfMemory" : "Runtime.ExitError", exitMessage, "error"));
    this.toReset("failure");
  }

  private onTimeout(): void {
    const r = this.running;
    if (r === undefined || r.deliveredAt === undefined) return;
    const seconds = ((stopwatch.now() - r.deliveredAt) / 1000).toFixed(2);
    this.killRuntime();
    // Current payload (aws-facts §1.5 "Timeout (current)"), REPORT Status: timeout.
    this.finish(this.platformError("Sandbox.Timedout", `Task timed out after ${seconds} seconds`, "timeout"));
    this.toReset("timeout");
  }

  private onInitTimeout(): void {
    const r = this.running;
    if (r === undefined) return;
    r.initDurationMs = stopwatch.now() - this.process.spawnedAt;
    this.killProcess();
    const seconds = (INIT_LIMIT_MS / 1000).toFixed(2);
    this.finish(this.platformError("Sandbox.Timedout", `Task timed out after ${seconds} seconds`, "timeout"));
    void this.retire("init-timeout");
  }

  private onOutOfMemory(): void {
    this.killRuntime();
    this.finish(this.platformError("Runtime.OutOfMemory", "Runtime exited with error: signal: killed", "error"));
    this.toReset("failure");
  }

  /**
   * Timeout, crash or OOM: the runtime is gone, /tmp stays, the next invocation re-runs Init. The
   * extensions still running get SHUTDOWN with the reason first (aws-facts §3 "After timeout or
   * crash"); the environment takes no event until they are gone.
   */
  private toReset(reason: "timeout" | "failure"): void {
    this.api.resetSession();
    if (this.state === "busy" || this.state === "idle") this.transition("reset");
    if (!this.extensions.running) return this.onAvailable(this);
    void this.extensions.shutdown(reason).then(() => this.onAvailable(this));
  }

  private platformError(errorType: string, message: string, status: ReportStatus): InvocationResult {
    return this.report.platformError(this.running!, errorType, message, status);
  }

  /** Frames the log with END and REPORT, emits telemetry and hands the result to the caller. */
  private finish(result: InvocationResult): void {
    const r = this.running;
    if (r === undefined) return;
    this.watchdogs.disarm();
    this.report.finished(r, result);
    this.running = undefined;
    this.invocations++;
    r.hold.release();
    r.resolve(result);
  }

  private killProcess(): void {
    this.killRuntime();
    this.extensions.kill();
  }

  /** Kills the runtime's process only: its extensions are shut down (toReset) or killed after. */
  private killRuntime(): void {
    this.freezer.clear();
    this.process.kill();
    this.api.resetSession();
  }

  /** An extension failed during Init: this Init fails as the runtime's own failures do. */
  private failExtensionInit(f: ExtensionFailure): void {
    this.extensions.kill();
    const type = f.errorType;
    this.initError = { errorType: type, body: failurePayload(type, `RequestId: ${this.running?.request.requestId} Error: ${f.message}`) };
    setImmediate(() => this.onExit(1, null));
  }

  /** Waits for the extensions' init; true when one failed (the invocation has been answered). */
  private async extensionInitFailed(): Promise<boolean> {
    const failure = await this.extensions.initDone();
    if (failure === undefined || this.running === undefined) return false;
    this.killProcess();
    this.failExtensionInit(failure);
    return true;
  }

  /** An extension died after its Init: the environment is reset, as after a runtime crash. */
  private onExtensionCrash(f: ExtensionFailure): void {
    if (this.state === "retiring" || this.state === "retired") return;
    const r = this.running;
    this.killProcess();
    if (r !== undefined && r.deliveredAt !== undefined) {
      this.finish(this.platformError(f.errorType, f.message, "error"));
      this.toReset("failure");
    } else if (r === undefined && this.state === "idle") this.transition("reset");
  }

  private transition(to: EnvironmentState, reason?: RetireReason): void {
    this.lifecycle.to(to, reason);
  }
}

