import type { ServerResponse } from "node:http";
import { positiveIntegerVariable } from "../config/positive-integer-variable.ts";

/**
 * Where a streamed response goes while the function writes it (InvokeWithResponseStream, a
 * RESPONSE_STREAM Function URL). The Runtime API hands each chunk over as the runtime sends it;
 * without a sink (Invoke, a BUFFERED URL) a streamed response is buffered like any other.
 */
export interface ResponseSink {
  /** The invocation resolved to this version (before admission; nothing is written yet). */
  resolved(executedVersion: string): void;
  /** The runtime opened a streamed response with this Content-Type (before its first chunk). */
  start(contentType: string): void;
  /** One chunk, in order. False asks the runtime to wait for `onDrain`, as a socket would. */
  write(chunk: Buffer): boolean;
  onDrain(resume: () => void): void;
}

/**
 * ResponseSink.onDrain for a sink writing to an HTTP answer: `resume` once the answer's socket
 * drains, or at once when the caller went away (the runtime's stream is then drained and dropped).
 */
export function resumeWhenDrained(res: ServerResponse, resume: () => void): void {
  if (res.destroyed) return resume();
  const go = () => {
    res.off("drain", go).off("close", go);
    resume();
  };
  res.on("drain", go).on("close", go);
}

/**
 * The streamed response's cap (aws-facts §1.3): 200 MB since July 2025, 20 MB before; the
 * `LAMBDA_SIM_STREAM_RESPONSE_LIMIT` environment variable (bytes) restores the old figure.
 */
export const MAX_STREAMED_RESPONSE_BYTES = positiveIntegerVariable("LAMBDA_SIM_STREAM_RESPONSE_LIMIT", 200 * 1024 * 1024);
