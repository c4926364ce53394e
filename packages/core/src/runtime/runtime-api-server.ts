import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { stopwatch } from "../clock/stopwatch.ts";
import { MAX_STREAMED_RESPONSE_BYTES, type ResponseSink } from "./response-sink.ts";
import { invokeHeaders, MAX_RESPONSE_BYTES, normaliseErrorType, type EventSender, type RuntimeApiListener, type RuntimeEvent, type RuntimeOutcome } from "./runtime-contract.ts";
import { readStreamedResponse } from "./streamed-response.ts";

// node:http's CommonJS exports, not an ES import: see builtin-imports.test.ts (undici stays unloaded).
const { createServer } = process.getBuiltinModule("node:http");

const PREFIX = "/2018-06-01/runtime/";
/** /next before answering the current event: RIE rejects the state transition. */
const INVALID_TRANSITION = {
  errorMessage: "State transition from RuntimeInvokeResponseSent to RuntimeReady failed: invalid state transition",
  errorType: "InvalidStateTransition",
};
/**
 * The Lambda Runtime API (2018-06-01) for ONE execution environment, on its own loopback port, as
 * AWS's runtime interface emulator serves it: the runtime long-polls `/next`, then posts exactly one
 * `/response` or `/error` for the request id it was given.
 */
export class RuntimeApiServer {
  private readonly server: Server;
  private readonly listener: RuntimeApiListener;
  /** The runtime waiting for an event: a held GET /next, or our bootstrap on its private channel. */
  private heldNext: EventSender | undefined;
  private queued: RuntimeEvent | undefined;
  /** The request id delivered and not yet answered. */
  private current: string | undefined;
  private currentSink: ResponseSink | undefined;
  /** Bumped by resetSession: a streamed response from before a reset is dropped. */
  private session = 0;
  private port = 0;
  private mounted: ((req: IncomingMessage, res: ServerResponse) => boolean) | undefined;

  constructor(listener: RuntimeApiListener) {
    this.listener = listener;
    this.server = createServer({ keepAlive: true, noDelay: true }, (req, res) => this.route(req, res));
    // The runtime blocks on /next for as long as the environment lives (it may be frozen):
    // no server-side timeouts may cut it.
    this.server.requestTimeout = 0;
    this.server.headersTimeout = 0;
    this.server.keepAliveTimeout = 0;
    this.server.timeout = 0;
  }

  /** The other APIs on this port (Extensions, Telemetry, Logs): `handler` says whether it served the request. */
  mount(handler: (req: IncomingMessage, res: ServerResponse) => boolean): void {
    this.mounted = handler;
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(0, "127.0.0.1", () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return `127.0.0.1:${this.port}`;
  }

  /** Delivers an event now if the runtime is waiting on /next, otherwise on its next /next. */
  dispatch(event: RuntimeEvent): void {
    const held = this.heldNext;
    if (held !== undefined) {
      this.heldNext = undefined;
      this.handOver(held, event);
    } else {
      this.queued = event;
    }
  }

  /** True while the runtime is blocked on /next with nothing to give it. */
  get runtimeWaiting(): boolean {
    return this.heldNext !== undefined;
  }

  /** True if an event was dispatched but not yet handed to the runtime (the caller may take it back). */
  get hasQueuedEvent(): boolean {
    return this.queued !== undefined;
  }

  /** Forgets any event and answered state: used when the process is replaced after a reset. */
  resetSession(): Readonly<RuntimeEvent> | undefined {
    const q = this.queued;
    this.queued = undefined;
    this.current = undefined;
    this.currentSink = undefined;
    this.heldNext = undefined;
    this.session++;
    return q;
  }

  async close(): Promise<void> {
    this.heldNext = undefined;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private route(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? "";
    if (!url.startsWith(PREFIX)) {
      if (this.mounted?.(req, res)) return;
      return reply(res, 404, { errorMessage: "Not Found", errorType: "NotFound" });
    }
    const path = url.slice(PREFIX.length);
    if (req.method === "GET" && path === "invocation/next") {
      const send: EventSender = (event) => writeEvent(res, event);
      if (!this.awaitEvent(send)) return reply(res, 403, INVALID_TRANSITION);
      res.on("close", () => {
        if (this.heldNext === send) this.heldNext = undefined;
      });
      return;
    }
    if (req.method !== "POST") return reply(res, 405, { errorMessage: "Method Not Allowed", errorType: "MethodNotAllowed" });
    if (path === "init/error") {
      return readBody(req, MAX_RESPONSE_BYTES, (body) => {
        reply(res, 202, { status: "OK" });
        this.listener.onInitError(normaliseErrorType(header(req, "lambda-runtime-function-error-type")), body ?? Buffer.alloc(0));
      });
    }
    const m = /^invocation\/([^/]+)\/(response|error)$/.exec(path);
    if (m === null) return reply(res, 404, { errorMessage: "Not Found", errorType: "NotFound" });
    const requestId = decodeURIComponent(m[1]!);
    if (requestId !== this.current) {
      // RIE answers a stale, unknown or already-answered id the same way.
      req.resume();
      return reply(res, 400, { errorMessage: "Invalid request ID", errorType: "InvalidRequestID" });
    }
    const isResponse = m[2] === "response";
    const mode = header(req, "lambda-runtime-function-response-mode");
    if (isResponse && mode !== undefined) return this.streamedResponse(req, res, requestId, mode);
    readBody(req, MAX_RESPONSE_BYTES, (body) => {
      this.current = undefined;
      if (body === undefined) {
        reply(res, 413, {
          errorMessage: `Exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`,
          errorType: "RequestEntityTooLarge",
        });
        this.listener.onOutcome({ kind: "too-large", requestId });
        return;
      }
      reply(res, 202, { status: "OK" });
      if (isResponse) this.listener.onOutcome({ kind: "response", requestId, body });
      else {
        const errorType = normaliseErrorType(header(req, "lambda-runtime-function-error-type"));
        this.listener.onOutcome({ kind: "error", requestId, errorType, body });
      }
    });
  }

  /**
   * A streamed `/response` (aws-facts §2.1): chunks go to the invocation's sink as they arrive;
   * the 202 is sent once the stream has ended. Any mode but `streaming` is refused, as RIE does
   * (its message text is unconfirmed).
   */
  private streamedResponse(req: IncomingMessage, res: ServerResponse, requestId: string, mode: string): void {
    const sink = this.currentSink;
    this.current = undefined;
    this.currentSink = undefined;
    if (mode !== "streaming") {
      req.resume();
      reply(res, 400, { errorMessage: `Invalid function response mode: ${mode}`, errorType: "InvalidFunctionResponseMode" });
      const body = Buffer.from(JSON.stringify({ errorType: "Runtime.InvalidResponseModeHeader", errorMessage: `Invalid function response mode: ${mode}` }));
      return this.listener.onOutcome({ kind: "error", requestId, errorType: "Runtime.InvalidResponseModeHeader", body });
    }
    const session = this.session;
    const limits = { bufferLimit: MAX_RESPONSE_BYTES, streamLimit: MAX_STREAMED_RESPONSE_BYTES };
    readStreamedResponse(req, sink, limits, () => this.session === session, (outcome) => {
      reply(res, 202, { status: "OK" });
      if (outcome.kind === "too-large") this.listener.onOutcome({ kind: "too-large", requestId, limit: sink === undefined ? undefined : limits.streamLimit });
      else if (outcome.kind === "response") this.listener.onOutcome({ kind: "response", requestId, body: outcome.body });
      else this.listener.onOutcome({ kind: "error", requestId, errorType: normaliseErrorType(outcome.errorType), body: outcome.body });
    });
  }

  /**
   * The runtime asks for its next event (GET /next, or our bootstrap's private channel): handed
   * over now if one is queued, otherwise held until dispatch, and the environment may freeze.
   * Returns false if the runtime has not answered the current event yet (RIE rejects the state
   * transition).
   */
  awaitEvent(send: EventSender): boolean {
    if (this.current !== undefined) return false;
    const event = this.queued;
    if (event !== undefined) {
      this.queued = undefined;
      this.handOver(send, event);
      return true;
    }
    this.heldNext = send;
    this.listener.onReady();
    return true;
  }

  /**
   * The runtime's answer for `requestId`, from the private channel (the HTTP routes above check
   * the same things). False for a stale, unknown or already-answered id, as RIE's 400.
   */
  answer(outcome: RuntimeOutcome): boolean {
    if (outcome.requestId !== this.current) return false;
    this.current = undefined;
    this.currentSink = undefined;
    this.listener.onOutcome(outcome);
    return true;
  }

  /** An init error from the private channel (the HTTP route: POST /init/error). */
  initError(errorType: string, body: Buffer): void {
    this.listener.onInitError(normaliseErrorType(errorType), body);
  }

  private handOver(send: EventSender, event: RuntimeEvent): void {
    this.current = event.requestId;
    this.currentSink = event.responseSink;
    // Stamped before the write: on a busy machine the runtime may run (and its handler start its
    // timers) before the write returns, and Duration must not come out shorter than the handler.
    const at = stopwatch.now();
    send(event);
    this.listener.onDelivered(event.requestId, at);
  }
}

function writeEvent(res: ServerResponse, event: RuntimeEvent): void {
  const headers = invokeHeaders(event);
  headers["Content-Type"] = "application/json";
  headers["Content-Length"] = event.payload.length;
  res.writeHead(200, headers);
  res.end(event.payload);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Reads the whole body; calls back with undefined once it passes `limit` (the rest is discarded). */
export function readBody(req: IncomingMessage, limit: number, done: (body: Buffer | undefined) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  req.on("data", (c: Buffer) => {
    size += c.length;
    if (size > limit) over = true;
    else chunks.push(c);
  });
  req.on("end", () => done(over ? undefined : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
  // A runtime killed mid-request: its environment is already being reset; nothing to answer.
  req.on("error", () => {});
}

export function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}
