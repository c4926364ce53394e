import { stopwatch } from "../clock/stopwatch.ts";
import { arnAccount } from "../text/arn-fields.ts";
import type { FunctionVersionConfig } from "../registry/function-model.ts";
import { ExtensionsApi } from "../runtime/extensions-api.ts";
import type { RuntimeApiServer } from "../runtime/runtime-api-server.ts";
import type { RuntimeEvent } from "../runtime/runtime-contract.ts";
import { signalText, type SandboxOptions } from "../runtime/sandbox-process.ts";
import { TelemetryApi } from "../runtime/telemetry-api.ts";
import type { Telemetry } from "../telemetry/telemetry.ts";
import { ExtensionProcesses } from "./extension-processes.ts";
import { ExtensionTelemetry } from "./extension-telemetry.ts";
import type { InitPhase } from "./platform-log.ts";

/** How an extension failed, as the invocation that pays for it reports it (aws-facts §1.5). */
export interface ExtensionFailure {
  errorType: string;
  message: string;
}

export interface ExtensionHostOptions {
  environmentId: string;
  config: FunctionVersionConfig;
  telemetry: Telemetry;
  api: RuntimeApiServer;
  /** The simulator's endpoint, which no Telemetry or Logs API subscription may name (fuzz19 F16). */
  endpoint?: string;
  /** Extension output, to the function's log like the runtime's. */
  /** `pipe`: a line continues only within its own pipe (each extension's stdout and stderr). */
  onOutput(chunk: Buffer, pipe?: string): void;
  /** An extension died after its init: the environment must be reset. */
  onCrash(failure: ExtensionFailure): void;
}

/**
 * Shutdown budget with external extensions: 2,000 ms, then SIGKILL (aws-facts §2.2). Our choice:
 * extensions that have all exited end it sooner.
 */
export const SHUTDOWN_BUDGET_MS = 2000;
/** With internal extensions only (registered from the runtime's process): 500 ms (aws-facts §2.2). */
const INTERNAL_SHUTDOWN_BUDGET_MS = 500;

/**
 * The extensions of one execution environment: the executables of /opt/extensions started before
 * the runtime (ExtensionProcesses: each in the environment's sandbox, frozen and thawed with it),
 * the Extensions API they register with, and the Telemetry and Logs APIs they subscribe to. The environment's Init
 * waits for every registration; an invocation completes once the runtime has responded and every
 * extension has asked for its next event; retirement sends SHUTDOWN with its deadline.
 */
export class ExtensionHost {
  readonly extensions: ExtensionsApi;
  readonly subscriptions: TelemetryApi;
  private readonly opts: ExtensionHostOptions;
  private readonly telemetry: ExtensionTelemetry;
  private readonly processes: ExtensionProcesses;
  private waiters: (() => boolean)[] = [];
  private initFailure: ExtensionFailure | undefined;
  /** Extensions that posted /exit/error: their exit is an Extension.ExitError, not a crash. */
  private readonly exitErrors = new Set<string>();
  /** The Shutdown phase is under way: extensions may exit now. */
  private shuttingDown = false;
  /**
   * Counts the Inits start() began and the kills that ended them: an Init abandoned by kill() (its
   * limit passed, and a suppressed init runs it again) stops waiting, and its limit's timer cannot
   * fail the Init after it.
   */
  private initAttempt = 0;

  constructor(opts: ExtensionHostOptions) {
    this.opts = opts;
    const c = opts.config;
    this.extensions = new ExtensionsApi(
      { onChange: () => this.changed(), onError: (e, phase, type) => this.reported(e.name, phase, type) },
      () => ({ functionName: c.functionName, functionVersion: c.version, handler: c.handler }),
      arnAccount(c.functionArn)!,
    );
    this.subscriptions = new TelemetryApi(
      (id) => (id === undefined ? undefined : this.extensions.registered.get(id)),
      // Our addition, for whoever is testing an agent here: a lost batch is never silent.
      (d) => opts.telemetry.emit({ type: "simulator.warning", message: `${c.functionName}: the ${d.api === "telemetry" ? "Telemetry" : "Logs"} API could not deliver ${d.records} record(s) to ${d.extension}'s listener ${d.url} (${d.reason}); they are dropped` }),
      opts.endpoint,
    );
    this.telemetry = new ExtensionTelemetry(opts.telemetry, opts.environmentId, c, this.subscriptions);
    this.processes = new ExtensionProcesses({ config: c, onOutput: (chunk, pipe) => this.output(chunk, pipe), onExit: (name, code, signal) => this.exited(name, code, signal) });
    opts.api.mount((req, res) => this.extensions.handle(req, res) || this.subscriptions.handle(req, res));
  }

  /** The external extensions this function's layers bring: executable files of /opt/extensions. */
  get names(): string[] {
    return this.processes.names;
  }

  /** External extension processes are running (started by the last Init and alive). */
  get running(): boolean {
    return this.processes.size > 0;
  }

  /**
   * The Shutdown phase's budget (aws-facts §2.2): 2,000 ms with external extensions, 500 ms with
   * internal ones only, 0 without extensions (no phase: the runtime is simply killed).
   */
  get shutdownBudgetMs(): number {
    if (this.processes.size > 0) return SHUTDOWN_BUDGET_MS;
    return this.extensions.registered.size > 0 ? INTERNAL_SHUTDOWN_BUDGET_MS : 0;
  }

  /** Every registered extension is blocked on /event/next: the environment may freeze. */
  get idle(): boolean {
    return this.extensions.idle;
  }

  /**
   * Extension init: starts each extension and waits until all have registered (or one failed, or
   * the init limit passed). Resolves with the failure that ends this Init, if any.
   */
  async start(base: SandboxOptions, limitMs: number, phase: InitPhase = "init"): Promise<ExtensionFailure | undefined> {
    this.initFailure = undefined;
    this.subscriptions.sandboxAddress = base.address ?? "127.0.0.1";
    const names = this.names;
    if (names.length > 0) this.telemetry.watch();
    this.telemetry.initStart(base.initializationType, phase);
    if (names.length === 0) return undefined;
    const launched = await this.processes.start(base, names);
    // Retired while the namespaces started (review23 M7): no Init to fail.
    if (launched === "retired") return undefined;
    if (launched !== undefined) return (this.initFailure = { errorType: "Extension.LaunchError", message: launched.invalidEntrypoint });
    const attempt = ++this.initAttempt;
    const timer = stopwatch.after(limitMs, () => this.failInit({ errorType: "Sandbox.Timedout", message: `Task timed out after ${(limitMs / 1000).toFixed(2)} seconds` }));
    await this.until(() => attempt !== this.initAttempt || this.initFailure !== undefined || names.every((n) => this.extensions.byName(n) !== undefined));
    timer.cancel();
    // Killed meanwhile: another Init (the suppressed init's) has these extensions now.
    if (attempt !== this.initAttempt) return undefined;
    for (const e of this.extensions.registered.values()) {
      this.opts.onOutput(Buffer.from(`EXTENSION\tName: ${e.name}\tState: Ready\tEvents: [${e.events.join(",")}]\n`));
      this.telemetry.extensionInit(e.name, "Ready", e.events);
    }
    return this.initFailure;
  }

  /**
   * The Init timed out and runs again inside the invocation (a suppressed init): its records say
   * `timeout`. Called once its extensions are killed: the retried Init's subscribers get them.
   */
  initTimedOut(): void {
    this.telemetry.initTimedOut();
  }

  /** Resolves once every registered extension has finished its init (called /event/next), or failed. */
  async initDone(): Promise<ExtensionFailure | undefined> {
    await this.until(() => this.initFailure !== undefined || [...this.extensions.registered.values()].every((e) => e.initDone && this.extensions.idle));
    return this.initFailure;
  }

  /** The runtime took the event: `platform.start`, and extensions registered for INVOKE get it too. */
  invoke(event: Pick<RuntimeEvent, "requestId" | "invokedFunctionArn" | "traceId">, timeoutMs: number): void {
    if (this.extensions.registered.size === 0) return;
    this.telemetry.invocationStarted(event.requestId);
    this.extensions.send("INVOKE", {
      eventType: "INVOKE",
      deadlineMs: stopwatch.epochNow() + timeoutMs,
      requestId: event.requestId,
      invokedFunctionArn: event.invokedFunctionArn,
      tracing: { type: "X-Amzn-Trace-Id", value: event.traceId },
    });
  }

  /** The runtime answered: `platform.runtimeDone`. True when every extension is waiting already. */
  runtimeDone(requestId: string, status: "success" | "error", durationMs: number, producedBytes: number): boolean {
    this.telemetry.runtimeDone(requestId, status, durationMs, producedBytes);
    return this.extensions.idle;
  }

  /** Resolves once every extension has asked for its next event (the Invoke phase is over). */
  whenIdle(): Promise<void> {
    return this.until(() => this.extensions.idle);
  }

  freeze(): void {
    this.processes.freeze();
  }

  thaw(): void {
    this.processes.thaw();
  }

  /**
   * Shutdown phase, within its budget (shutdownBudgetMs) from its start: buffered telemetry is
   * delivered, then extensions registered for SHUTDOWN (external ones: internal extensions cannot
   * register for it) get it with the phase's deadline; they are killed when they have all exited
   * or at the deadline. The rule kept is the Extensions API's ("Shutdown phase": each extension
   * gets SHUTDOWN, and the extensions up to 2,000 ms in total for their own shutdown work, such as
   * a final flush to their backend), so telemetry holds SHUTDOWN back at most half the budget,
   * leaving the extensions at least 1,000 ms: our choice (AWS does not say how it delivers a
   * backlog then) is that the backlog goes batch by batch for a quarter
   * of the budget, then what does not fit one last batch is dropped and counted (platform.logsDropped,
   * in that batch), and SHUTDOWN goes when that is delivered or at half the budget, whichever comes
   * first; a batch still on its way is delivered meanwhile. A subscriber that never answers only
   * uses up half the budget. Wall time, as the function's own timeout is (stopwatch.ts): the phase
   * is the environment's processes at work, never scaled nor virtual.
   */
  async shutdown(reason: "spindown" | "timeout" | "failure"): Promise<void> {
    const budgetMs = this.shutdownBudgetMs;
    if (budgetMs === 0) return this.kill();
    const startMs = stopwatch.epochNow();
    const deadlineMs = startMs + budgetMs;
    let expired = false;
    let due = false;
    const timer = stopwatch.after(budgetMs, () => {
      expired = true;
      this.changed();
    });
    const shutdownDue = stopwatch.after(budgetMs / 2, () => {
      due = true;
      this.changed();
    });
    this.shuttingDown = true;
    this.thaw();
    // The records of what happened up to now (the timed-out invocation's platform.report, a retired
    // Init's timeout), whose events the simulator's telemetry may still hold back, go in this delivery.
    this.telemetry.catchUp();
    let flushed = false;
    void this.subscriptions.flush(startMs + budgetMs / 4).then(() => {
      flushed = true;
      this.changed();
    });
    await this.until(() => expired || due || flushed);
    shutdownDue.cancel();
    if (!expired && this.processes.size > 0) {
      this.extensions.send("SHUTDOWN", { eventType: "SHUTDOWN", shutdownReason: reason, deadlineMs });
      // Only extensions that asked for SHUTDOWN are waited for; the others are simply killed.
      const waitFor = new Set([...this.extensions.registered.values()].filter((e) => e.events.includes("SHUTDOWN")).map((e) => e.name));
      await this.until(() => expired || ![...waitFor].some((n) => this.processes.has(n)));
    }
    timer.cancel();
    this.kill();
  }

  /**
   * Kills every extension and forgets their registrations and subscriptions (a reset, a suppressed
   * init's retry, a retirement): the extensions the next Init starts register and subscribe again.
   */
  kill(): void {
    this.initAttempt++;
    this.processes.kill();
    this.extensions.reset();
    this.subscriptions.unsubscribeAll();
    this.exitErrors.clear();
    this.shuttingDown = false;
    this.changed();
  }

  /** The environment is gone: no more telemetry. */
  close(): void {
    // What the simulator's telemetry still held back is built before the kill, so nothing is built
    // after it; none of it is delivered now (the kill ends every subscription): shutdown()'s
    // catchUp, before the Shutdown phase's flush, is where such records go out.
    this.telemetry.close();
    this.kill();
    this.subscriptions.close();
  }

  private output(chunk: Buffer, pipe: string): void {
    this.telemetry.extensionLog(chunk.toString("utf8"));
    this.telemetry.muted = true;
    try {
      this.opts.onOutput(chunk, pipe);
    } finally {
      this.telemetry.muted = false;
    }
  }

  private reported(name: string, phase: "init" | "exit", errorType: string): void {
    // Our choice (AWS's exact wording is not published): the type says which extension API was used.
    if (phase === "init") this.failInit({ errorType: "Extension.InitError", message: `Extension ${name} reported an init error: ${errorType}` });
    // RAPID keeps Extension.ExitError as the environment's fatal error; it fails what is under
    // way when the extension exits (rapi/handler/agentexiterror.go).
    else this.exitErrors.add(name);
  }

  /**
   * An extension's process ended. Outside the Shutdown phase any exit is fatal, status 0 included,
   * as RAPID's watchdog has it (core/watchdog.go: `exit code 0`): Extension.Crash, or
   * Extension.ExitError after the extension posted /exit/error.
   */
  private exited(name: string, code: number | null, signal: NodeJS.Signals | null): void {
    if (!this.processes.ended(name)) return;
    if (this.shuttingDown) return this.changed();
    const status = signal !== null ? `signal: ${signalText(signal)}` : code === 0 ? "exit code 0" : `exit status ${code}`;
    const failure = { errorType: this.exitErrors.has(name) ? "Extension.ExitError" : "Extension.Crash", message: status };
    const registered = this.extensions.byName(name);
    if (registered === undefined || !registered.initDone) this.failInit(failure);
    else if (this.initFailure === undefined) this.opts.onCrash(failure);
    this.changed();
  }

  private failInit(failure: ExtensionFailure): void {
    this.initFailure ??= failure;
    this.changed();
  }

  private until(condition: () => boolean): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push(() => {
        if (!condition()) return false;
        resolve();
        return true;
      });
    });
  }

  private changed(): void {
    this.waiters = this.waiters.filter((w) => !w());
  }
}
