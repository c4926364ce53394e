import type { FunctionVersionConfig } from "../registry/function-model.ts";
import { SYSTEM_LOG_LEVELS } from "../registry/logging-config.ts";
import { endLine, reportLine, startLine } from "./invocation-log.ts";
import type { InvocationRequest, InvocationResult } from "./invocation-result.ts";

type SystemLevel = (typeof SYSTEM_LOG_LEVELS)[number];

/** When an Init ran (Telemetry API schema reference, InitPhase): `invoke` for a suppressed init's retry. */
export type InitPhase = "init" | "invoke";

/** What an environment's PlatformLog needs to know besides its function version. */
export interface PlatformLogOptions {
  config: FunctionVersionConfig;
  /** The environment's CloudWatch Logs stream (AWS_LAMBDA_LOG_STREAM_NAME): platform.initStart's `instanceId`. */
  logStream: string;
  initializationType: "on-demand" | "provisioned-concurrency";
  /** The simulator's clock (epoch ms): the records' `time`. */
  now: () => number;
}

/**
 * The platform's lines in an environment's log, in the format its LoggingConfig asks for
 * (aws-facts §2.5). Text: START, END and REPORT, as they always were. JSON (a LoggingConfig with
 * LogFormat JSON, from the API, lambda-sim.yaml's `loggingConfig:` or a template): one record per
 * line, `{"time","type","record"}`, shaped as a 2026 CloudWatch Logs export of a JSON-format
 * function shows them (platform.initStart, platform.start with functionArn, platform.report with
 * `metrics` then `status`) and AWS's Telemetry API schema reference for the rest, and kept or
 * dropped by SystemLogLevel as the developer guide's "Event mapping for system log level" assigns
 * them: initStart, start and report INFO; runtimeDone and initRuntimeDone DEBUG on success, WARN
 * otherwise. Setting AWS_LAMBDA_LOG_FORMAT yourself changes what the runtime writes, not these
 * lines: on AWS the platform reads the LoggingConfig.
 */
export class PlatformLog {
  private readonly opts: PlatformLogOptions;
  /** Undefined: Text. */
  private readonly level: SystemLevel | undefined;

  constructor(opts: PlatformLogOptions) {
    this.opts = opts;
    const s = opts.config.loggingConfig;
    this.level = s?.logFormat === "JSON" ? ((s.systemLogLevel as SystemLevel | undefined) ?? "INFO") : undefined;
  }

  get json(): boolean {
    return this.level !== undefined;
  }

  /**
   * Init begins (a cold start or a provisioned environment): JSON only, Text has no line for it
   * here. `phase`: `invoke` for a suppressed init's retry, `init` otherwise (Telemetry API schema
   * reference, InitPhase: the Init that Lambda runs again in the invoke phase after some errors,
   * a suppressed init, says `invoke`).
   */
  initStart(phase: InitPhase = "init"): string | undefined {
    const c = this.opts.config;
    return this.record("INFO", "platform.initStart", {
      initializationType: this.opts.initializationType,
      phase,
      // No runtime version exists here: the runtime's own name stands in for it (chosen).
      runtimeVersion: c.runtime,
      runtimeVersionArn: `arn:aws:lambda:::runtime:${c.runtime}`,
      functionName: c.functionName,
      functionVersion: c.version,
      instanceId: this.opts.logStream,
      instanceMaxMemory: c.memorySize * 1024 * 1024,
    });
  }

  /**
   * Init ended before the runtime took its first event: initRuntimeDone and initReport (JSON). In
   * Text, a failed Init has the line AWS writes for it, `INIT_REPORT Init Duration: 150.79 ms\tPhase:
   * init\tStatus: error\tError Type: Runtime.UserCodeSyntaxError` (`Status: timeout` and no error
   * type for the Init limit), as CloudWatch Logs exports of such functions show it; a successful
   * one has none (its Init Duration is in the REPORT).
   */
  initDone(status: "success" | "error", durationMs: number, errorType?: string, timedOut = false, phase: InitPhase = "init"): string[] {
    if (this.level === undefined) {
      if (status === "success") return [];
      const end = timedOut ? "Status: timeout" : `Status: error${errorType !== undefined ? `\tError Type: ${errorType}` : ""}`;
      return [`INIT_REPORT Init Duration: ${durationMs.toFixed(2)} ms\tPhase: ${phase}\t${end}\n`];
    }
    const t = this.opts.initializationType;
    const level = status === "success" ? "DEBUG" : "WARN";
    // The Init limit's end is status `timeout`, with no errorType: the Telemetry API schema
    // reference's Status values are success|failure|error|timeout, an errorType only with the
    // failure and error ones (as INIT_REPORT's `Status: timeout` has no Error Type above).
    const done: Record<string, unknown> = { initializationType: t, phase, status: timedOut ? "timeout" : status };
    if (errorType !== undefined && status !== "success" && !timedOut) done.errorType = errorType;
    // initReport's level: DEBUG, as the INFO-level export has none; WARN for a failed Init (chosen).
    return [this.record(level, "platform.initRuntimeDone", done), this.record(level, "platform.initReport", { ...done, metrics: { durationMs: round(durationMs) } })].filter(
      (l): l is string => l !== undefined,
    );
  }

  /** START / platform.start, when the runtime takes the event. */
  start(request: InvocationRequest): string | undefined {
    const version = this.opts.config.version;
    if (this.level === undefined) return startLine(request.requestId, version);
    return this.record("INFO", "platform.start", { requestId: request.requestId, functionArn: request.invokedFunctionArn, version });
  }

  /** END and REPORT / platform.runtimeDone and platform.report. */
  closing(result: InvocationResult): string[] {
    const memorySizeMb = this.opts.config.memorySize;
    const id = result.requestId;
    if (this.level === undefined) {
      const report = reportLine({
        requestId: id,
        durationMs: result.durationMs,
        billedDurationMs: result.billedDurationMs,
        memorySizeMb,
        maxMemoryUsedMb: result.maxMemoryUsedMb,
        initDurationMs: result.initDurationMs,
        status: result.reportStatus,
        errorType: result.reportStatus ? result.errorType : undefined,
      });
      return [endLine(id), report];
    }
    // As the Telemetry API and the extensions' records have it (extension-telemetry.ts).
    const status = result.reportStatus ?? (result.errorType !== undefined ? "error" : "success");
    const done: Record<string, unknown> = { requestId: id, status };
    // AWS's timeout records carry no errorType; other failures name theirs (Telemetry API schema).
    const errorType = status === "error" || status === "failure" ? result.errorType : undefined;
    if (errorType !== undefined) done.errorType = errorType;
    // A platform-detected end (timeout, crash) produced nothing: producedBytes 0, as AWS records a timeout.
    done.metrics = { durationMs: round(result.durationMs), producedBytes: result.reportStatus === undefined ? result.payload.length : 0 };
    const metrics: Record<string, number> = { durationMs: round(result.durationMs), billedDurationMs: result.billedDurationMs, memorySizeMB: memorySizeMb, maxMemoryUsedMB: result.maxMemoryUsedMb };
    if (result.initDurationMs !== undefined) metrics.initDurationMs = round(result.initDurationMs);
    const report: Record<string, unknown> = { requestId: id, metrics, status };
    if (errorType !== undefined) report.errorType = errorType;
    return [this.record(status === "success" ? "DEBUG" : "WARN", "platform.runtimeDone", done), this.record("INFO", "platform.report", report)].filter((l): l is string => l !== undefined);
  }

  /** One JSON record line, or undefined when Text or below the SystemLogLevel. */
  private record(level: SystemLevel, type: string, record: Record<string, unknown>): string | undefined {
    if (this.level === undefined || rank(level) < rank(this.level)) return undefined;
    return `${JSON.stringify({ time: new Date(this.opts.now()).toISOString(), type, record })}\n`;
  }
}

function rank(level: SystemLevel): number {
  return SYSTEM_LOG_LEVELS.indexOf(level);
}

/** Milliseconds to 3 decimals, as AWS writes them (`1072.145`). */
function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
