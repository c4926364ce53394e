import type { IncomingMessage, ServerResponse } from "node:http";
import type { TimerHandle } from "../clock/clock.ts";
import { stopwatch } from "../clock/stopwatch.ts";
import type { RegisteredExtension } from "./extensions-api.ts";
import { readBody, reply } from "./runtime-api-server.ts";

// node:http's CommonJS exports, not an ES import: see builtin-imports.test.ts (undici stays unloaded).
const { request } = process.getBuiltinModule("node:http");

export type TelemetryStream = "platform" | "function" | "extension";

/** One record as both APIs deliver it: `{ time, type, record }`. */
export interface TelemetryRecord {
  time: string;
  type: string;
  record: unknown;
}

/** A batch that could not be delivered, even on a new connection. */
export interface DroppedBatch {
  extension: string;
  api: "telemetry" | "logs";
  url: string;
  records: number;
  reason: string;
}

/**
 * A subscriber's buffer holds its maxBytes this many times over; past that its function and
 * extension records are dropped and counted, and a platform.logsDropped record says so once room
 * comes back (the Logs API guide's shape and reason). AWS drops what an extension does not keep
 * up with; its bound is undocumented (our choice), and platform records are never dropped here.
 */
const BUFFERED_BATCHES = 16;
const DROPPED_REASON = "Consumer seems to have fallen behind as it has not acknowledged receipt of logs.";

interface Limits {
  maxItems: [min: number, max: number, dflt: number];
  maxBytes: [min: number, max: number, dflt: number];
  timeoutMs: [min: number, max: number, dflt: number];
}

/**
 * The two subscription APIs and their buffering limits ("Telemetry API reference", "Logs API"):
 * the Logs API's default is 10,000 items, the Telemetry API's 1,000.
 */
const APIS = {
  "/2022-07-01/telemetry": { kind: "telemetry", limits: { maxItems: [1000, 10000, 1000], maxBytes: [262144, 1048576, 262144], timeoutMs: [25, 30000, 1000] } },
  "/2020-08-15/logs": { kind: "logs", limits: { maxItems: [1000, 10000, 10000], maxBytes: [262144, 1048576, 262144], timeoutMs: [25, 30000, 1000] } },
} as const satisfies Record<string, { kind: string; limits: Limits }>;

interface Subscription {
  extension: string;
  kind: "telemetry" | "logs";
  url: URL;
  types: Set<TelemetryStream>;
  maxItems: number;
  maxBytes: number;
  timeoutMs: number;
  buffer: TelemetryRecord[];
  /** Each buffered record's JSON size, and their sum. */
  sizes: number[];
  bytes: number;
  /** Records dropped since the last platform.logsDropped, and their bytes. */
  dropped: { records: number; bytes: number };
  timer: TimerHandle | undefined;
  sending: Promise<void> | undefined;
}

/**
 * Telemetry API (2022-07-01) and Logs API (2020-08-15) subscriptions of ONE environment's
 * extensions: records are buffered per subscriber and POSTed as a JSON array to the listener the
 * extension named, once `maxItems` or `maxBytes` is reached or `timeoutMs` has passed. The
 * sandbox's own host names (`sandbox`, `sandbox.localdomain`) are the environment's own loopback
 * address (sandbox-addresses.ts), as its /etc/hosts says, so each environment's listener on the
 * same port gets its own environment's records.
 */
export class TelemetryApi {
  private readonly subscriptions: Subscription[] = [];
  private readonly identify: (id: string | undefined) => RegisteredExtension | undefined;
  /** Records from before the first subscription (the Init phase's), replayed to each new subscriber. */
  private readonly early: { stream: TelemetryStream; telemetry?: TelemetryRecord; logs?: TelemetryRecord }[] = [];
  private subscribedOnce = false;
  private readonly onDropped: (failure: DroppedBatch) => void;
  /** The environment is gone (close()): what fails now was cut off by its end, not dropped. */
  private closed = false;
  /** What `sandbox` and `sandbox.localdomain` resolve to in this environment. */
  sandboxAddress = "127.0.0.1";

  /** `onDropped`: a batch could not be delivered (its listener gone, or not answering). */
  constructor(identify: (id: string | undefined) => RegisteredExtension | undefined, onDropped: (failure: DroppedBatch) => void) {
    this.identify = identify;
    this.onDropped = onDropped;
  }

  get active(): boolean {
    return this.subscriptions.length > 0;
  }

  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const path = (req.url ?? "").replace(/\/+$/, "");
    const api = APIS[path as keyof typeof APIS];
    if (api === undefined) return false;
    if (req.method !== "PUT") {
      req.resume();
      return reply(res, 405, { errorMessage: "Method Not Allowed", errorType: "MethodNotAllowed" }), true;
    }
    const extension = this.identify(headerOf(req, "lambda-extension-identifier"));
    readBody(req, 1024 * 1024, (body) => {
      if (extension === undefined) return reply(res, 403, { errorMessage: "Missing or invalid Lambda-Extension-Identifier", errorType: "Extension.InvalidExtensionIdentifier" });
      const parsed = parseSubscription(body, api.limits);
      if (typeof parsed === "string") return reply(res, 400, { errorMessage: parsed, errorType: "ValidationError" });
      const sub: Subscription = { extension: extension.name, kind: api.kind, ...parsed, buffer: [], sizes: [], bytes: 0, dropped: { records: 0, bytes: 0 }, timer: undefined, sending: undefined };
      const existing = this.subscriptions.findIndex((s) => s.extension === sub.extension && s.kind === sub.kind);
      if (existing >= 0) this.subscriptions.splice(existing, 1);
      this.subscriptions.push(sub);
      res.writeHead(200, { "Content-Type": "text/plain", "Content-Length": 2 });
      res.end("OK");
      for (const e of this.early) {
        const r = sub.kind === "telemetry" ? e.telemetry : e.logs;
        if (r !== undefined && sub.types.has(e.stream)) this.enqueue(sub, r);
      }
      this.subscribedOnce = true;
      const record = { name: sub.extension, state: "Subscribed", types: [...sub.types] };
      if (sub.kind === "telemetry") this.record("platform", "platform.telemetrySubscription", record);
      else this.record("platform", "platform.logsSubscription", undefined, record);
    });
    return true;
  }

  /**
   * One record for each API's subscribers to `stream`: `telemetryRecord` for Telemetry API ones,
   * `logsRecord` for Logs API ones (undefined: that API has no such record).
   */
  record(stream: TelemetryStream, type: string, telemetryRecord: unknown, logsRecord?: unknown, logsType = type): void {
    const time = new Date(stopwatch.epochNow()).toISOString();
    const telemetry = telemetryRecord === undefined ? undefined : { time, type, record: telemetryRecord };
    const logs = logsRecord === undefined ? undefined : { time, type: logsType, record: logsRecord };
    // Bounded: a function that logs without anyone subscribing keeps nothing past its Init.
    if (!this.subscribedOnce && this.early.length < 1000) this.early.push({ stream, telemetry, logs });
    for (const s of this.subscriptions) {
      if (!s.types.has(stream)) continue;
      const r = s.kind === "telemetry" ? telemetry : logs;
      if (r !== undefined) this.enqueue(s, r, stream !== "platform");
    }
  }

  /** Sends what is buffered now (before SHUTDOWN), and waits for it to be delivered. */
  async flush(): Promise<void> {
    await Promise.all(
      this.subscriptions.map(async (s) => {
        while (s.buffer.length > 0 || s.sending !== undefined) await this.send(s);
      }),
    );
  }

  close(): void {
    this.closed = true;
    for (const s of this.subscriptions) s.timer?.cancel();
    this.subscriptions.length = 0;
  }

  private enqueue(s: Subscription, r: TelemetryRecord, droppable = false): void {
    const size = Buffer.byteLength(JSON.stringify(r));
    if (droppable && s.bytes + size > s.maxBytes * BUFFERED_BATCHES) {
      s.dropped.records++;
      s.dropped.bytes += size;
      return;
    }
    s.buffer.push(r);
    s.sizes.push(size);
    s.bytes += size;
    this.schedule(s);
  }

  /** A full buffer goes now; otherwise when the subscription's timeout has passed. */
  private schedule(s: Subscription): void {
    if (s.buffer.length === 0) return;
    if (s.buffer.length >= s.maxItems || s.bytes >= s.maxBytes) void this.send(s);
    else s.timer ??= stopwatch.after(s.timeoutMs, () => void this.send(s));
  }

  /**
   * The next batch: at most the subscription's maxItems records and maxBytes bytes (one record at
   * least, whatever its size), as the Telemetry API's buffering configuration bounds each POST.
   */
  private takeBatch(s: Subscription): TelemetryRecord[] {
    let n = 0;
    let bytes = 0;
    while (n < s.buffer.length && n < s.maxItems && (n === 0 || bytes + s.sizes[n]! <= s.maxBytes)) bytes += s.sizes[n++]!;
    s.sizes.splice(0, n);
    s.bytes -= bytes;
    const batch = s.buffer.splice(0, n);
    if (s.dropped.records > 0 && s.types.has("platform")) {
      // Room again: the subscriber hears what it missed, after what was kept before it.
      const record = { reason: DROPPED_REASON, droppedRecords: s.dropped.records, droppedBytes: s.dropped.bytes };
      s.dropped = { records: 0, bytes: 0 };
      // Buffered, not scheduled: send() goes on to post this batch, and schedules the next after it.
      const r = { time: new Date(stopwatch.epochNow()).toISOString(), type: "platform.logsDropped", record };
      const size = Buffer.byteLength(JSON.stringify(r));
      s.buffer.push(r);
      s.sizes.push(size);
      s.bytes += size;
    }
    return batch;
  }

  private async send(s: Subscription): Promise<void> {
    s.timer?.cancel();
    s.timer = undefined;
    // Another send may take the buffer while this one waits (a full buffer, the timer): wait for
    // that batch's delivery too, so flush() (before SHUTDOWN) resolves only once every record
    // buffered before it has been delivered, not while the last batch is still on its way.
    while (s.sending !== undefined) await s.sending;
    if (s.buffer.length === 0) return;
    const batch = this.takeBatch(s);
    s.sending = post(s.url, this.sandboxAddress, JSON.stringify(batch)).then((reason) => {
      s.sending = undefined;
      if (reason !== undefined && !this.closed) this.onDropped({ extension: s.extension, api: s.kind, url: s.url.href, records: batch.length, reason });
    });
    await s.sending;
    // What came meanwhile, or did not fit this batch: the next batch, now if full.
    if (!this.closed) this.schedule(s);
  }
}

function parseSubscription(body: Buffer | undefined, limits: Limits): Omit<Subscription, "extension" | "kind" | "buffer" | "sizes" | "bytes" | "dropped" | "timer" | "sending"> | string {
  let input: any;
  try {
    input = JSON.parse((body ?? Buffer.alloc(0)).toString("utf8"));
  } catch {
    return "Invalid request body: not JSON";
  }
  const destination = input?.destination;
  // lambda-sim delivers over HTTP only; TCP destinations are refused, saying so.
  if (destination?.protocol !== "HTTP") return `destination.protocol must be HTTP (lambda-sim does not deliver over ${destination?.protocol ?? "nothing"})`;
  let url: URL;
  try {
    url = new URL(destination.URI);
  } catch {
    return "destination.URI must be an http:// URL";
  }
  const types = input.types;
  if (!Array.isArray(types) || types.length === 0 || types.some((t: unknown) => t !== "platform" && t !== "function" && t !== "extension")) {
    return "types must be a non-empty list of platform, function and extension";
  }
  const b = input.buffering ?? {};
  const out = { url, types: new Set<TelemetryStream>(types), maxItems: 0, maxBytes: 0, timeoutMs: 0 };
  for (const key of ["maxItems", "maxBytes", "timeoutMs"] as const) {
    const [min, max, dflt] = limits[key];
    const v = b[key] ?? dflt;
    if (!Number.isInteger(v) || v < min || v > max) return `buffering.${key} must be an integer between ${min} and ${max}`;
    out[key] = v;
  }
  return out;
}

/**
 * POSTs one batch; resolves with why it was not delivered, if it was not. A listener that is gone
 * loses it, as on AWS (delivery is best effort). A kept-alive connection the listener closed while
 * idle fails before any answer: its keep-alive timeout ran late, with the environment frozen after
 * the request was written (the timer runs before the read on the thaw), or raced the request. The
 * batch never reached the listener, so it is sent again once on a new connection, as HTTP clients
 * do for a request on a stale kept-alive socket (Node's `request.reusedSocket`).
 */
function post(url: URL, sandboxAddress: string, body: string, fresh = false): Promise<string | undefined> {
  const loopback = url.hostname === "sandbox" || url.hostname === "sandbox.localdomain" ? sandboxAddress : url.hostname;
  return new Promise((resolve) => {
    let answered = false;
    const options = { host: loopback, port: url.port || 80, path: url.pathname + url.search, method: "POST", headers: { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) } };
    const req = request(fresh ? { ...options, agent: false } : options, (res) => {
      answered = true;
      res.resume();
      res.on("end", () => resolve(undefined));
      res.on("error", (e) => resolve(e.message));
    });
    req.on("error", (e) => {
      if (!answered && !fresh && req.reusedSocket) resolve(post(url, sandboxAddress, body, true));
      else resolve(e.message);
    });
    req.end(body);
  });
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
