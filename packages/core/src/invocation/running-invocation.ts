import type { Hold } from "../clock/clock.ts";
import { stopwatch } from "../clock/stopwatch.ts";
import { billedDuration, InvocationLog } from "./invocation-log.ts";
import { failurePayload, type InvocationRequest, type InvocationResult, type ReportStatus } from "./invocation-result.ts";
import type { PlatformLog } from "./platform-log.ts";
import type { ServiceTime } from "./service-time.ts";

/**
 * The invocation an ExecutionEnvironment is running and its report: the timings it gathers (init,
 * delivery), the InvocationResult built from them, and whether its START line is out yet (the
 * lines themselves: platform-log.ts).
 */
export class RunningInvocation {
  readonly request: InvocationRequest;
  readonly log: InvocationLog;
  readonly coldStart: boolean;
  readonly hold: Hold;
  /** Its service time, when the function has one; cancelled however the invocation ends (finish). */
  serviceTime: ServiceTime | undefined;
  /** An injected latency, once the handler has answered: passing after its run (InvocationCompletion). */
  latency: ServiceTime | undefined;
  /** Settles the caller's promise, or once the caller has its answer, the invocation's `completion`. */
  resolve: (r: InvocationResult) => void;
  /** The caller has the runtime's response before the invocation completes (answer()). */
  answered = false;
  initDurationMs: number | undefined;
  /** Service ms of its Init that passed before the process started (InvocationRequest.initDelayMs); 0 warm. */
  readonly initDelayMs: number;
  /** Wall ms when the runtime received the event; undefined while it waits for /next. */
  deliveredAt: number | undefined;
  /** Its Init timed out and is about to run again (EnvironmentFailures.suppressInit): this attempt is over. */
  retrying = false;
  /** A suppressed init's start (InvocationRequest.suppressedInitAt): its Duration counts from there. */
  readonly suppressedInitAt: number | undefined;
  /** Its Duration when service time, not the handler's wall time, ended it (a timeout on the Clock). */
  durationMs: number | undefined;
  private started = false;

  constructor(request: InvocationRequest, coldStart: boolean, hold: Hold, resolve: (r: InvocationResult) => void) {
    this.request = request;
    this.log = request.carriedLog ?? new InvocationLog();
    this.coldStart = coldStart;
    this.initDelayMs = coldStart ? (request.initDelayMs ?? 0) : 0;
    this.suppressedInitAt = request.suppressedInitAt;
    this.hold = hold;
    this.resolve = resolve;
  }

  /** Its Init ended (or was cut short) after `wallMs` of the real process's own: the Init Duration is both. */
  initEnded(wallMs: number): void {
    // A suppressed init runs in the invocation: its time is the Duration's, not an Init Duration.
    if (this.suppressedInitAt !== undefined) return;
    this.initDurationMs = wallMs + this.initDelayMs;
  }

  get requestId(): string {
    return this.request.requestId;
  }

  /**
   * Ms of the function's timeout this invocation has used by `at`: from the runtime's taking the
   * event (0 before), or, after a suppressed init, from the retried Init's start, its slow cold
   * start's service ms included (the retried Init and the handler share the timeout: aws-facts §3).
   * The one reading of that time: the runtime's deadline, the watchdogs, an injected latency's and
   * a service time's share, REPORT's Duration and the retried Init's INIT_REPORT.
   */
  timeoutUsedMs(at = stopwatch.now()): number {
    if (this.suppressedInitAt !== undefined) return at - this.suppressedInitAt + this.initDelayMs;
    return this.deliveredAt === undefined ? 0 : at - this.deliveredAt;
  }

  /**
   * Its Init's duration by `at`, its process spawned at `spawnedAt`: a slow cold start's service ms
   * count (initDelayMs); a retried Init's is its share of the function's timeout (timeoutUsedMs).
   */
  initElapsedMs(spawnedAt: number, at = stopwatch.now()): number {
    return this.suppressedInitAt === undefined ? at - spawnedAt + this.initDelayMs : this.timeoutUsedMs(at);
  }

  /** The result of this invocation as it stands now; `maxMemoryUsedMb` is the environment's reading. */
  result(payload: Buffer, errorType: string | undefined, reportStatus: ReportStatus | undefined, environmentId: string, maxMemoryUsedMb: number): InvocationResult {
    // A suppressed init's Duration counts its Init, a slow cold start's service ms included.
    const durationMs = this.durationMs ?? this.timeoutUsedMs();
    return {
      requestId: this.request.requestId,
      payload,
      errorType,
      reportStatus,
      durationMs,
      billedDurationMs: billedDuration(durationMs, this.initDurationMs),
      initDurationMs: this.initDurationMs,
      maxMemoryUsedMb,
      coldStart: this.coldStart,
      environmentId,
      logTail: "",
    };
  }

  /**
   * Hands the caller `result` before the invocation completes (extensions' post-response work, or
   * an API caller's answer ahead of END and REPORT: `answerFirst`): the result carries
   * `completion`, settled by the next resolve() with the final result.
   */
  answer(result: InvocationResult): void {
    const caller = this.resolve;
    const completion = new Promise<InvocationResult>((settle) => (this.resolve = settle));
    this.answered = true;
    // `result` is built for this answer alone (no copy on the Invoke hot path).
    result.completion = completion;
    caller(result);
  }

  /** Platform-detected failures: `RequestId: <id> Error: <message>` (aws-facts §1.5). */
  platformError(errorType: string, message: string, status: ReportStatus, environmentId: string, maxMemoryUsedMb: number): InvocationResult {
    return this.result(failurePayload(errorType, `RequestId: ${this.request.requestId} Error: ${message}`), errorType, status, environmentId, maxMemoryUsedMb);
  }

  /** The START line (or JSON record), once: when the runtime takes the event, or when the invocation ends without it. */
  startLine(log: PlatformLog): string | undefined {
    if (this.started) return undefined;
    this.started = true;
    return log.start(this.request);
  }
}
