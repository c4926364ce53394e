/**
 * The ExecutionEnvironment state machine (DESIGN.md, STYLE.md 7.6) as a transition table.
 *
 *   initializing → idle ⇄ busy → retiring → retired
 *   busy → reset   (timeout, crash, out of memory: the process is killed, /tmp is kept, and the
 *                   next invocation re-runs Init in the same environment; aws-facts §3)
 *   reset → initializing
 *
 * `idle` means frozen (SIGSTOP) unless freezing is switched off for the function. There is one
 * terminal state, `retired`, with a reason.
 */
// The names are the telemetry schema's (events.ts carries them); the moves between them are here.
import type { EnvironmentState } from "../telemetry/events.ts";

export { ENVIRONMENT_STATES, RETIRE_REASONS, type EnvironmentState, type ResetCause, type RetireReason } from "../telemetry/events.ts";

const TRANSITIONS: Record<EnvironmentState, readonly EnvironmentState[]> = {
  initializing: ["idle", "busy", "retiring"],
  // idle → reset: the process died between invocations (e.g. after an uncaught error).
  idle: ["busy", "reset", "retiring"],
  busy: ["idle", "reset", "retiring"],
  reset: ["initializing", "retiring"],
  retiring: ["retired"],
  retired: [],
};

export function canTransition(from: EnvironmentState, to: EnvironmentState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** A bug, not a user error: the code tried a move the table forbids. */
export class IllegalTransitionError extends Error {
  constructor(environmentId: string, from: EnvironmentState, to: EnvironmentState) {
    super(`environment ${environmentId}: illegal transition ${from} → ${to}`);
    this.name = "IllegalTransitionError";
  }
}
