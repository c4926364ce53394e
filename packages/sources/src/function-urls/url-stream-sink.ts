import type { ServerResponse } from "node:http";
import type { ResponseSink } from "@lambda-sim/core";
import { answerHeadersProblem, isHttp2Answer, withoutConnectionHeaders } from "../http/answer-headers.ts";
import { isFinalStatus, isObject, malformed, shown, stringValues, type MalformedAnswer } from "../http/payload-v2.ts";

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
 * A prelude that cannot go out (a 1xx status, a header or cookie HTTP cannot carry) is handed to
 * `refuse`, which answers as the URL answers a malformed buffered answer (502); what AWS answers
 * then is not on record (our choice). The rest of the stream is dropped. Nothing the function
 * writes may throw from here: `write` runs inside the runtime request's 'data' listener, where an
 * exception would end the whole simulator.
 */
export class UrlStreamSink implements ResponseSink {
  private readonly res: ServerResponse;
  private readonly front: Record<string, string>;
  private readonly refuse: (why: string) => void;
  private contentType: string | undefined;
  private prelude: Buffer | undefined;
  /** The answer is over on our side (refused, or cut off): what the function still sends is dropped. */
  private over = false;

  constructor(res: ServerResponse, front: Record<string, string>, refuse: (why: string) => void) {
    this.res = res;
    this.front = front;
    this.refuse = refuse;
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
    if (this.over || this.res.destroyed) return true;
    if (this.prelude !== undefined) {
      const seen = Buffer.concat([this.prelude, chunk]);
      const end = seen.indexOf(DELIMITER);
      if (end < 0) {
        this.prelude = seen;
        return true;
      }
      this.prelude = undefined;
      if (!this.head(parsePrelude(seen.subarray(0, end)))) return true;
      chunk = seen.subarray(end + DELIMITER.length);
      if (chunk.length === 0) return true;
    }
    if (!this.head()) return true;
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
    if (this.over) return;
    if (this.prelude !== undefined && !this.head(parsePrelude(this.prelude))) return;
    if (!this.head()) return;
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
    if (this.over) return;
    if (process.env.LAMBDA_SIM_URL_STREAM_FAILURE === "end") return this.finish();
    this.over = true;
    const h2 = (this.res as unknown as { stream?: { close(code: number): void } }).stream;
    if (h2 !== undefined) return h2.close(NGHTTP2_INTERNAL_ERROR);
    // The bytes written so far are flushed first, then the connection closes.
    this.res.socket?.end();
  }

  /** Sends the status and headers unless they went out already; false when the answer is refused instead. */
  private head(prelude?: Prelude | MalformedAnswer): boolean {
    if (this.over) return false;
    if (this.res.headersSent) return true;
    if (prelude !== undefined && "malformed" in prelude) return this.refused(prelude.malformed);
    const headers: Record<string, string | string[]> = { ...this.front, "content-type": this.contentType ?? "application/octet-stream" };
    if (prelude !== undefined) {
      delete headers["content-type"];
      for (const [name, value] of Object.entries(prelude.headers)) headers[name] = value;
      if (prelude.cookies.length > 0) headers["set-cookie"] = prelude.cookies;
    }
    delete headers["content-length"];
    delete headers["transfer-encoding"];
    try {
      this.res.writeHead(prelude?.statusCode ?? 200, withoutConnectionHeaders(headers, isHttp2Answer(this.res)));
      this.res.flushHeaders();
      return true;
    } catch (e) {
      // parsePrelude lets nothing through that Node refuses; should anything still be, the
      // answer is refused rather than the exception thrown into the runtime's 'data' listener.
      return this.refused(`the prelude cannot be sent: ${(e as Error).message}`);
    }
  }

  private refused(why: string): false {
    this.over = true;
    this.prelude = undefined;
    if (this.res.headersSent) {
      this.res.destroy();
      return false;
    }
    // A writeHead that threw keeps its reason phrase ("OK"): the refusal's status gets its own
    // (HTTP/1.1 only: h2c has no reason phrase, and Node warns when one is set).
    if (!isHttp2Answer(this.res)) this.res.statusMessage = "";
    try {
      this.refuse(why);
    } catch {
      this.res.destroy();
    }
    return false;
  }
}

interface Prelude {
  statusCode: number;
  headers: Record<string, string>;
  cookies: string[];
}

/**
 * The prelude's fields; what cannot be read is left at its default (200, no headers). A 1xx status
 * or a header or cookie HTTP cannot carry is malformed: it cannot go out as it is (isFinalStatus,
 * answerHeadersProblem).
 */
function parsePrelude(bytes: Buffer): Prelude | MalformedAnswer {
  let v: unknown;
  try {
    v = JSON.parse(bytes.toString("utf8"));
  } catch {
    v = {};
  }
  const o = isObject(v) ? v : {};
  const status = typeof o.statusCode === "number" && Number.isInteger(o.statusCode) && o.statusCode >= 100 && o.statusCode <= 599 ? o.statusCode : 200;
  if (!isFinalStatus(status)) return malformed(`the prelude's statusCode is not a final HTTP status: ${shown(status)}`);
  const cookies = Array.isArray(o.cookies) ? o.cookies.filter((c): c is string => typeof c === "string") : [];
  const headers = stringValues(o.headers) ?? {};
  const bad = answerHeadersProblem(headers, cookies);
  return bad === undefined ? { statusCode: status, headers, cookies } : malformed(`the prelude's ${bad}`);
}
