// @ts-check
// The bootstrap's side of lambda-sim's private channel (packages/core/src/runtime/runtime-channel.ts
// describes the frames): the Runtime API's exchanges as framed messages on two inherited sockets,
// events read from one and answers written to the other,
// with the same methods as RuntimeApiClient. Reads and writes are synchronous on purpose: while the
// bootstrap waits for its next event the whole JavaScript thread is blocked in read(2), so work the
// handler left running (timers, promises) pauses at once between invocations, as a frozen
// environment's does, before the simulator's SIGSTOP also stops any threads and child processes.

const { fstatSync, readSync, writeSync } = /** @type {typeof import("node:fs")} */ (process.getBuiltinModule("node:fs"));

const PREFIX_BYTES = 8;

/** V8's view of the memory it holds can grow this much before the peak is read again (bytes). */
const PEAK_READ_GROWTH = 1024 * 1024;
/** ...and the peak is read at least this often while invocations come (ms). */
const PEAK_READ_EVERY_MS = 100;
let peakKb = 0;
let memoryAtRead = 0;
let readAt = Number.NEGATIVE_INFINITY;
/** @type {typeof import("node:v8").getHeapStatistics | undefined} */
let heapStatistics;

/**
 * This process's peak resident set in kB (getrusage's ru_maxrss, /proc's VmHWM): sent with each
 * answer, it is REPORT's "Max Memory Used" without the simulator reading /proc per invocation.
 * The getrusage(2) behind it costs more than the rest of a no-op answer, so it is read again only
 * when V8's own account of its heap, external (Buffers) and malloced memory, which takes no system
 * call, has grown by PEAK_READ_GROWTH since the last reading, or PEAK_READ_EVERY_MS after it. Our
 * choice: memory that only native code takes shows in REPORT within that time, not at once.
 */
function peakMemoryKb() {
  heapStatistics ??= /** @type {typeof import("node:v8")} */ (process.getBuiltinModule("node:v8")).getHeapStatistics;
  const h = heapStatistics();
  const memory = h.total_physical_size + h.external_memory + h.malloced_memory;
  const now = performance.now();
  if (memory - memoryAtRead >= PEAK_READ_GROWTH || now - readAt >= PEAK_READ_EVERY_MS) {
    peakKb = process.resourceUsage().maxRSS;
    memoryAtRead = memory;
    readAt = now;
  }
  return peakKb;
}

export class RuntimeChannelClient {
  /**
   * The channel the private variable (`events,answers`: two fd numbers) names, if both are still
   * its sockets: an AWS_LAMBDA_EXEC_WRAPPER script may have closed or reused them, and HTTP then
   * serves instead.
   * @param {string | undefined} fds
   */
  static open(fds) {
    const [events, answers] = (fds ?? "").split(",").map(Number);
    try {
      return fstatSync(events).isSocket() && fstatSync(answers).isSocket() ? new RuntimeChannelClient(events, answers) : undefined;
    } catch {
      return undefined;
    }
  }

  /** @param {number} fd the events' file descriptor @param {number} answerFd the answers' */
  constructor(fd, answerFd) {
    this.fd = fd;
    this.answerFd = answerFd;
    /** The last answer also asked for the next event. */
    this.asked = false;
    this.buffer = Buffer.allocUnsafe(64 * 1024);
    this.filled = 0;
  }

  /**
   * Blocks (the whole thread) until the next event, after one more turn of the event loop: the
   * timers and I/O callbacks that came due meanwhile run first, as they would while a runtime
   * waits for its HTTP answers (without it, a handler that never yields to the loop would starve
   * its own un-awaited work for good).
   * @returns {Promise<import("./runtime-api-client.mjs").Invocation>}
   */
  next() {
    return new Promise((resolve, reject) => {
      setImmediate(() => {
        try {
          if (!this.asked) this.write({ t: "next" }, "");
          this.asked = false;
          const { header, body } = this.read();
          resolve({ headers: header, body });
        } catch (error) {
          reject(error);
        }
      });
    });
  }

  /**
   * @param {string} id @param {string} json the serialised result
   * @param {boolean} [thenNext] the caller asks for its next event right after: the answer says so
   *   and needs no acknowledgement
   */
  postResponse(id, json, thenNext = false) {
    return this.answer({ t: "response", id, next: thenNext, m: peakMemoryKb() }, json, thenNext);
  }

  /** @param {string} id @param {import("./runtime-api-client.mjs").RapidError} error @param {boolean} [thenNext] */
  postError(id, error, thenNext = false) {
    return this.answer({ t: "error", id, errorType: error.errorType, next: thenNext, m: peakMemoryKb() }, JSON.stringify(error), thenNext);
  }

  /** @param {import("./runtime-api-client.mjs").RapidError} error */
  postInitError(error) {
    return this.answer({ t: "init-error", errorType: error.errorType }, JSON.stringify(error), false);
  }

  /** @param {object} header @param {string} body @param {boolean} thenNext @returns {Promise<number>} */
  answer(header, body, thenNext) {
    try {
      this.write(header, body);
      this.asked = thenNext;
      // Wait until the simulator has recorded it: the caller may exit next.
      if (!thenNext) this.read();
      return Promise.resolve(202);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** One buffer, both strings encoded straight into it. @param {object} header @param {string} body */
  write(header, body) {
    const head = JSON.stringify(header);
    const headLength = Buffer.byteLength(head);
    const bodyLength = Buffer.byteLength(body);
    const frame = Buffer.allocUnsafe(PREFIX_BYTES + headLength + bodyLength);
    frame.writeUInt32BE(headLength, 0);
    frame.writeUInt32BE(bodyLength, 4);
    frame.write(head, PREFIX_BYTES);
    frame.write(body, PREFIX_BYTES + headLength);
    for (let off = 0; off < frame.length; ) off += writeSync(this.answerFd, frame, off, frame.length - off);
  }

  /** Reads one frame; its body decoded as UTF-8 (events and environments are JSON). @returns {{ header: Record<string, string>, body: string }} */
  read() {
    this.fill(PREFIX_BYTES);
    const headerLength = this.buffer.readUInt32BE(0);
    const end = PREFIX_BYTES + headerLength + this.buffer.readUInt32BE(4);
    this.fill(end);
    const header = JSON.parse(this.buffer.toString("utf8", PREFIX_BYTES, PREFIX_BYTES + headerLength));
    const body = this.buffer.toString("utf8", PREFIX_BYTES + headerLength, end);
    // The simulator sends one frame and waits for the answer, so nothing follows it in the buffer.
    this.buffer.copy(this.buffer, 0, end, this.filled);
    this.filled -= end;
    return { header, body };
  }

  /** Reads until the buffer holds at least `size` bytes. @param {number} size */
  fill(size) {
    if (size > this.buffer.length) {
      const bigger = Buffer.allocUnsafe(Math.max(size, this.buffer.length * 2));
      this.buffer.copy(bigger, 0, 0, this.filled);
      this.buffer = bigger;
    }
    while (this.filled < size) {
      const n = readSync(this.fd, this.buffer, this.filled, this.buffer.length - this.filled, null);
      if (n === 0) throw new Error("lambda-sim closed the runtime channel");
      this.filled += n;
    }
  }
}
