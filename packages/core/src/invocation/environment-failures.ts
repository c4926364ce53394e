import type { Clock } from "../clock/clock.ts";
import { stopwatch } from "../clock/stopwatch.ts";
import type { FunctionVersionConfig } from "../registry/function-model.ts";
import type { RuntimeApiServer } from "../runtime/runtime-api-server.ts";
import { signalText } from "../runtime/sandbox-process.ts";
import type { EnvironmentLifecycle } from "./environment-lifecycle.ts";
import type { EnvironmentProcess } from "./environment-process.ts";
import type { EnvironmentWatchdogs } from "./environment-watchdogs.ts";
import type { ResetCause, RetireReason } from "./environment-state.ts";
import type { ExtensionFailure, ExtensionHost } from "./extension-host.ts";
import type { FreezePolicy } from "./freeze-policy.ts";
import { failurePayload, serviceSleep, type InvocationRequest, type InvocationResult } from "./invocation-result.ts";
import type { InvocationReporter } from "./invocation-reporter.ts";
import type { OutputForwarder } from "./output-forwarder.ts";
import type { RunningInvocation } from "./running-invocation.ts";

/** The parts of an ExecutionEnvironment its failures act on. */
export interface EnvironmentFailuresOptions {
  config: FunctionVersionConfig;
  clock: Clock;
  lifecycle: EnvironmentLifecycle;
  process: EnvironmentProcess;
  api: RuntimeApiServer;
  extensions: ExtensionHost;
  freezer: FreezePolicy;
  report: InvocationReporter;
  output: OutputForwarder;
  watchdogs: EnvironmentWatchdogs;
  /** The environment leaves service (ExecutionEnvironment.retire). */
  retire: (reason: RetireReason) => Promise<void>;
  /** The environment can take another event (its onAvailable). */
  available: () => void;
  /** Runs `request` in the environment again, which initialises first (ExecutionEnvironment.invoke). */
  invoke: (request: InvocationRequest) => Promise<InvocationResult>;
}

/**
 * What ends an invocation or an Init of an ExecutionEnvironment other than the runtime's answer:
 * the runtime exiting or failing to start, the function's timeout or the Init limit, running out
 * of memory, an injected fault, an extension failing. Each answers the invocation with the payload
 * and REPORT status AWS gives (aws-facts §1.5) and moves the environment on: to `reset` (the
 * runtime killed, /tmp kept, the next invocation re-runs Init) or, after a failed Init, retired
 * (aws-facts §3).
 */
export class EnvironmentFailures {
  private readonly config: FunctionVersionConfig;
  private readonly clock: Clock;
  private readonly lifecycle: EnvironmentLifecycle;
  private readonly process: EnvironmentProcess;
  private readonly api: RuntimeApiServer;
  private readonly extensions: ExtensionHost;
  private readonly freezer: FreezePolicy;
  private readonly report: InvocationReporter;
  private readonly watchdogs: EnvironmentWatchdogs;
  private readonly output: OutputForwarder;
  private readonly retire: EnvironmentFailuresOptions["retire"];
  private readonly available: EnvironmentFailuresOptions["available"];
  private readonly invoke: EnvironmentFailuresOptions["invoke"];
  /** What the current Init failed with, if it reported it: the runtime's /init/error, or the platform's. */
  private initError: { errorType: string; body: Buffer; status?: "timeout" } | undefined;

  constructor(opts: EnvironmentFailuresOptions) {
    this.config = opts.config;
    this.clock = opts.clock;
    this.lifecycle = opts.lifecycle;
    this.process = opts.process;
    this.api = opts.api;
    this.extensions = opts.extensions;
    this.freezer = opts.freezer;
    this.report = opts.report;
    this.watchdogs = opts.watchdogs;
    this.output = opts.output;
    this.retire = opts.retire;
    this.available = opts.available;
    this.invoke = opts.invoke;
  }

  /** A new Init begins: it has no error yet. */
  initStarts(): void {
    this.initError = undefined;
  }

  /** The runtime posted /runtime/init/error. */
  initErrored(errorType: string, body: Buffer): void {
    this.initError = { errorType, body };
  }

  /** RAPID's fatal error for a missing or non-executable entrypoint (aws-facts §1.5). */
  invalidEntrypoint(message: string): void {
    const text = `RequestId: ${this.report.running?.request.requestId} Error: ${message}`;
    this.initError = { errorType: "Runtime.InvalidEntrypoint", body: failurePayload("Runtime.InvalidEntrypoint", text) };
    setImmediate(() => this.onExit(127, null));
  }

  /** The process exited on its own (or could not start). */
  onExit(code: number | null, signal: NodeJS.Signals | null): void {
    const proc = this.process.exited();
    const r = this.report.running;
    // A runtime dying under an event resets the environment, and its extensions hear why (toReset).
    if (this.lifecycle.state !== "busy" || r?.deliveredAt === undefined) this.extensions.kill();
    this.watchdogs.disarm();
    if (this.lifecycle.state === "retiring" || this.lifecycle.state === "retired") return;
    const reason = signal !== null ? `signal: ${signalText(signal)}` : code === 0 ? undefined : `exit status ${code}`;
    const exitMessage = reason ? `Runtime exited with error: ${reason}` : "Runtime exited without providing a reason";
    if (r === undefined) {
      if (this.lifecycle.state === "idle") this.lifecycle.to("reset", "crash");
      else if (this.lifecycle.state === "initializing") void this.retire("init-failed"); // a provisioned init failed
      return;
    }
    if (this.lifecycle.state === "initializing") {
      // Init failed: this invocation gets the init error and the environment is not reused.
      if (r.initDurationMs === undefined) r.initEnded(stopwatch.now() - this.process.spawnedAt);
      const e = this.initError;
      this.report.finish(e ? this.report.result(e.body, e.errorType, e.status ?? "error") : this.report.platformError("Runtime.ExitError", exitMessage, "error"));
      void this.retire("init-failed");
      return;
    }
    if (r.deliveredAt === undefined) {
      // The last process died before taking this event (say, exit after an uncaught error):
      // the environment is reset and this invocation pays a new Init, as on AWS.
      this.api.resetSession();
      this.report.running = undefined;
      r.hold.release();
      this.lifecycle.to("reset", "crash");
      void this.invoke(r.request).then(r.resolve);
      return;
    }
    const oom = this.output.sawOutOfMemory || (proc?.peakMemoryMb() ?? 0) >= this.config.memorySize;
    this.report.finish(this.report.platformError(oom ? "Runtime.OutOfMemory" : "Runtime.ExitError", exitMessage, "error"));
    this.toReset(oom ? "out-of-memory" : "crash");
  }

  /** The function's timeout ran out while the runtime had the event. */
  onTimeout(): void {
    const r = this.report.running;
    if (r === undefined || r.deliveredAt === undefined) return;
    // After a suppressed init, the function's whole timeout has run: the Init's share and the handler's.
    const seconds = r.suppressedInitAt === undefined ? ((stopwatch.now() - r.deliveredAt) / 1000).toFixed(2) : this.config.timeout.toFixed(2);
    // Its result read while the process lives (Max Memory Used: a killed runtime has no /proc to read).
    const result = this.timedOut(seconds);
    this.killRuntime();
    // Current payload (aws-facts §1.5 "Timeout (current)"), REPORT Status: timeout.
    this.report.finish(result);
    this.toReset("timeout");
  }

  /**
   * The invocation's service time (an injected latency, a serviceTime) reached the function's
   * timeout: it times out then, as a handler that slow does on AWS, whether or not the handler had
   * answered in wall time (its answer is dropped), and the environment resets.
   */
  onServiceTimeout(): void {
    const r = this.report.running;
    if (r === undefined) return;
    if (r.coldStart && r.initDurationMs === undefined) r.initEnded(stopwatch.now() - this.process.spawnedAt);
    // Its Duration is the timeout it ran to, as AWS's REPORT says of a timeout, not the wall time its handler took.
    r.durationMs = this.config.timeout * 1000;
    // Its result read while the process lives (Max Memory Used: a killed runtime has no /proc to read).
    const result = this.timedOut();
    this.killRuntime();
    this.report.finish(result);
    this.toReset("timeout");
  }

  /**
   * The Init outlasted `limitMs` (initLimitMs() when it was armed). In an invocation, the first
   * time, the Init runs again inside it (suppressInit); a retried Init that outlasts the function's
   * timeout too times the invocation out, and the environment is retired.
   */
  onInitTimeout(limitMs: number): void {
    const r = this.report.running;
    if (r === undefined || r.retrying) return;
    if (r.suppressedInitAt === undefined) return this.suppressInit(r);
    this.kill();
    this.report.finish(this.timedOut((limitMs / 1000).toFixed(2)));
    void this.retire("init-timeout");
  }

  /**
   * AWS (Lambda DG, "Init phase"): "If all three tasks do not complete within 10 seconds, Lambda
   * retries the Init phase at the time of the first function invocation with the configured
   * function timeout" (aws-facts §3: the suppressed init). The timed-out Init's INIT_REPORT says
   * `Status: timeout`; the runtime and extensions start again, and the same event waits for them.
   */
  private suppressInit(r: RunningInvocation): void {
    r.retrying = true;
    this.report.initDone("error", r.initElapsedMs(this.process.spawnedAt), undefined, true);
    this.process.initFailed();
    this.kill();
    // Its extensions are gone with their Telemetry API subscriptions: its end is kept for the retried Init's.
    this.extensions.initTimedOut();
    // The retry has its own (a scenario's service time, an injected latency).
    r.serviceTime?.cancel();
    r.latency?.cancel();
    // Service time passes (a slow cold start's delay): the VirtualClock must be free to move.
    r.hold.release();
    // A slow cold start (a fault) slows the retried Init as much, up to the function's timeout.
    const delay = Math.min(r.request.slowInitMs ?? 0, this.config.timeout * 1000);
    // Still the environment's invocation meanwhile: retired in the wait, it is answered as any
    // running invocation is (ExecutionEnvironment.retire), and not run again.
    void serviceSleep(this.clock, r.request, delay).then(
      () => {
        if (this.report.running !== r) return;
        this.report.running = undefined;
        return this.invoke({ ...r.request, initDelayMs: delay, suppressedInitAt: stopwatch.now(), carriedLog: r.log }).then(r.resolve, () =>
          // Not expected (the environment cannot be retired between the check and the call): answered all the same.
          r.resolve(r.platformError("Runtime.ExitError", "Runtime exited without providing a reason", "error", "", 0)),
        );
      },
      // The wait itself failed (the clock closing with the simulator): the invocation ends here.
      () => {
        if (this.report.running === r) this.report.finish(this.timedOut());
        void this.retire("init-timeout");
      },
    );
  }

  /** The runtime's resident memory went over memorySize: AWS stops it there (aws-facts §3). */
  onOutOfMemory(): void {
    this.killRuntime();
    this.report.finish(this.report.platformError("Runtime.OutOfMemory", "Runtime exited with error: signal: killed", "error"));
    this.toReset("out-of-memory");
  }

  /** An injected failure: what the process dying (or hanging) under the handler reports (aws-facts §1.5). */
  suffer(failure: NonNullable<InvocationRequest["failure"]>): void {
    if (failure === "out-of-memory") return this.onOutOfMemory();
    this.killRuntime();
    this.report.finish(this.report.platformError("Runtime.ExitError", "Runtime exited with error: exit status 1", "error"));
    this.toReset("crash");
  }

  /** An extension failed during Init: this Init fails as the runtime's own failures do. */
  failExtensionInit(f: ExtensionFailure): void {
    const r = this.report.running;
    // The Init limit passed while extensions registered: the Init runs again, as for the runtime's own (suppressInit).
    if (r?.retrying === true) return;
    if (f.errorType === "Sandbox.Timedout" && r !== undefined && r.suppressedInitAt === undefined) {
      this.watchdogs.disarm();
      return this.suppressInit(r);
    }
    this.extensions.kill();
    const type = f.errorType;
    // The Init limit reached while extensions registered: a timeout, as the runtime's own Init limit reports it (onInitTimeout).
    const status = type === "Sandbox.Timedout" ? "timeout" : undefined;
    this.initError = { errorType: type, body: failurePayload(type, `RequestId: ${this.report.running?.request.requestId} Error: ${f.message}`), status };
    setImmediate(() => this.onExit(1, null));
  }

  /** Waits for the extensions' init; true when one failed (the invocation has been answered). */
  async extensionInitFailed(r: RunningInvocation): Promise<boolean> {
    const failure = await this.extensions.initDone();
    // Not `r`'s any more (its Init timed out and runs again): the failure is the old attempt's.
    if (failure === undefined || this.report.running !== r || r.retrying) return false;
    this.kill();
    this.failExtensionInit(failure);
    return true;
  }

  /** An extension died after its Init: the environment is reset, as after a runtime crash. */
  onExtensionCrash(f: ExtensionFailure): void {
    if (this.lifecycle.state === "retiring" || this.lifecycle.state === "retired") return;
    const r = this.report.running;
    this.kill();
    if (r !== undefined && r.deliveredAt !== undefined) {
      this.report.finish(this.report.platformError(f.errorType, f.message, "error"));
      this.toReset("extension-crash");
    } else if (r === undefined && this.lifecycle.state === "idle") this.lifecycle.to("reset", "extension-crash");
  }

  /** The running invocation's timeout result (aws-facts §1.5 "Timeout (current)"), read while its process lives (Max Memory Used); by default at the function's timeout. */
  private timedOut(seconds = this.config.timeout.toFixed(2)): InvocationResult {
    return this.report.platformError("Sandbox.Timedout", `Task timed out after ${seconds} seconds`, "timeout");
  }

  /** Kills the runtime's process and the extensions' (retirement, a failed Init). */
  kill(): void {
    this.killRuntime();
    this.extensions.kill();
  }

  /** Kills the runtime's process only: its extensions are shut down (toReset) or killed after. */
  private killRuntime(): void {
    this.freezer.clear();
    this.process.kill();
    this.api.resetSession();
  }

  /**
   * Timeout, crash or OOM: the runtime is gone, /tmp stays, the next invocation re-runs Init. The
   * extensions still running get SHUTDOWN with the reason first (aws-facts §3 "After timeout or
   * crash"); the environment takes no event until they are gone. `cause` is what the reset's event says.
   */
  private toReset(cause: ResetCause): void {
    this.api.resetSession();
    if (this.lifecycle.state === "busy" || this.lifecycle.state === "idle") this.lifecycle.to("reset", cause);
    if (this.extensions.shutdownBudgetMs === 0) return this.available();
    // The extensions' SHUTDOWN reason is AWS's two: timeout, or failure for everything else (aws-facts §3).
    void this.extensions.shutdown(cause === "timeout" ? "timeout" : "failure").then(() => this.available());
  }
}
