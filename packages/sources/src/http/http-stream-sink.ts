import type { ServerResponse } from "node:http";
import { resumeWhenDrained, type ResponseSink } from "@lambda-sim/core";
import { isHttp2Answer, withoutConnectionHeaders } from "./answer-headers.ts";
import type { MalformedAnswer } from "./payload-v2.ts";

/** What the RIC's HttpResponseStream.from announces (aws-facts §2.1 "Response streaming"). */
export const HTTP_INTEGRATION = "application/vnd.awslambda.http-integration-response";
/** The 8 NUL bytes between the JSON prelude and the body (HttpResponseStream.from writes them). */
const DELIMITER = Buffer.alloc(8);
/** RST_STREAM's INTERNAL_ERROR (RFC 9113 §7), for a request that came over h2c. */
const NGHTTP2_INTERNAL_ERROR = 2;

/** The status and headers a stream's prelude gives its answer. */
export interface Prelude {
  statusCode: number;
  /** Lower-case names; a list where a header repeats. */
  headers: Record<string, string | string[]>;
  cookies: string[];
}

/** How one front reads the start of a streamed answer (Function URLs and REST APIs differ). */
export interface PreludeRules {
  /** Whether every stream opens with a prelude (REST STREAM), or only one announced by its content type (Function URLs). */
  always: boolean;
  /** The delimiter must end within this many bytes of the stream; past them the answer is refused. */
  within?: number;
  /** A stream that ends before its delimiter: read what came as the prelude (false), or refuse it (true). */
  delimiterRequired: boolean;
  read(bytes: Buffer): Prelude | MalformedAnswer;
  /** The content type when the prelude names none (undefined: the answer goes without one). */
  fallbackContentType?: string;
  /** Keep a Content-Length the prelude gives (the body then goes unchunked). */
  keepContentLength: boolean;
  /** Whether a failure after the status went out ends the answer as if complete instead of cutting it off. */
  endOnFailure(): boolean;
}

/**
 * A streamed answer, written to the client as the function streams it: a Function URL in
 * RESPONSE_STREAM mode, or a REST API integration in STREAM mode. A stream that opens with a
 * prelude (JSON, then 8 NUL bytes) takes its status and headers from it, as `rules` read it; the
 * rest is the body. A stream without one is a 200 with the stream's content type. Headers go out
 * with the first body bytes (or at `finish`), chunked unless the prelude kept a Content-Length;
 * `front` headers (request id, CORS) go first and the function's may replace them. A prelude
 * `rules` refuses is handed to `refuse`, which answers as the front answers a malformed answer;
 * the rest of the stream is dropped. Nothing the function writes may throw from here: `write`
 * runs inside the runtime request's 'data' listener, where an exception would end the simulator.
 */
export class HttpStreamSink implements ResponseSink {
  private readonly res: ServerResponse;
  private readonly front: Record<string, string>;
  private readonly refuse: (why: string) => void;
  private readonly rules: PreludeRules;
  private contentType: string | undefined;
  private prelude: Buffer | undefined;
  /** The answer is over on our side (refused, timed out, or cut off): what the function still sends is dropped. */
  private over = false;

  constructor(res: ServerResponse, front: Record<string, string>, refuse: (why: string) => void, rules: PreludeRules) {
    this.res = res;
    this.front = front;
    this.refuse = refuse;
    this.rules = rules;
  }

  /** True once the function opened a stream (a buffered function never does). */
  get started(): boolean {
    return this.contentType !== undefined;
  }

  /** True once the front stopped taking the function's bytes (refused, timed out, cut off). */
  get stopped(): boolean {
    return this.over;
  }

  resolved(): void {}

  start(contentType: string): void {
    this.contentType = contentType;
    if (this.rules.always || contentType.split(";", 1)[0]!.trim().toLowerCase() === HTTP_INTEGRATION) this.prelude = Buffer.alloc(0);
  }

  write(chunk: Buffer): boolean {
    if (this.over || this.res.destroyed) return true;
    if (this.prelude !== undefined) {
      const seen = Buffer.concat([this.prelude, chunk]);
      const end = seen.indexOf(DELIMITER);
      const within = this.rules.within;
      // The delimiter must end within `within` bytes: none yet in that many, or one ending past them, is refused.
      if (within !== undefined && (end < 0 ? seen.length >= within : end + DELIMITER.length > within)) {
        this.refused(`no 8-NUL-byte delimiter within the first ${within} bytes of the stream`);
        return true;
      }
      if (end < 0) {
        this.prelude = seen;
        return true;
      }
      this.prelude = undefined;
      if (!this.head(this.rules.read(seen.subarray(0, end)))) return true;
      chunk = seen.subarray(end + DELIMITER.length);
      if (chunk.length === 0) return true;
    }
    if (!this.head()) return true;
    return this.res.write(chunk);
  }

  onDrain(resume: () => void): void {
    resumeWhenDrained(this.res, resume);
  }

  /** Ends the answer; headers not yet sent (an empty stream) go out now. */
  finish(): void {
    if (this.over) return;
    if (this.prelude !== undefined) {
      if (this.rules.delimiterRequired) return void this.refused("the stream ended before the 8-NUL-byte delimiter that ends its metadata");
      if (!this.head(this.rules.read(this.prelude))) return;
    }
    if (!this.head()) return;
    this.res.end();
  }

  /** The front answers for itself from here (a timeout before any byte went out): the rest of the stream is dropped. */
  stop(): void {
    this.over = true;
    this.prelude = undefined;
  }

  /**
   * The function failed (error, timeout, out of memory) or the front stopped waiting after the
   * status went out: the answer is cut off without HTTP's end of message (the terminating chunk;
   * on h2c, RST_STREAM), so a client or a proxy sees a truncated response, not a complete one.
   * AWS documents neither front's behaviour here (curl's "transfer closed with outstanding read
   * data remaining" in API Gateway's troubleshooting is this); a connection that closes mid-body is
   * what any HTTP client reports as incomplete, so it is our choice, and `rules.endOnFailure` can
   * end the answer as if complete instead.
   */
  abort(): void {
    if (this.over) return;
    if (this.rules.endOnFailure()) return this.finish();
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
      if (prelude.cookies.length > 0) {
        const earlier = headers["set-cookie"];
        headers["set-cookie"] = earlier === undefined ? prelude.cookies : [...(Array.isArray(earlier) ? earlier : [earlier]), ...prelude.cookies];
      }
      if (headers["content-type"] === undefined && this.rules.fallbackContentType !== undefined) headers["content-type"] = this.rules.fallbackContentType;
    }
    const length = headers["content-length"];
    const keepLength = this.rules.keepContentLength && typeof length === "string" && /^\d+$/.test(length) && headers["transfer-encoding"] === undefined;
    if (!keepLength) delete headers["content-length"];
    delete headers["transfer-encoding"];
    try {
      this.res.writeHead(prelude?.statusCode ?? 200, withoutConnectionHeaders(headers, isHttp2Answer(this.res)));
      this.res.flushHeaders();
      return true;
    } catch (e) {
      // The rules let nothing through that Node refuses; should anything still be, the answer is
      // refused rather than the exception thrown into the runtime's 'data' listener.
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
