import type { Clock } from "../clock/clock.ts";
import { stopwatch } from "../clock/stopwatch.ts";
import type { RuntimeOutcome } from "../runtime/runtime-contract.ts";
import type { Telemetry } from "../telemetry/telemetry.ts";
import type { EnvironmentLifecycle } from "./environment-lifecycle.ts";
import type { EnvironmentProcess } from "./environment-process.ts";
import type { EnvironmentWatchdogs } from "./environment-watchdogs.ts";
import type { ExtensionHost } from "./extension-host.ts";
import type { InvocationReporter } from "./invocation-reporter.ts";
import type { RunningInvocation } from "./running-invocation.ts";
import { ServiceTime } from "./service-time.ts";

/** The parts of an ExecutionEnvironment an invocation's completion acts on. */
export interface InvocationCompletionOptions {
  telemetry: Telemetry;
  lifecycle: EnvironmentLifecycle;
  process: EnvironmentProcess;
  extensions: ExtensionHost;
  report: InvocationReporter;
  watchdogs: EnvironmentWatchdogs;
  clock: Clock;
  /** The function's timeout, which an injected latency counts towards. */
  timeoutMs: number;
  /** The invocation's latency took it past the timeout: it times out (EnvironmentFailures.onServiceTimeout). */
  serviceTimeout: () => void;
  /** The latency's timer label. */
  label: string;
  /** The environment can take another event: its onAvailable, then a freeze if the runtime already waits. */
  available: () => void;
}

/**
 * How an invocation of an ExecutionEnvironment ends once its runtime has answered: the caller's
 * answer (at once for an API caller, `answerFirst`; before the end when extensions still work
 * after the response), the Invoke phase's end (every extension asked for its next event, the
 * function's service time passed), then its result, END and REPORT (InvocationReporter.finish)
 * and the environment free again. Failures end invocations otherwise (environment-failures.ts).
 */
export class InvocationCompletion {
  private readonly telemetry: Telemetry;
  private readonly lifecycle: EnvironmentLifecycle;
  private readonly process: EnvironmentProcess;
  private readonly extensions: ExtensionHost;
  private readonly report: InvocationReporter;
  private readonly watchdogs: EnvironmentWatchdogs;
  private readonly clock: Clock;
  private readonly timeoutMs: number;
  private readonly serviceTimeout: () => void;
  private readonly label: string;
  private readonly available: () => void;

  constructor(opts: InvocationCompletionOptions) {
    this.telemetry = opts.telemetry;
    this.lifecycle = opts.lifecycle;
    this.process = opts.process;
    this.extensions = opts.extensions;
    this.report = opts.report;
    this.watchdogs = opts.watchdogs;
    this.clock = opts.clock;
    this.timeoutMs = opts.timeoutMs;
    this.serviceTimeout = opts.serviceTimeout;
    this.label = opts.label;
    this.available = opts.available;
  }

  /** The runtime's answer for the running invocation (a stale or ignored one changes nothing). */
  outcome(o: RuntimeOutcome): void {
    const r = this.report.running;
    if (r === undefined || o.requestId !== r.request.requestId || r.answered) return;
    if (o.kind !== "too-large" && o.peakMemoryKb !== undefined) this.process.current?.notePeakKb(o.peakMemoryKb);
    const produced = o.kind === "too-large" ? 0 : o.body.length;
    const idle = this.extensions.runtimeDone(o.requestId, o.kind === "response" ? "success" : "error", stopwatch.now() - (r.deliveredAt ?? stopwatch.now()), produced);
    if (!idle) return this.answerEarly(r, o);
    this.watchdogs.disarm();
    this.completeAfterServiceTime(r, o);
  }

  /** Completes `r` now, or once its injected latency and its service time have passed. */
  private completeAfterServiceTime(r: RunningInvocation, o: RuntimeOutcome): void {
    const latencyMs = r.request.latencyMs ?? 0;
    if (latencyMs > 0 && r.latency === undefined) {
      // An injected latency passes after the handler's own run, as a slow call in it would: the
      // invocation takes both, and the function's timeout counts both (walk39b), and a suppressed
      // init's retried Init too (aws-facts §3). Past the timeout, it times out there.
      const usedMs = r.timeoutUsedMs();
      const left = Math.max(0, this.timeoutMs - usedMs);
      r.hold.release();
      r.request.deadline?.alongside(Math.min(latencyMs, left));
      r.latency = new ServiceTime(this.clock, latencyMs, this.label, { ms: left, onTimeout: this.serviceTimeout });
      r.latency.whenPassed(() => {
        if (this.report.running !== r) return;
        r.durationMs = usedMs + latencyMs;
        this.completeAfterServiceTime(r, o);
      });
      return;
    }
    // Output the runtime wrote before posting is already in the pipe; one turn of the event loop
    // lets it reach the log ahead of END and REPORT.
    const serviceTime = r.serviceTime;
    if (serviceTime === undefined || serviceTime.passed) {
      // An API caller's answer need not wait for that turn, only the log does (issue 16: a whole
      // turn of the loop on every Invoke's answer).
      if (r.request.answerFirst === true && !r.answered) r.answer(this.report.outcome(o));
      return void setImmediate(() => this.complete(r, o));
    }
    // The rest of its service time: the environment and its concurrency stay taken on the Clock,
    // which the handler's hold would stop.
    r.hold.release();
    serviceTime.whenPassed(() => this.complete(r, o));
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
      if (this.report.running !== r || r.answered) return;
      const early = this.report.outcome(o);
      if (r.request.logTail === true) early.logTail = r.log.tailBase64();
      r.answer(early);
    });
    // The Invoke phase lasts until the extensions are done and the service time has passed.
    void this.extensions.whenIdle().then(() => {
      if (this.report.running !== r) return;
      this.watchdogs.disarm();
      this.completeAfterServiceTime(r, o);
    });
  }

  /** The invocation is over: its result (duration up to now), and the environment is free again. */
  private complete(r: RunningInvocation, o: RuntimeOutcome): void {
    if (this.report.running !== r) return;
    // Telemetry after the caller has its answer, while the next invocation runs (Telemetry.later).
    this.telemetry.later(() => {
      this.report.finish(this.report.outcome(o));
      if (this.lifecycle.state === "busy") this.lifecycle.to("idle");
    });
    this.available();
  }
}
