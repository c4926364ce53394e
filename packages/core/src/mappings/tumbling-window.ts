import type { RecordSpan } from "./stream-batches.ts";

// A tumbling window as the stream mapping's invocations carry it (services-kinesis-windows):
// its fields in the event, and the state an answer hands on to the next invocation.

/** A tumbling window's state may be at most 1 MB per shard (services-kinesis-windows). */
export const WINDOW_STATE_LIMIT = 1024 * 1024;
/** The state after an answer over WINDOW_STATE_LIMIT: the next invocation starts afresh (windowState). Saved as `{}` with its flag. */
export const TERMINATED_EARLY: Record<string, never> = Object.freeze({});

export interface WindowContext {
  shardId: string;
  start: number;
  end: number;
  state: unknown;
  isFinalInvokeForWindow: boolean;
  /** The window's records so far: what its final invocation stands for (its age, its OnFailure record). */
  records?: RecordSpan;
}

/** The event's window fields after `Records`, as one JSON object: AWS's key order. */
export function windowFields(window: WindowContext, sourceArn: string): string {
  return JSON.stringify({
    window: { start: new Date(window.start).toISOString(), end: new Date(window.end).toISOString() },
    state: window.state === TERMINATED_EARLY ? {} : (window.state ?? {}),
    shardId: window.shardId,
    eventSourceARN: sourceArn,
    isFinalInvokeForWindow: window.isFinalInvokeForWindow,
    isWindowTerminatedEarly: window.state === TERMINATED_EARLY,
  });
}

/**
 * The state an answer hands on: "Your state can be a maximum of 1 MB per shard. If it exceeds
 * that size, Lambda terminates the window early" (services-kinesis-windows); the next invocation
 * "will continue the same window with a fresh state" and isWindowTerminatedEarly true
 * (TimeWindowProperties). Which invocation that is exactly is unrecorded: ours, the next one of
 * the window, batch or final. `warn` is told when it happens.
 */
export function windowState(state: unknown, warn: (message: string) => void): unknown {
  const bytes = Buffer.byteLength(JSON.stringify(state) ?? "");
  if (bytes <= WINDOW_STATE_LIMIT) return state;
  warn(`the tumbling window's state is ${bytes} bytes, over AWS's 1 MB per shard: the window is terminated early (its next invocation gets a fresh state and isWindowTerminatedEarly: true)`);
  return TERMINATED_EARLY;
}
