import type { IncomingMessage } from "node:http";
import type { ResponseSink } from "./response-sink.ts";

/** How a streamed `/response` ended (aws-facts §2.1 "Response streaming"). */
export type StreamedOutcome =
  | { kind: "response"; body: Buffer }
  | { kind: "error"; errorType: string; body: Buffer }
  | { kind: "too-large" };

/** The runtime's mid-stream error arrives in these trailers; the body is base64 of the error JSON. */
const ERROR_TYPE_TRAILER = "lambda-runtime-function-error-type";
const ERROR_BODY_TRAILER = "lambda-runtime-function-error-body";
/** What the RIC sends when the handler never set one (RIC stream/constants.ts). */
export const DEFAULT_STREAM_CONTENT_TYPE = "application/octet-stream";

/**
 * Reads a `Lambda-Runtime-Function-Response-Mode: streaming` POST (chunked, with error trailers).
 * With a sink, each chunk is passed on as it arrives, the request paused while the sink is full,
 * and nothing is kept; past `streamLimit` bytes the rest is dropped and the invocation fails with
 * Function.ResponseSizeTooLarge. Without one (Invoke, a BUFFERED URL) the chunks are gathered up
 * to `bufferLimit`, as a buffered response is. `alive()` false (the environment was reset under
 * the stream) stops anything more reaching the sink or the caller.
 */
export function readStreamedResponse(
  req: IncomingMessage,
  sink: ResponseSink | undefined,
  limits: { bufferLimit: number; streamLimit: number },
  alive: () => boolean,
  done: (outcome: StreamedOutcome) => void,
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  sink?.start(header(req, "content-type") ?? DEFAULT_STREAM_CONTENT_TYPE);
  req.on("data", (c: Buffer) => {
    size += c.length;
    if (over || !alive()) return;
    if (sink === undefined) {
      if (size > limits.bufferLimit) over = true;
      else chunks.push(c);
      return;
    }
    if (size > limits.streamLimit) {
      over = true;
      return;
    }
    if (!sink.write(c)) {
      req.pause();
      sink.onDrain(() => req.resume());
    }
  });
  req.on("end", () => {
    if (!alive()) return;
    const errorType = trailer(req, ERROR_TYPE_TRAILER);
    if (errorType !== undefined) {
      const encoded = trailer(req, ERROR_BODY_TRAILER);
      return done({ kind: "error", errorType, body: encoded === undefined ? Buffer.alloc(0) : Buffer.from(encoded, "base64") });
    }
    if (over) return done({ kind: "too-large" });
    done({ kind: "response", body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks) });
  });
  // A runtime killed mid-stream: its environment is already being reset; nothing to answer.
  req.on("error", () => {});
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function trailer(req: IncomingMessage, name: string): string | undefined {
  const v = req.trailers[name];
  return v === undefined || v === "" ? undefined : v;
}
