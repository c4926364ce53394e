import type { Duplex } from "node:stream";
import { busyPoll } from "../clock/busy-poll.ts";
import type { RuntimeApiServer } from "./runtime-api-server.ts";
import { deadlineMs, MAX_RESPONSE_BYTES, normaliseErrorType, type RuntimeEvent } from "./runtime-contract.ts";

/**
 * The private channel between the simulator and OUR bootstraps (Node, Python): the Runtime API's
 * exchanges as framed messages on two socket pairs the process inherits, instead of three HTTP
 * exchanges per invocation: events arrive on fd 3, answers leave on fd 4. The handler never sees
 * them: the bootstrap reads the fd numbers from a private variable (`3,4`) and removes it before
 * user code loads, and AWS_LAMBDA_RUNTIME_API keeps answering for code that calls it (the Runtime
 * API server holds the one protocol state both use).
 *
 * One socket per direction, because the runtime waits for its next event blocked in read(2): on a
 * single socket, the simulator reading an answer frees the runtime's send buffer, and Linux then
 * wakes every sleeper on that socket (unix_write_space), the runtime's blocked read included, for
 * nothing. Measured: about two invocations in three woke the runtime a second time so, and the
 * simulator's read(2) paid for the wake-up on the answer's critical path.
 *
 * A frame is `u32 header length, u32 body length` (big-endian), the header as JSON, the body.
 *   simulator → runtime   { "lambda-runtime-aws-request-id": …, … }  the invoke headers, lower-case, as on HTTP; body = event
 *   runtime → simulator   { "t": "next" }                             GET /invocation/next
 *                         { "t": "response", "id", "next"?, "m"? }    POST /invocation/{id}/response (+ next: and waits for the next event)
 *                         { "t": "error", "id", "errorType", "next"?, "m"? } POST /invocation/{id}/error
 *                         { "t": "init-error", "errorType" }          POST /init/error
 *   simulator → pooled sandbox  { "cwd": … }, body = the function's environment as JSON
 *                         once, first: the function a pre-started sandbox is to serve (sandbox-pool.ts)
 * `m` is the runtime process's peak resident set in kB (getrusage's ru_maxrss, what /proc's VmHWM
 * reads), taken by the bootstrap as it answers: "Max Memory Used" without a /proc read per
 * invocation in the simulator (sandbox-process.ts). The Node bootstrap sends it; the Python one
 * does not (importing `resource` costs about 0.5 ms of every cold start), so /proc serves it.
 * An answer that asks for the next event gets no acknowledgement (RIE's 202 carries nothing); any
 * other answer, and an init error, gets an empty frame once recorded, so a runtime that reports
 * and then exits (an uncaught exception, a failed init) is heard before its exit is.
 */
export const RUNTIME_CHANNEL_FD = 3;
/** The fd the runtime writes its answers to. */
export const RUNTIME_ANSWER_FD = 4;
/** The variable that tells our bootstrap its channel's fds, `events,answers` (removed before user code runs). */
export const RUNTIME_CHANNEL_VARIABLE = "_LAMBDA_SIM_RUNTIME_FD";

const PREFIX_BYTES = 8;
const ACK = frame("{}", Buffer.alloc(0));

interface RuntimeFrame {
  t: "next" | "response" | "error" | "init-error";
  id?: string;
  errorType?: string;
  next?: boolean;
  /** Peak RSS in kB, on answers. */
  m?: number;
}

/**
 * Encodes one event as a frame: the invoke headers (lower-case, as node:http hands them, strings)
 * and the payload. The header JSON is written out directly: the same fields as invokeHeaders(),
 * without building and lower-casing an object per invocation on the hot path.
 */
export function encodeEvent(event: RuntimeEvent): Buffer {
  let header =
    `{"lambda-runtime-aws-request-id":${JSON.stringify(event.requestId)},` +
    `"lambda-runtime-deadline-ms":"${deadlineMs(event)}",` +
    `"lambda-runtime-invoked-function-arn":${JSON.stringify(event.invokedFunctionArn)},` +
    `"lambda-runtime-trace-id":${JSON.stringify(event.traceId)}`;
  if (event.clientContext) header += `,"lambda-runtime-client-context":${JSON.stringify(event.clientContext)}`;
  if (event.cognitoIdentity) header += `,"lambda-runtime-cognito-identity":${JSON.stringify(event.cognitoIdentity)}`;
  return frame(`${header}}`, event.payload);
}

/** The frame that specialises a pooled sandbox: its code directory and its complete environment. */
export function specialisationFrame(cwd: string, env: Record<string, string>): Buffer {
  return frame(JSON.stringify({ cwd }), Buffer.from(JSON.stringify(env)));
}

/** One buffer, the header encoded straight into it: one allocation and one write(2) per frame. */
function frame(header: string, body: Buffer): Buffer {
  const headerBytes = Buffer.byteLength(header);
  const out = Buffer.allocUnsafe(PREFIX_BYTES + headerBytes + body.length);
  out.writeUInt32BE(headerBytes, 0);
  out.writeUInt32BE(body.length, 4);
  out.write(header, PREFIX_BYTES);
  body.copy(out, PREFIX_BYTES + headerBytes);
  return out;
}

/** The simulator's ends of a runtime's channel: it writes events to one and reads answers from the other. */
export interface ChannelSockets {
  events: Duplex;
  answers: Duplex;
}

/** Serves one runtime process's channel, feeding the environment's RuntimeApiServer. */
export class RuntimeChannel {
  private readonly events: Duplex;
  private readonly answers: Duplex;
  private readonly api: RuntimeApiServer;
  private readonly send = (event: RuntimeEvent) => {
    this.events.write(encodeEvent(event));
    if (!this.working) busyPoll.runtimeWorking(1);
    this.working = true;
    // The runtime's answer is due in tens of µs.
    busyPoll.expect();
  };
  /** The runtime holds an event: from its write until the runtime's next frame (or the channel's end). */
  private working = false;
  /** The runtime has spoken on the channel (a wrapper that closed its fd leaves it on HTTP). */
  inUse = false;
  /** Bytes received and not yet parsed, and how many bytes the frame they start needs. */
  private chunks: Buffer[] = [];
  private received = 0;
  private needed = PREFIX_BYTES;

  constructor(sockets: ChannelSockets, api: RuntimeApiServer) {
    this.events = sockets.events;
    this.answers = sockets.answers;
    this.api = api;
    this.answers.on("data", (chunk: Buffer) => this.receive(chunk));
    // The process died or was killed: its environment already handles the exit.
    this.events.on("error", () => {});
    this.answers.on("error", () => {});
    this.answers.on("close", () => this.idle());
  }

  close(): void {
    this.idle();
    this.events.destroy();
    this.answers.destroy();
  }

  private idle(): void {
    if (this.working) busyPoll.runtimeWorking(-1);
    this.working = false;
  }

  /** Gathers chunks until a whole frame is there (a large response arrives in many), then parses. */
  private receive(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.received += chunk.length;
    while (this.received >= this.needed) {
      const data = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.received);
      this.chunks = [data];
      if (this.needed === PREFIX_BYTES) {
        this.needed = PREFIX_BYTES + data.readUInt32BE(0) + data.readUInt32BE(4);
        continue;
      }
      const headerEnd = PREFIX_BYTES + data.readUInt32BE(0);
      const end = this.needed;
      const header = JSON.parse(data.toString("utf8", PREFIX_BYTES, headerEnd)) as RuntimeFrame;
      const rest = data.subarray(end);
      this.chunks = rest.length === 0 ? [] : [rest];
      this.received = rest.length;
      this.needed = PREFIX_BYTES;
      // A copy: the body outlives the chunk it arrived in (it becomes the invocation's result).
      this.onFrame(header, Buffer.from(data.subarray(headerEnd, end)));
    }
  }

  private onFrame(frame: RuntimeFrame, body: Buffer): void {
    this.inUse = true;
    // Whatever it says (an answer, or a next after a response streamed over HTTP), it is done.
    this.idle();
    if (frame.t === "init-error") {
      this.api.initError(frame.errorType ?? "", body);
      this.events.write(ACK);
      return;
    }
    if (frame.t === "response" || frame.t === "error") {
      const requestId = frame.id ?? "";
      // What the HTTP route answers with 413 and records as Function.ResponseSizeTooLarge.
      if (body.length > MAX_RESPONSE_BYTES) this.api.answer({ kind: "too-large", requestId });
      else if (frame.t === "response") this.api.answer({ kind: "response", requestId, body, peakMemoryKb: frame.m });
      else this.api.answer({ kind: "error", requestId, errorType: normaliseErrorType(frame.errorType), body, peakMemoryKb: frame.m });
      if (frame.next !== true) {
        this.events.write(ACK);
        return;
      }
    }
    // Our bootstraps never ask twice before answering; if one did, it would wait forever, as a
    // runtime does after RIE's 403.
    this.api.awaitEvent(this.send);
  }
}
