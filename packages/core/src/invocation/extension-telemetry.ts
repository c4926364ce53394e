import { stopwatch } from "../clock/stopwatch.ts";
import type { FunctionVersionConfig } from "../registry/function-model.ts";
import type { TelemetryApi } from "../runtime/telemetry-api.ts";
import type { TelemetryEvent } from "../telemetry/events.ts";
import type { Telemetry } from "../telemetry/telemetry.ts";
import type { InitPhase } from "./platform-log.ts";

/** The platform's own lines in the function's log, Text or JSON (platform-log.ts): not function records. */
const PLATFORM_LINE = /^(START|END|REPORT) RequestId: |^EXTENSION\t|^INIT_REPORT Init Duration: |^\{"time":"[^"]*","type":"platform\./;

/**
 * The records an environment's Telemetry API and Logs API subscribers receive, shaped as AWS's
 * "Telemetry API Event schema reference" and "Logs API" pages show them: `platform.initStart`,
 * `platform.initRuntimeDone`, `platform.initReport`, `platform.extension`, `platform.start`,
 * `platform.runtimeDone`, `platform.report` (Logs API: `platform.start`, `platform.end`, `platform.report`), and the
 * function's and extensions' log lines. Built from the simulator's own telemetry for this
 * environment, which it listens to only while the environment has extensions.
 */
export class ExtensionTelemetry {
  private readonly telemetry: Telemetry;
  private readonly environmentId: string;
  private readonly config: FunctionVersionConfig;
  private readonly out: TelemetryApi;
  private unsubscribe: (() => void) | undefined;
  private initStartedAt = 0;
  private initializationType = "on-demand";
  /** The Init's phase: `invoke` for a suppressed init's retry (platform-log.ts InitPhase). */
  private phase: InitPhase = "init";
  private inInit = false;
  /** The request whose `platform.start` went out last. */
  private started: string | undefined;
  /** A cold start's request: its `platform.start` waits for the end of the Init phase. */
  private pendingStart: string | undefined;

  constructor(telemetry: Telemetry, environmentId: string, config: FunctionVersionConfig, out: TelemetryApi) {
    this.telemetry = telemetry;
    this.environmentId = environmentId;
    this.config = config;
    this.out = out;
  }

  /** Extension output being written to the function's log: not function output for subscribers. */
  muted = false;

  /**
   * Listens to this environment's events (only environments with extensions pay for it), with
   * every byte of function output: AWS's Telemetry API delivers function output with no
   * per-invocation cap, so the previews' 1 MiB budget (output-forwarder.ts) is not the extensions'.
   */
  watch(): void {
    this.unsubscribe ??= this.telemetry.subscribe((e) => this.observe(e), { everyOutputByte: true });
  }

  /** Only environments with extensions, or a subscriber, build records. */
  private get live(): boolean {
    return this.unsubscribe !== undefined || this.out.active;
  }

  initStart(initializationType: string, phase: InitPhase = "init"): void {
    if (!this.live) return;
    this.initStartedAt = stopwatch.now();
    this.initializationType = initializationType;
    this.phase = phase;
    this.inInit = true;
    const c = this.config;
    // No runtime version ARN exists here: the runtime's own name stands in for it.
    this.out.record("platform", "platform.initStart", { initializationType, phase, runtimeVersion: c.runtime, runtimeVersionArn: `arn:aws:lambda:::runtime:${c.runtime}`, functionName: c.functionName, functionVersion: c.version });
  }

  /**
   * The runtime takes the event. The Invoke phase follows the Init phase (aws-facts §3 "Phases"):
   * a cold start's `platform.start` comes now, after the Init records, stamped now, rather than
   * when the environment was given the event (before its Init ran). A warm one's came with
   * `invocation.started`, in the simulator's telemetry order (after the previous invocation's
   * `platform.report`, which waits in Telemetry.later while the next one starts).
   */
  invocationStarted(requestId: string): void {
    if (this.pendingStart !== requestId && !this.inInit) return;
    if (!this.live) return;
    if (this.inInit) this.initDone("success");
    this.start(requestId);
  }

  /** The Init reached its limit and runs again in the invocation (a suppressed init). */
  initTimedOut(): void {
    if (this.live && this.inInit) this.initDone("timeout");
  }

  runtimeDone(requestId: string, status: "success" | "error", durationMs: number, producedBytes: number): void {
    if (!this.live) return;
    // Its platform.start (and the previous invocation's report) may still wait in the simulator's
    // telemetry, delivered one event per turn of the loop: they go out first.
    if (this.started !== requestId) this.telemetry.flush();
    this.out.record("platform", "platform.runtimeDone", { requestId, status, metrics: { durationMs: round(durationMs), producedBytes } }, { requestId, status });
  }

  /**
   * An extension's state at the end of its init: `platform.extension`, `{name, state, events}` with
   * the events sorted (AWS's Telemetry API schema reference; RIE's SendExtensionInit).
   */
  extensionInit(name: string, state: string, events: readonly string[]): void {
    if (!this.live) return;
    const record = { name, state, events: [...events].sort() };
    // The Logs API sends it too, same shape (AWS's "Lambda Logs API" page).
    this.out.record("platform", "platform.extension", record, record);
  }

  extensionLog(text: string): void {
    for (const line of lines(text)) this.out.record("extension", "extension", line, line);
  }

  /** Builds the records of the events the simulator's telemetry holds back (Telemetry.deferred and later) now. */
  catchUp(): void {
    if (this.unsubscribe !== undefined) this.telemetry.flush();
  }

  close(): void {
    // Leaving flushes what the simulator's telemetry holds back: its records are built first.
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  private observe(e: TelemetryEvent): void {
    if (!("environmentId" in e) || e.environmentId !== this.environmentId) return;
    switch (e.type) {
      case "environment.state-changed":
        if (this.inInit && e.from === "initializing" && (e.to === "idle" || e.to === "busy")) this.initDone("success");
        else if (this.inInit && e.to === "retiring") this.initDone(e.reason === "init-timeout" ? "timeout" : "error");
        break;
      case "invocation.started":
        if (this.started === e.requestId) break;
        if (this.inInit) this.pendingStart = e.requestId;
        else this.start(e.requestId);
        break;
      case "invocation.finished": {
        // A retried Init that outlasts the function's timeout ends in `timeout` (Status: success|failure|error|timeout).
        if (this.inInit) this.initDone(e.status === "success" || e.status === "timeout" ? e.status : "error");
        // Never given to the runtime (its Init failed): AWS retries the Init inside the invocation's
        // Invoke phase (aws-facts §3 "Init limit"), which has its platform.start all the same.
        if (this.pendingStart === e.requestId) this.start(e.requestId);
        const metrics: Record<string, number> = { durationMs: round(e.durationMs), billedDurationMs: e.billedDurationMs, memorySizeMB: this.config.memorySize, maxMemoryUsedMB: e.maxMemoryUsedMb };
        if (e.initDurationMs !== undefined) metrics.initDurationMs = round(e.initDurationMs);
        this.out.record("platform", "platform.end", undefined, { requestId: e.requestId });
        this.out.record("platform", "platform.report", { requestId: e.requestId, status: e.status, metrics }, { requestId: e.requestId, metrics });
        break;
      }
      case "function.log":
        // The previews' own note ("[lambda-sim] N bytes ... not shown here") is not the function's output.
        if (this.muted || e.audience === "console") break;
        for (const line of lines(e.text)) if (!PLATFORM_LINE.test(line)) this.out.record("function", "function", line, line);
        break;
    }
  }

  private start(requestId: string): void {
    this.started = requestId;
    this.pendingStart = undefined;
    const record = { requestId, version: this.config.version };
    this.out.record("platform", "platform.start", record, record);
  }

  private initDone(status: "success" | "error" | "timeout"): void {
    this.inInit = false;
    const t = this.initializationType;
    const phase = this.phase;
    this.out.record("platform", "platform.initRuntimeDone", { initializationType: t, phase, status });
    this.out.record("platform", "platform.initReport", { initializationType: t, phase, status, metrics: { durationMs: round(stopwatch.now() - this.initStartedAt) } });
  }
}

function lines(text: string): string[] {
  return text.split("\n").filter((l) => l !== "");
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
