import type { FunctionVersionConfig } from "../registry/function-model.ts";
import { effectiveLogging } from "../registry/logging-config.ts";
import type { Telemetry } from "../telemetry/telemetry.ts";
import { canTransition, IllegalTransitionError, type EnvironmentState, type ResetCause, type RetireReason } from "./environment-state.ts";

/**
 * The state an environment is in, moved only along environment-state.ts's table, each move
 * emitted as `environment.state-changed`: shared by the process-backed ExecutionEnvironment and
 * the `model` runtime's ModelEnvironment, so both report their lifecycle the same way.
 */
export class EnvironmentLifecycle {
  private current: EnvironmentState = "initializing";
  /** Why it is in its state, when that has a reason (reset, retiring, retired): a late page's snapshot says it too. */
  private why: RetireReason | ResetCause | undefined;
  private readonly id: string;
  private readonly config: FunctionVersionConfig;
  private readonly telemetry: Telemetry;
  /** A provisioned-concurrency environment: said in every event (the dashboard marks its lane). */
  private readonly provisioned: true | undefined;

  constructor(id: string, config: FunctionVersionConfig, telemetry: Telemetry, provisioned = false) {
    this.id = id;
    this.config = config;
    this.telemetry = telemetry;
    this.provisioned = provisioned || undefined;
    this.emit("none", "initializing");
  }

  get state(): EnvironmentState {
    return this.current;
  }

  get reason(): RetireReason | ResetCause | undefined {
    return this.why;
  }

  /** Moves to `to` (`reason`: why it retires, or why it was reset); a move the table forbids is a bug (IllegalTransitionError). */
  to(to: EnvironmentState, reason?: RetireReason | ResetCause): void {
    const from = this.current;
    if (!canTransition(from, to)) throw new IllegalTransitionError(this.id, from, to);
    this.current = to;
    this.why = reason;
    this.emit(from, to, reason);
  }

  private emit(from: EnvironmentState | "none", to: EnvironmentState, reason?: RetireReason | ResetCause): void {
    // Where its logs go (CloudWatch Logs capture), said once.
    const group = from === "none" ? effectiveLogging(this.config).LogGroup : undefined;
    const logGroup = group === `/aws/lambda/${this.config.functionName}` ? undefined : group;
    this.telemetry.emit({ type: "environment.state-changed", environmentId: this.id, functionName: this.config.functionName, version: this.config.version, from, to, reason, provisioned: this.provisioned, logGroup });
  }
}
