import type { ServerResponse } from "node:http";
import type { ResponseSink } from "@lambda-sim/core";
import { isObject, stringValues } from "../http/payload-v2.ts";

/** What the RIC's HttpResponseStream.from announces (aws-facts §2.1 "Response streaming"). */
const HTTP_INTEGRATION = "application/vnd.awslambda.http-integration-response";
const DELIMITER = Buffer.alloc(8);
/** RST_STREAM's INTERNAL_ERROR (RFC 9113 §7), for a request that came over h2c. */
const NGHTTP2_INTERNAL_ERROR = 2;

/**
 * A RESPONSE_STREAM Function URL's answer, written as the function streams it. A stream with the
 * HTTP integration content type starts with a JSON prelude (`statusCode`, `headers`, `cookies`)
 * and 8 NUL bytes: status and headers come from it, the rest is the body. Any other stream is a
 * 200 with the stream's content type. Headers go out with the first body bytes (or at `finish`),
 * chunked; `front` headers (request id, CORS) go first and the function's may replace them.
 */
export class UrlStreamSink implements ResponseSink {
  private readonly res: ServerResponse;
  private readonly front: Record<string, string>;
  private contentType: string | undefined;
  private prelude: Buffer | undefined;

  constructor(res: ServerResponse, front: Record<string, string>) {
    this.res = res;
    this.front = front;
  }

  /** True once the function opened a stream (a buffered function never does). */
  get started(): boolean {
    return this.contentType !== undefined;
  }

  resolved(): void {}

  start(contentType: string): void {
    this.contentType = contentType;
    if (contentType.split(";", 1)[0]!.trim().toLowerCase() === HTTP_INTEGRATION) this.prelude = Buffer.alloc(0);
  }

  write(chunk: Buffer): boolean {
    if (this.res.destroyed) return true;
    if (this.prelude !== undefined) {
      const seen = Buffer.concat([this.prelude, chunk]);
      const end = seen.indexOf(DELIMITER);
      if (end < 0) {
        this.prelude = seen;
        return true;
      }
      this.prelude = undefined;
      this.head(parsePrelude(seen.subarray(0, end)));
      chunk = seen.subarray(end + DELIMITER.length);
      if (chunk.length === 0) return true;
    }
    this.head();
    return this.res.write(chunk);
  }

  onDrain(resume: () => void): void {
    if (this.res.destroyed) return resume();
    const go = () => {
      this.res.off("drain", go).off("close", go);
      resume();
    };
    this.res.on("drain", go).on("close", go);
  }

  /** Ends the answer; headers not yet sent (an empty stream) go out now. */
  finish(): void {
    if (this.prelude !== undefined) this.head(parsePrelude(this.prelude));
    this.head();
    this.res.end();
  }

  /**
   * The function failed (error, timeout, out of memory) after the status went out: the answer is
   * cut off without HTTP's end of message (the terminating chunk; on h2c, RST_STREAM), so a client
   * or a proxy sees a truncated response, not a complete 200. AWS does not document what a
   * RESPONSE_STREAM URL does here; a connection that closes mid-body is what any HTTP client
   * reports as incomplete and what a proxy in front of a crashed server sees, so it is our choice.
   * `LAMBDA_SIM_URL_STREAM_FAILURE=end` ends the answer as if complete instead (read per failure).
   */
  abort(): void {
    if (process.env.LAMBDA_SIM_URL_STREAM_FAILURE === "end") return this.finish();
    const h2 = (this.res as unknown as { stream?: { close(code: number): void } }).stream;
    if (h2 !== undefined) return h2.close(NGHTTP2_INTERNAL_ERROR);
    // The bytes written so far are flushed first, then the connection closes.
    this.res.socket?.end();
  }

  private head(prelude?: Prelude): void {
    if (this.res.headersSent) return;
    const headers: Record<string, string | string[]> = { ...this.front, "content-type": this.contentType ?? "application/octet-stream" };
    if (prelude !== undefined) {
      delete headers["content-type"];
      for (const [name, value] of Object.entries(prelude.headers)) headers[name] = value;
      if (prelude.cookies.length > 0) headers["set-cookie"] = prelude.cookies;
    }
    delete headers["content-length"];
    delete headers["transfer-encoding"];
    this.res.writeHead(prelude?.statusCode ?? 200, headers);
    this.res.flushHeaders();
  }
}

interface Prelude {
  statusCode: number;
  headers: Record<string, string>;
  cookies: string[];
}

/** The prelude's fields; what cannot be read is left at its default (200, no headers). */
function parsePrelude(bytes: Buffer): Prelude {
  let v: unknown;
  try {
    v = JSON.parse(bytes.toString("utf8"));
  } catch {
    v = {};
  }
  const o = isObject(v) ? v : {};
  const status = typeof o.statusCode === "number" && Number.isInteger(o.statusCode) && o.statusCode >= 100 && o.statusCode <= 599 ? o.statusCode : 200;
  const cookies = Array.isArray(o.cookies) ? o.cookies.filter((c): c is string => typeof c === "string") : [];
  return { statusCode: status, headers: stringValues(o.headers) ?? {}, cookies };
}
