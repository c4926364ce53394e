import type { FunctionVersionConfig } from "../registry/function-model.ts";
import { MAX_RESPONSE_BYTES, type RuntimeOutcome } from "../runtime/runtime-contract.ts";
import type { Telemetry } from "../telemetry/telemetry.ts";
import type { EnvironmentProcess } from "./environment-process.ts";
import type { EnvironmentWatchdogs } from "./environment-watchdogs.ts";
import { emitFinished, emitStarted, failurePayload, type InvocationRequest, type InvocationResult, type ReportStatus } from "./invocation-result.ts";
import type { OutputForwarder } from "./output-forwarder.ts";
import type { InitPhase, PlatformLog } from "./platform-log.ts";
import type { RunningInvocation } from "./running-invocation.ts";

/**
 * The invocation an ExecutionEnvironment runs and what the environment says about it: its result,
 * with the environment's own figures (its id, Max Memory Used from its process), the START line
 * when the runtime takes the event, END and REPORT when it ends (aws-facts §2.5), the
 * `invocation.started` / `invocation.finished` telemetry, and the hand-over of the result to the
 * caller (finish()), however the invocation ended. Telemetry and log lines are deferred
 * (Telemetry.deferred): they are delivered after the caller has its answer.
 */
/** Output per invocation past which its end reads what is left in the pipes (a Linux pipe's buffer). */
const DRAIN_AFTER_BYTES = 64 * 1024;

export class InvocationReporter {
  /** The invocation being run, from invoke() until finish() hands its result over. */
  running: RunningInvocation | undefined;
  /** Invocations finished in this environment. */
  finished = 0;
  private readonly environmentId: string;
  private readonly config: FunctionVersionConfig;
  private readonly telemetry: Telemetry;
  private readonly output: OutputForwarder;
  private readonly process: EnvironmentProcess;
  private readonly watchdogs: EnvironmentWatchdogs;
  private readonly platformLog: PlatformLog;
  /** An Init began (initStart) and its end is not in the log yet. */
  private initOpen = false;

  constructor(environmentId: string, config: FunctionVersionConfig, telemetry: Telemetry, output: OutputForwarder, process: EnvironmentProcess, watchdogs: EnvironmentWatchdogs, platformLog: PlatformLog) {
    this.environmentId = environmentId;
    this.config = config;
    this.telemetry = telemetry;
    this.output = output;
    this.process = process;
    this.watchdogs = watchdogs;
    this.platformLog = platformLog;
  }

  /** The environment takes `request`: `invocation.started`, delivered while the runtime works. */
  started(request: InvocationRequest, coldStart: boolean): void {
    this.telemetry.deferred(() => emitStarted(this.telemetry, this.config, this.environmentId, request, coldStart));
  }

  /** START, once per invocation (RunningInvocation.startLine). */
  startLine(r: RunningInvocation): void {
    const line = r.startLine(this.platformLog);
    if (line !== undefined) this.output.platform(line, r.requestId);
  }

  /** The phase the Init under way runs in: a suppressed init's retry runs in the invocation's (aws-facts §3). */
  get initPhase(): InitPhase {
    return this.running?.suppressedInitAt === undefined ? "init" : "invoke";
  }

  /** An Init begins (cold start, reset or provisioned environment): platform.initStart with JSON logs. */
  initStart(): void {
    this.initOpen = true;
    const line = this.platformLog.initStart(this.initPhase);
    if (line !== undefined) this.output.platform(line, this.running?.requestId);
  }

  /** The Init that initStart() began ended: its initRuntimeDone and initReport (JSON logs at DEBUG, or WARN when it failed). */
  initDone(status: "success" | "error", durationMs: number, errorType?: string, timedOut = false): void {
    if (!this.initOpen) return;
    this.initOpen = false;
    for (const line of this.platformLog.initDone(status, durationMs, errorType, timedOut, this.initPhase)) this.output.platform(line, this.running?.requestId);
  }

  /** The running invocation's result as it stands now. */
  result(payload: Buffer, errorType: string | undefined, reportStatus: ReportStatus | undefined): InvocationResult {
    return this.running!.result(payload, errorType, reportStatus, this.environmentId, this.process.maxMemoryUsed());
  }

  /** A platform-detected failure of the running invocation (aws-facts §1.5). */
  platformError(errorType: string, message: string, status: ReportStatus): InvocationResult {
    return this.running!.platformError(errorType, message, status, this.environmentId, this.process.maxMemoryUsed());
  }

  /** The result of the runtime's answer: its response, its error, or a response over the size limit. */
  outcome(o: RuntimeOutcome): InvocationResult {
    if (o.kind === "response") return this.result(o.body, undefined, undefined);
    if (o.kind === "error") return this.result(o.body, o.errorType, undefined);
    const message = `Response payload size exceeded maximum allowed payload size (${o.limit ?? MAX_RESPONSE_BYTES} bytes).`;
    return this.result(failurePayload("Function.ResponseSizeTooLarge", message), "Function.ResponseSizeTooLarge", undefined);
  }

  /** Frames the log with END and REPORT, emits telemetry and hands the result to the caller. */
  finish(result: InvocationResult): void {
    const r = this.running;
    if (r === undefined) return;
    this.watchdogs.disarm();
    // Output still in the pipes is this invocation's, before its END (and still its request id's).
    // Only after a pipeful or more: a read finding nothing costs some 25 µs (a thrown EAGAIN), and
    // smaller output was read with the answer, written before it (the bootstrap waits for it).
    if (this.output.invocationBytes >= DRAIN_AFTER_BYTES) this.process.drainOutput();
    // The lines reach the tail now; their telemetry (log store, metrics, console) after the caller
    // has its answer (Telemetry.deferred).
    this.telemetry.deferred(() => {
      // Never given to the runtime: its Init did not complete.
      if (r.deliveredAt === undefined) this.initDone("error", r.initElapsedMs(this.process.spawnedAt), result.errorType, result.reportStatus === "timeout");
      this.startLine(r);
      this.output.invocationEnding(r.requestId);
      for (const line of this.platformLog.closing(result)) this.output.platform(line, r.requestId);
      emitFinished(this.telemetry, this.config, result, r.request);
    });
    // The log as it ends, and only for a caller who asked (LogType: Tail; most never do).
    if (r.request.logTail === true) result.logTail = r.log.tailBase64();
    this.running = undefined;
    this.finished++;
    r.serviceTime?.cancel();
    r.latency?.cancel();
    r.hold.release();
    r.resolve(result);
  }
}
