import type { FunctionVersionConfig } from "../registry/function-model.ts";
import { MAX_RESPONSE_BYTES, type RuntimeOutcome } from "../runtime/runtime-api-server.ts";
import type { Telemetry } from "../telemetry/telemetry.ts";
import type { EnvironmentProcess } from "./environment-process.ts";
import { emitFinished, emitStarted, failurePayload, type InvocationRequest, type InvocationResult, type ReportStatus } from "./invocation-result.ts";
import type { OutputForwarder } from "./output-forwarder.ts";
import type { RunningInvocation } from "./running-invocation.ts";

/**
 * What an ExecutionEnvironment says about the invocations it runs: their results, with the
 * environment's own figures (its id, Max Memory Used from its process), the START line when the
 * runtime takes the event, END and REPORT when the invocation ends (aws-facts §2.5), and the
 * `invocation.started` / `invocation.finished` telemetry. Telemetry and log lines are deferred
 * (Telemetry.deferred): they are delivered after the caller has its answer.
 */
export class InvocationReporter {
  private readonly environmentId: string;
  private readonly config: FunctionVersionConfig;
  private readonly telemetry: Telemetry;
  private readonly output: OutputForwarder;
  private readonly process: EnvironmentProcess;

  constructor(environmentId: string, config: FunctionVersionConfig, telemetry: Telemetry, output: OutputForwarder, process: EnvironmentProcess) {
    this.environmentId = environmentId;
    this.config = config;
    this.telemetry = telemetry;
    this.output = output;
    this.process = process;
  }

  /** The environment takes `request`: `invocation.started`, delivered while the runtime works. */
  started(request: InvocationRequest, coldStart: boolean): void {
    this.telemetry.deferred(() => emitStarted(this.telemetry, this.config, this.environmentId, request, coldStart));
  }

  /** START, once per invocation (RunningInvocation.startLine). */
  startLine(r: RunningInvocation): void {
    const line = r.startLine(this.config.version);
    if (line !== undefined) this.output.platform(line, r.requestId);
  }

  result(r: RunningInvocation, payload: Buffer, errorType: string | undefined, reportStatus: ReportStatus | undefined): InvocationResult {
    return r.result(payload, errorType, reportStatus, this.environmentId, this.process.maxMemoryUsed());
  }

  /** A platform-detected failure (aws-facts §1.5). */
  platformError(r: RunningInvocation, errorType: string, message: string, status: ReportStatus): InvocationResult {
    return r.platformError(errorType, message, status, this.environmentId, this.process.maxMemoryUsed());
  }

  /** The result of the runtime's answer: its response, its error, or a response over the size limit. */
  outcome(r: RunningInvocation, o: RuntimeOutcome): InvocationResult {
    if (o.kind === "response") return this.result(r, o.body, undefined, undefined);
    if (o.kind === "error") return this.result(r, o.body, o.errorType, undefined);
    const message = `Response payload size exceeded maximum allowed payload size (${o.limit ?? MAX_RESPONSE_BYTES} bytes).`;
    return this.result(r, failurePayload("Function.ResponseSizeTooLarge", message), "Function.ResponseSizeTooLarge", undefined);
  }

  /** `r` ends with `result`: its log is framed with END and REPORT, and its tail attached to the result. */
  finished(r: RunningInvocation, result: InvocationResult): void {
    // The lines reach the tail now; their telemetry (log store, metrics, console) after the caller
    // has its answer (Telemetry.deferred).
    this.telemetry.deferred(() => {
      this.startLine(r);
      for (const line of r.closingLines(result, this.config.memorySize)) this.output.platform(line, r.requestId);
      emitFinished(this.telemetry, this.config, result);
    });
    r.attachLogTail(result);
  }
}
