import { rmSync } from "node:fs";
import { join } from "node:path";
import { stopwatch } from "../clock/stopwatch.ts";
import { WallAlarm } from "../clock/wall-alarm.ts";
import type { FunctionVersionConfig } from "../registry/function-model.ts";
import { MAX_RESPONSE_BYTES, RuntimeApiServer, type RuntimeOutcome } from "../runtime/runtime-api-server.ts";
import { RuntimeChannel } from "../runtime/runtime-channel.ts";
import { mountTablesOf, SandboxProcess, signalText, type SandboxOptions } from "../runtime/sandbox-process.ts";
import { firstStart } from "../runtime/sandbox-pool.ts";
import type { EnvironmentState, RetireReason } from "./environment-state.ts";
import { EnvironmentLifecycle } from "./environment-lifecycle.ts";
import { EnvironmentWatchdogs } from "./environment-watchdogs.ts";
import { ExtensionHost, type ExtensionFailure } from "./extension-host.ts";
import { emitFinished, emitStarted, failurePayload, type InvocationRequest, type InvocationResult, type ReportStatus } from "./invocation-result.ts";
import { OutputForwarder } from "./output-forwarder.ts";
import { RunningInvocation } from "./running-invocation.ts";
import type { Environment } from "./environment.ts";
import type { EnvironmentContext } from "./environment-context.ts";

/** On-demand init must finish within 10 s (aws-facts §3). */
export const INIT_LIMIT_MS = 10_000;
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
  /** Its /tmp: its own directory, or the one of the pooled sandbox it took (sandbox-pool.ts). */
  private tmpDir: string;
  private readonly logStream: string;
  private runtimeApi = "";
  private process: SandboxProcess | undefined;
  /** The private channel to the current process's bootstrap, when the bootstrap is ours. */
  private channel: RuntimeChannel | undefined;
  /** The process of the current or last invocation: its memory reading outlives it. */
  private lastProcess: SandboxProcess | undefined;
  private spawnedAt = 0;
  /** How the current process was started, until its Init is over (refillSandboxes). */
  private sandboxOptions: SandboxOptions | undefined;
  private initError: { errorType: string; body: Buffer } | undefined;
  private running: RunningInvocation | undefined;
  private readonly lifecycle: EnvironmentLifecycle;
  private readonly watchdogs = new EnvironmentWatchdogs();
  private readonly freezeAlarm = new WallAlarm();
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
    this.logStream = logStream;
    this.tmpDir = join(ctx.tmpRoot, id);
    this.api = new RuntimeApiServer({
      onReady: () => this.onReady(),
      onDelivered: (_id, at) => this.onDelivered(at),
      onOutcome: (o) => this.onOutcome(o),
      onInitError: (errorType, body) => (this.initError = { errorType, body }),
    });
    this.output = new OutputForwarder(ctx.telemetry, config.functionName, id, (text) => this.running?.log.append(text));
    this.lifecycle = new EnvironmentLifecycle(id, config, ctx.telemetry, initializationType === "provisioned-concurrency");
    this.extensions = new ExtensionHost({ environmentId: id, config, telemetry: ctx.telemetry, api: this.api, onOutput: (b) => this.output.write(b, this.running?.request.requestId), onCrash: (f) => this.onExtensionCrash(f) });
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
    if (this.process !== undefined || this.running !== undefined) return true;
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
    const coldStart = this.process === undefined;
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
      this.freezeAlarm.clear();
      if (this.process?.frozen) this.process.thaw();
      this.extensions.thaw();
    }
    // Delivered while the runtime works (Telemetry.deferred).
    this.ctx.telemetry.deferred(() => emitStarted(this.ctx.telemetry, this.config, this.id, request, coldStart));
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
    // An Init that never finished (failed, timed out) is over for the sandbox pool's burst count.
    if (this.sandboxOptions !== undefined) this.ctx.sandboxes?.initFailed(this.sandboxOptions);
    this.sandboxOptions = undefined;
    this.transition("retiring", reason);
    // A freeze still pending would stop the extensions in the middle of their SHUTDOWN.
    this.freezeAlarm.stop();
    if (this.process !== undefined && this.extensions.running) await this.extensions.shutdown("spindown");
    this.extensions.close();
    this.killProcess();
    if (this.running !== undefined) this.finish(this.platformError("Runtime.ExitError", "Runtime exited without providing a reason", "error"));
    this.watchdogs.stop();
    await this.api.close();
    rmSync(this.tmpDir, { recursive: true, force: true });
    rmSync(mountTablesOf(this.tmpDir), { recursive: true, force: true });
    this.transition("retired", reason);
    this.onRetired(this);
  }

  private async startProcess(): Promise<void> {
    if (this.runtimeApi === "") this.runtimeApi = await this.api.listen();
    this.initError = undefined;
    this.spawnedAt = stopwatch.now();
    const options: SandboxOptions = {
      environmentId: this.id,
      config: this.config,
      initializationType: this.initializationType,
      runtimeApi: this.runtimeApi,
      region: this.ctx.region,
      endpointUrl: this.ctx.endpointUrl,
      credentials: this.ctx.credentials,
      logStream: this.logStream,
      tmpDir: this.tmpDir,
      privateTmp: this.ctx.privateTmp,
      compileCacheDir: this.ctx.compileCacheDir,
      processes: this.ctx.processes,
      onOutput: (b) => this.output.write(b, this.running?.request.requestId),
      onExit: (code, signal) => {
        if (this.process === started) this.onExit(code, signal);
      },
    };
    const failure = await this.extensions.start(options, INIT_LIMIT_MS);
    if (failure !== undefined) return this.failExtensionInit(failure);
    // A first start may take a pre-started sandbox; a reset environment keeps its own /tmp.
    const pooled = firstStart(this.tmpDir) ? this.ctx.sandboxes?.take(options) : undefined;
    if (pooled !== undefined) this.tmpDir = pooled.tmpDir;
    const started = pooled?.process ?? SandboxProcess.start(options);
    this.sandboxOptions = options;
    if (started instanceof SandboxProcess) {
      this.process = started;
      this.closeChannel();
      if (started.channel !== undefined) this.channel = new RuntimeChannel(started.channel, this.api);
      this.lastProcess = started;
      return;
    }
    // RAPID's fatal error for a missing or non-executable entrypoint (aws-facts §1.5).
    const message = `RequestId: ${this.running?.request.requestId} Error: ${started.invalidEntrypoint}`;
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
    this.refillSandboxes();
    this.settlePrewarm(true);
    this.freezeIfWaiting();
  }

  /**
   * AWS freezes an environment once the runtime asks for the next event and none is pending. We
   * freeze after `freezeDelayMs` of wall time: an environment reused sooner (a busy function) is
   * never stopped, which halves the cost of warm invocations under load, and background work can
   * run at most that long after the runtime asked for the next event. Our own bootstraps (on the
   * private channel) pause their main thread at once while they wait, so only their threads and
   * child processes wait for the SIGSTOP, after `channelFreezeDelayMs`.
   */
  private freezeIfWaiting(): void {
    const proc = this.process;
    if (!this.config.sim.freeze || proc === undefined || proc.frozen || this.freezeAlarm.armed) return;
    if (this.running !== undefined || !this.api.runtimeWaiting || !this.extensions.idle) return;
    const freeze = () => {
      if (this.process !== proc || proc.frozen || this.running !== undefined || !this.api.runtimeWaiting || !this.extensions.idle) return;
      proc.freeze();
      this.extensions.freeze();
    };
    const delayMs = this.channel?.inUse === true ? this.ctx.channelFreezeDelayMs : this.ctx.freezeDelayMs;
    if (delayMs <= 0) freeze();
    else this.freezeAlarm.set(delayMs, freeze);
  }

  /** After an Init, off its critical path: a sandbox for the next cold start of this kind. */
  private refillSandboxes(): void {
    const options = this.sandboxOptions;
    this.sandboxOptions = undefined;
    if (options !== undefined) setImmediate(() => this.ctx.sandboxes?.refill(options));
  }

  /** `at`: the stopwatch reading just before the event was written to the runtime. */
  private onDelivered(at: number): void {
    const r = this.running;
    if (r === undefined) return;
    this.watchdogs.disarm();
    this.refillSandboxes();
    if (r.coldStart && r.initDurationMs === undefined) r.initDurationMs = at - this.spawnedAt;
    if (this.state === "initializing") this.transition("busy");
    r.deliveredAt = at;
    this.extensions.invoke(r.request, this.config.timeout * 1000);
    this.ctx.telemetry.deferred(() => this.startLine(r));
    this.watchdogs.arm(this.config.timeout * 1000, () => this.onTimeout());
    this.watchdogs.watchMemory(
      () => this.running === r && this.process !== undefined && this.process.residentMemoryMb() > this.config.memorySize,
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
    if (o.kind !== "too-large" && o.peakMemoryKb !== undefined) this.process?.notePeakKb(o.peakMemoryKb);
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
      const early = this.outcomeResult(o);
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
      this.finish(this.outcomeResult(o));
      if (this.state === "busy") this.transition("idle");
    });
    this.onAvailable(this);
    // The runtime may have asked for the next event before we finished.
    this.freezeIfWaiting();
  }

  private outcomeResult(o: RuntimeOutcome): InvocationResult {
    if (o.kind === "response") return this.result(o.body, undefined, undefined);
    if (o.kind === "error") return this.result(o.body, o.errorType, undefined);
    const message = `Response payload size exceeded maximum allowed payload size (${o.limit ?? MAX_RESPONSE_BYTES} bytes).`;
    return this.result(failurePayload("Function.ResponseSizeTooLarge", message), "Function.ResponseSizeTooLarge", undefined);
  }

  /** The process exited on its own (or could not start). */
  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    const proc = this.process;
    this.process = undefined;
    this.closeChannel();
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
      if (r.initDurationMs === undefined) r.initDurationMs = stopwatch.now() - this.spawnedAt;
      const e = this.initError;
      this.finish(e ? this.result(e.body, e.errorType, "error") : this.platformError("Runtime.ExitError", exitMessage, "error"));
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
    r.initDurationMs = stopwatch.now() - this.spawnedAt;
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

  private result(payload: Buffer, errorType: string | undefined, reportStatus: ReportStatus | undefined): InvocationResult {
    return this.running!.result(payload, errorType, reportStatus, this.id, this.maxMemoryUsed());
  }

  /** Peak RSS, capped at memorySize: a process is stopped there on AWS, so no report shows more. */
  private maxMemoryUsed(): number {
    return Math.min(this.lastProcess?.peakMemoryMb() ?? 1, this.config.memorySize);
  }

  private platformError(errorType: string, message: string, status: ReportStatus): InvocationResult {
    return this.running!.platformError(errorType, message, status, this.id, this.maxMemoryUsed());
  }

  private startLine(r: RunningInvocation): void {
    const line = r.startLine(this.config.version);
    if (line !== undefined) this.output.platform(line, r.requestId);
  }

  /** Frames the log with END and REPORT, emits telemetry and hands the result to the caller. */
  private finish(result: InvocationResult): void {
    const r = this.running;
    if (r === undefined) return;
    this.watchdogs.disarm();
    // The lines reach the tail now; their telemetry (log store, metrics, console) after the caller
    // has its answer (Telemetry.deferred).
    this.ctx.telemetry.deferred(() => {
      this.startLine(r);
      for (const line of r.closingLines(result, this.config.memorySize)) this.output.platform(line, r.requestId);
      emitFinished(this.ctx.telemetry, this.config, result);
    });
    r.attachLogTail(result);
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
    this.freezeAlarm.clear();
    this.process?.kill();
    this.process = undefined;
    this.closeChannel();
    this.api.resetSession();
  }

  private closeChannel(): void {
    this.channel?.close();
    this.channel = undefined;
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

