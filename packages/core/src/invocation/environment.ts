import type { FunctionVersionConfig } from "../registry/function-model.ts";
import type { EnvironmentState, ResetCause, RetireReason } from "./environment-state.ts";
import type { InvocationRequest, InvocationResult } from "./invocation-result.ts";

/**
 * What an EnvironmentPool needs of a sandbox: the process-backed ExecutionEnvironment, or the
 * ModelEnvironment of the `model` runtime.
 */
export interface Environment {
  readonly id: string;
  readonly config: FunctionVersionConfig;
  readonly initializationType: "on-demand" | "provisioned-concurrency";
  readonly state: EnvironmentState;
  /** Why it is in its state (reset: its cause; retiring, retired: its reason), as its last state-changed event said. */
  readonly reason: RetireReason | ResetCause | undefined;
  readonly busy: boolean;
  onAvailable: (env: Environment) => void;
  onRetired: (env: Environment) => void;
  invoke(request: InvocationRequest): Promise<InvocationResult>;
  prewarm(limitMs: number): Promise<boolean>;
  retire(reason: RetireReason): Promise<void>;
}
