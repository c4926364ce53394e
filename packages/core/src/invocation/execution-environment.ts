import { rmSync } from "node:fs";
import { join } from "node:path";
import type { Clock, Hold, TimerHandle } from "../clock/clock.ts";
import type { RandomStream } from "../random/rng.ts";
import { stopwatch } from "../clock/stopwatch.ts";
import type { FunctionVersionConfig } from "../registry/function-model.ts";
import { RuntimeApiServer, type RuntimeOutcome } from "../runtime/runtime-api-server.ts";
import type { ProcessLedger } from "../runtime/process-ledger.ts";
import { SandboxProcess, signalText } from "../runtime/sandbox-process.ts";
import type { Telemetry } from "../telemetry/telemetry.ts";
import { canTransition, IllegalTransitionError, type EnvironmentState, type RetireReason } from "./environment-state.ts";
import { billedDuration, endLine, InvocationLog, reportLine, startLine } from "./invocation-log.ts";
import { emitFinished, emitStarted, failurePayload, type InvocationRequest, type InvocationResult, type ReportStatus } from "./invocation-result.ts";
import { OutputForwarder } from "./output-forwarder.ts";
import type { Environment } from "./environment.ts";

/** Shared services every environment needs. */
export interface EnvironmentContext {
  clock: Clock;
  telemetry: Telemetry;
  region: string;
  endpointUrl: string;
  /** Parent of each environment's private /tmp directory. */
  tmpRoot: string;
  /** Mount each /tmp privately (Linux mount namespaces); otherwise TMPDIR points at it. */
  privateTmp: boolean;
  processes: ProcessLedger;
  /** Shared V8 compile cache for Node environments. */
  compileCacheDir?: string;
  /** Wall ms an environment stays idle before it is frozen (0: at once). */
  freezeDelayMs: number;
  /** Draws of the `model` runtime (durations, outcomes). */
  modelRandom?: RandomStream;
}

/** On-demand init must finish within 10 s (aws-facts §3). */
export const INIT_LIMIT_MS = 10_000;
/** How often a busy environment's resident memory is compared with its memorySize. */
const MEMORY_WATCH_MS = 100;

interface Running {
  request: InvocationRequest;
  log: InvocationLog;
  resolve: (r: InvocationResult) => void;
  coldStart: boolean;
  hold: Hold;
  initDurationMs?: number;
  /** Wall ms when the runtime received the event; undefined while it waits for /next. */
  deliveredAt?: number;
  started: boolean;
}

/**
 * One sandbox (DESIGN.md): a real child process behind its own Runtime API listener, its /tmp and
 * its init duration. Frozen with SIGSTOP while idle and thawed before the next event (aws-facts §3
 * "Freeze/thaw"); reset after a timeout or crash (process killed, /tmp kept, the next invocation
 * re-initialises); retired for good after an init failure, its idle lifetime or a code change.
 */
export class ExecutionEnvironment implements Environment {
  readonly id: string;
  readonly config: FunctionVersionConfig;
  state: EnvironmentState = "initializing";
  invocations = 0;
  /** Called when the environment can take another event, and when it leaves service. */
  onAvailable: (env: Environment) => void = () => {};
  onRetired: (env: Environment) => void = () => {};
  private readonly ctx: EnvironmentContext;
  private readonly api: RuntimeApiServer;
  private readonly output: OutputForwarder;
  private readonly tmpDir: string;
  private readonly logStream: string;
  private runtimeApi = "";
  private process: SandboxProcess | undefined;
  /** The process of the current or last invocation: its memory reading outlives it. */
  private lastProcess: SandboxProcess | undefined;
  private spawnedAt = 0;
  private initError: { errorType: string; body: Buffer } | undefined;
  private running: Running | undefined;
  private deadline: TimerHandle | undefined;
  private memoryWatch: TimerHandle | undefined;
  private freezeTimer: TimerHandle | undefined;

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
      onDelivered: () => this.onDelivered(),
      onOutcome: (o) => this.onOutcome(o),
      onInitError: (errorType, body) => (this.initError = { errorType, body }),
    });
    this.output = new OutputForwarder(ctx.telemetry, config.functionName, id, (text) => this.running?.log.append(text));
    this.emitState("none", "initializing");
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
      this.running = { request, log: new InvocationLog(), resolve, coldStart, hold: this.ctx.clock.hold(`invoke:${request.requestId}`), started: false };
    });
    this.output.resetBudget(request.requestId);
    if (coldStart) {
      if (this.state === "reset") this.transition("initializing");
      await this.startProcess();
      this.arm(INIT_LIMIT_MS, () => this.onInitTimeout());
    } else {
      this.transition("busy");
      this.freezeTimer?.cancel();
      this.freezeTimer = undefined;
      if (this.process?.frozen) this.process.thaw();
    }
    emitStarted(this.ctx.telemetry, this.config, this.id, request, coldStart);
    this.api.dispatch({
      requestId: request.requestId,
      payload: request.payload,
      deadlineMs: stopwatch.epochNow() + this.config.timeout * 1000,
      invokedFunctionArn: request.invokedFunctionArn,
      traceId: request.traceId,
      clientContext: request.clientContext,
    });
    return done;
  }

  /** Kills the process and removes /tmp; the environment never runs again. */
  async retire(reason: RetireReason): Promise<void> {
    if (this.state === "retiring" || this.state === "retired") return;
    this.settlePrewarm(false);
    this.transition("retiring", reason);
    this.killProcess();
    if (this.running !== undefined) this.finish(this.platformError("Runtime.ExitError", "Runtime exited without providing a reason", "error"));
    await this.api.close();
    rmSync(this.tmpDir, { recursive: true, force: true });
    this.transition("retired", reason);
    this.onRetired(this);
  }

  private async startProcess(): Promise<void> {
    if (this.runtimeApi === "") this.runtimeApi = await this.api.listen();
    this.initError = undefined;
    this.spawnedAt = stopwatch.now();
    const started = SandboxProcess.start({
      environmentId: this.id,
      config: this.config,
      initializationType: this.initializationType,
      runtimeApi: this.runtimeApi,
      region: this.ctx.region,
      endpointUrl: this.ctx.endpointUrl,
      logStream: this.logStream,
      tmpDir: this.tmpDir,
      privateTmp: this.ctx.privateTmp,
      compileCacheDir: this.ctx.compileCacheDir,
      processes: this.ctx.processes,
      onOutput: (b) => this.output.write(b, this.running?.request.requestId),
      onExit: (code, signal) => {
        if (this.process === started) this.onExit(code, signal);
      },
    });
    if (started instanceof SandboxProcess) {
      this.process = started;
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
    this.settlePrewarm(true);
    this.freezeIfWaiting();
  }

  /**
   * AWS freezes an environment once the runtime asks for the next event and none is pending. We
   * freeze after `freezeDelayMs` of wall time: an environment reused sooner (a busy function) is
   * never stopped, which halves the cost of warm invocations under load, and background work can
   * run at most that long after the runtime asked for the next event.
   */
  private freezeIfWaiting(): void {
    const proc = this.process;
    if (!this.config.sim.freeze || proc === undefined || proc.frozen || this.freezeTimer !== undefined) return;
    if (this.running !== undefined || !this.api.runtimeWaiting) return;
    const freeze = () => {
      this.freezeTimer = undefined;
      if (this.process !== proc || proc.frozen || this.running !== undefined || !this.api.runtimeWaiting) return;
      proc.freeze();
    };
    if (this.ctx.freezeDelayMs <= 0) freeze();
    else this.freezeTimer = stopwatch.after(this.ctx.freezeDelayMs, freeze);
  }

  private onDelivered(): void {
    const r = this.running;
    if (r === undefined) return;
    this.disarm();
    if (r.coldStart && r.initDurationMs === undefined) r.initDurationMs = stopwatch.now() - this.spawnedAt;
    if (this.state === "initializing") this.transition("busy");
    r.deliveredAt = stopwatch.now();
    this.startLine(r);
    this.arm(this.config.timeout * 1000, () => this.onTimeout());
    this.memoryWatch = stopwatch.after(MEMORY_WATCH_MS, () => this.watchMemory());
  }

  private onOutcome(o: RuntimeOutcome): void {
    const r = this.running;
    if (r === undefined || o.requestId !== r.request.requestId) return;
    this.disarm();
    let result: InvocationResult;
    if (o.kind === "response") result = this.result(o.body, undefined, undefined);
    else if (o.kind === "error") result = this.result(o.body, o.errorType, undefined);
    else {
      const message = "Response payload size exceeded maximum allowed payload size (6291556 bytes).";
      result = this.result(failurePayload("Function.ResponseSizeTooLarge", message), "Function.ResponseSizeTooLarge", undefined);
    }
    // Output the runtime wrote before posting is already in the pipe; one turn of the event loop
    // lets it reach the log ahead of END and REPORT.
    setImmediate(() => {
      if (this.running !== r) return;
      this.finish(result);
      if (this.state === "busy") this.transition("idle");
      this.onAvailable(this);
      // The runtime may have asked for the next event before we finished.
      this.freezeIfWaiting();
    });
  }

  /** The process exited on its own (or could not start). */
  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    const proc = this.process;
    this.process = undefined;
    this.disarm();
    if (this.state === "retiring" || this.state === "retired") return;
    const r = this.running;
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
    this.toReset();
  }

  private onTimeout(): void {
    const r = this.running;
    if (r === undefined || r.deliveredAt === undefined) return;
    const seconds = ((stopwatch.now() - r.deliveredAt) / 1000).toFixed(2);
    this.killProcess();
    // Current payload (aws-facts §1.5 "Timeout (current)"), REPORT Status: timeout.
    this.finish(this.platformError("Sandbox.Timedout", `Task timed out after ${seconds} seconds`, "timeout"));
    this.toReset();
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

  private watchMemory(): void {
    const r = this.running;
    if (r === undefined || this.process === undefined) return;
    if (this.process.residentMemoryMb() > this.config.memorySize) {
      this.killProcess();
      this.finish(this.platformError("Runtime.OutOfMemory", "Runtime exited with error: signal: killed", "error"));
      this.toReset();
      return;
    }
    this.memoryWatch = stopwatch.after(MEMORY_WATCH_MS, () => this.watchMemory());
  }

  /** Timeout, crash or OOM: the process is gone, /tmp stays, the next invocation re-runs Init. */
  private toReset(): void {
    this.api.resetSession();
    if (this.state === "busy" || this.state === "idle") this.transition("reset");
    this.onAvailable(this);
  }

  private result(payload: Buffer, errorType: string | undefined, reportStatus: ReportStatus | undefined): InvocationResult {
    const r = this.running!;
    const durationMs = r.deliveredAt === undefined ? 0 : stopwatch.now() - r.deliveredAt;
    return {
      requestId: r.request.requestId,
      payload,
      errorType,
      reportStatus,
      durationMs,
      billedDurationMs: billedDuration(durationMs, r.initDurationMs),
      initDurationMs: r.initDurationMs,
      maxMemoryUsedMb: this.maxMemoryUsed(),
      coldStart: r.coldStart,
      environmentId: this.id,
      logTail: "",
    };
  }

  /** Peak RSS, capped at memorySize: a process is stopped there on AWS, so no report shows more. */
  private maxMemoryUsed(): number {
    return Math.min(this.lastProcess?.peakMemoryMb() ?? 1, this.config.memorySize);
  }

  /** Platform-detected failures: `RequestId: <id> Error: <message>` (aws-facts §1.5). */
  private platformError(errorType: string, message: string, status: ReportStatus): InvocationResult {
    const id = this.running!.request.requestId;
    return this.result(failurePayload(errorType, `RequestId: ${id} Error: ${message}`), errorType, status);
  }

  private startLine(r: Running): void {
    if (r.started) return;
    r.started = true;
    this.output.platform(startLine(r.request.requestId, this.config.version), r.request.requestId);
  }

  /** Frames the log with END and REPORT, emits telemetry and hands the result to the caller. */
  private finish(result: InvocationResult): void {
    const r = this.running;
    if (r === undefined) return;
    this.disarm();
    this.startLine(r);
    const id = r.request.requestId;
    this.output.platform(endLine(id), id);
    const report = reportLine({
      requestId: id,
      durationMs: result.durationMs,
      billedDurationMs: result.billedDurationMs,
      memorySizeMb: this.config.memorySize,
      maxMemoryUsedMb: result.maxMemoryUsedMb,
      initDurationMs: result.initDurationMs,
      status: result.reportStatus,
      errorType: result.reportStatus ? result.errorType : undefined,
    });
    this.output.platform(report, id);
    result.logTail = r.log.tailBase64();
    this.running = undefined;
    this.invocations++;
    r.hold.release();
    emitFinished(this.ctx.telemetry, this.config, result);
    r.resolve(result);
  }

  private arm(ms: number, fn: () => void): void {
    this.deadline?.cancel();
    this.deadline = stopwatch.after(ms, fn);
  }

  private disarm(): void {
    this.deadline?.cancel();
    this.deadline = undefined;
    this.memoryWatch?.cancel();
    this.memoryWatch = undefined;
  }

  private killProcess(): void {
    this.freezeTimer?.cancel();
    this.freezeTimer = undefined;
    this.process?.kill();
    this.process = undefined;
    this.api.resetSession();
  }

  private transition(to: EnvironmentState, reason?: RetireReason): this {
    const from = this.state;
    if (!canTransition(from, to)) throw new IllegalTransitionError(this.id, from, to);
    this.state = to;
    this.emitState(from, to, reason ?? (to === "reset" ? "reset" : undefined));
    return this;
  }

  private emitState(from: EnvironmentState | "none", to: EnvironmentState, reason?: RetireReason | "reset"): void {
    this.ctx.telemetry.emit({ type: "environment.state-changed", environmentId: this.id, functionName: this.config.functionName, version: this.config.version, from, to, reason, provisioned: this.initializationType === "provisioned-concurrency" || undefined });
  }
}
