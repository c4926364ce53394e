import type { IncomingMessage, ServerResponse } from "node:http";
import { stopwatch } from "../clock/stopwatch.ts";
import type { RegisteredExtension } from "./extensions-api.ts";
import { readBody, reply } from "./runtime-api-server.ts";
import { postBatch } from "./telemetry-post.ts";
import { droppable, logBytes, parseSubscription, SUBSCRIPTION_APIS, type Subscription, type TelemetryRecord, type TelemetryStream } from "./telemetry-subscription.ts";

export type { TelemetryRecord, TelemetryStream } from "./telemetry-subscription.ts";

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
/** Room kept in the Shutdown phase's last batch for its platform.logsDropped record (~170 bytes). */
const LOGS_DROPPED_ROOM = 512;

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
  /** Subscriptions an extension replaced by subscribing again: they still send what they held, until their process ends. */
  private readonly superseded: Subscription[] = [];
  private readonly identify: (id: string | undefined) => RegisteredExtension | undefined;
  /**
   * Records from before the first subscription of the extension processes now running (their
   * Init's), replayed to each new subscriber: AWS's extensions subscribe during their Init
   * (Telemetry API guide, "Sending a subscription request"), after its platform.initStart, and
   * get it all the same. Started again when those processes are killed (unsubscribeAll).
   */
  private readonly early: { stream: TelemetryStream; telemetry?: TelemetryRecord; logs?: TelemetryRecord }[] = [];
  private subscribedOnce = false;
  private readonly onDropped: (failure: DroppedBatch) => void;
  /** The environment is gone (close()): what fails now was cut off by its end, not dropped. */
  private closed = false;
  /** What `sandbox` and `sandbox.localdomain` resolve to in this environment. */
  sandboxAddress = "127.0.0.1";

  /** The simulator's endpoint: refused as a destination (telemetry-subscription.ts). */
  private readonly endpoint: string | undefined;

  /** `onDropped`: a batch could not be delivered (its listener gone, or not answering). */
  constructor(identify: (id: string | undefined) => RegisteredExtension | undefined, onDropped: (failure: DroppedBatch) => void, endpoint?: string) {
    this.identify = identify;
    this.onDropped = onDropped;
    this.endpoint = endpoint;
  }

  get active(): boolean {
    return this.subscriptions.length > 0;
  }

  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const path = (req.url ?? "").replace(/\/+$/, "");
    const api = SUBSCRIPTION_APIS[path as keyof typeof SUBSCRIPTION_APIS];
    if (api === undefined) return false;
    if (req.method !== "PUT") {
      req.resume();
      return reply(res, 405, { errorMessage: "Method Not Allowed", errorType: "MethodNotAllowed" }), true;
    }
    readBody(req, 1024 * 1024, (body) => {
      // Known once the body is in: an extension killed meanwhile (its registration forgotten) subscribes nothing.
      const extension = this.closed ? undefined : this.identify(headerOf(req, "lambda-extension-identifier"));
      if (extension === undefined) return reply(res, 403, { errorMessage: "Missing or invalid Lambda-Extension-Identifier", errorType: "Extension.InvalidExtensionIdentifier" });
      const sub = parseSubscription(extension.name, api.kind, body, api.limits, this.endpoint);
      if (typeof sub === "string") return reply(res, 400, { errorMessage: sub, errorType: "ValidationError" });
      const existing = this.subscriptions.findIndex((s) => s.extension === sub.extension && s.kind === sub.kind);
      if (existing >= 0) {
        // Those that have sent all they held are done: a listener that subscribes again and again keeps no list growing.
        for (let i = this.superseded.length - 1; i >= 0; i--) if (this.superseded[i]!.buffer.length === 0 && this.superseded[i]!.sending === undefined) this.superseded.splice(i, 1);
        this.superseded.push(...this.subscriptions.splice(existing, 1));
      }
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

  /**
   * The Shutdown phase's delivery of what is buffered, before SHUTDOWN: batch after batch (one
   * on its way per subscriber) until `lastCallMs`; from then, what would not fit one more batch is
   * dropped and counted, and that last batch tells it (platform.logsDropped). Resolves once every
   * subscriber's backlog is delivered. The caller bounds the wait (extension-host.ts shutdown()).
   */
  async flush(lastCallMs: number): Promise<void> {
    // A replaced subscription delivers what it still holds too, before its process ends.
    await Promise.all([...this.subscriptions, ...this.superseded].map((s) => this.drain(s, lastCallMs)));
  }

  /**
   * The extension processes were killed (a reset, a suppressed init's retry, a retirement): their
   * subscriptions end with them, what they had not been sent yet with them. The extensions started
   * next subscribe again during their Init; what comes meanwhile is kept for them, as a first
   * Init's records are for its first subscriber (`early`). AWS: "If the telemetry listener
   * crashes, then it continues to receive telemetry after Lambda restarts the execution
   * environment" (Telemetry API guide, "Specifying a destination protocol"); what was kept for the
   * killed processes (the records they had all heard, from their Init on) is not replayed.
   */
  unsubscribeAll(): void {
    for (const s of [...this.subscriptions, ...this.superseded]) this.end(s);
    this.subscriptions.length = 0;
    this.superseded.length = 0;
    if (!this.subscribedOnce) return;
    this.subscribedOnce = false;
    this.early.length = 0;
  }

  close(): void {
    this.closed = true;
    this.unsubscribeAll();
  }

  /** A subscription is over: its batch on its way ends (nothing waits on a gone listener), and no other goes. */
  private end(s: Subscription): void {
    s.ended.abort();
    s.timer?.cancel();
    s.timer = undefined;
  }

  private async drain(s: Subscription, lastCallMs: number): Promise<void> {
    s.draining = true;
    s.timer?.cancel();
    s.timer = undefined;
    try {
      for (;;) {
        if (s.sending !== undefined) await s.sending;
        if (this.closed || s.ended.signal.aborted || s.buffer.length === 0) return;
        if (stopwatch.epochNow() >= lastCallMs) this.lastCall(s);
        this.send(s);
      }
    } finally {
      s.draining = false;
    }
  }

  /** Keeps what fits one batch: every platform record, then function and extension records in order. */
  private lastCall(s: Subscription): void {
    const tells = s.types.has("platform");
    let items = s.maxItems - (tells ? 1 : 0);
    let room = s.maxBytes - (tells ? LOGS_DROPPED_ROOM : 0);
    for (let i = 0; i < s.buffer.length; i++) {
      if (droppable(s.buffer[i]!)) continue;
      items--;
      room -= s.sizes[i]!;
    }
    const buffer: TelemetryRecord[] = [];
    const sizes: number[] = [];
    for (let i = 0; i < s.buffer.length; i++) {
      const r = s.buffer[i]!;
      const size = s.sizes[i]!;
      if (droppable(r)) {
        if (items <= 0 || size > room) {
          this.drop(s, r);
          continue;
        }
        items--;
        room -= size;
      }
      buffer.push(r);
      sizes.push(size);
    }
    s.buffer = buffer;
    s.sizes = sizes;
    s.bytes = sizes.reduce((n, b) => n + b, 0);
    this.tellDropped(s);
  }

  private enqueue(s: Subscription, r: TelemetryRecord, mayDrop = false): void {
    const size = Buffer.byteLength(JSON.stringify(r));
    if (mayDrop && s.bytes + size > s.maxBytes * BUFFERED_BATCHES) return this.drop(s, r);
    s.buffer.push(r);
    s.sizes.push(size);
    s.bytes += size;
    this.schedule(s);
  }

  /**
   * A record the subscriber will not get, counted for its next platform.logsDropped. One that did
   * not subscribe to `platform` never hears of it (AWS tells drops only as that platform record):
   * the console says so once instead, and nothing is counted for it.
   */
  private drop(s: Subscription, r: TelemetryRecord): void {
    if (s.types.has("platform")) {
      s.dropped.records++;
      s.dropped.bytes += logBytes(r);
    } else if (!s.dropsWarned && !this.closed) {
      s.dropsWarned = true;
      const reason = `it falls behind and takes no platform records, so no platform.logsDropped tells it; this is said once`;
      this.onDropped({ extension: s.extension, api: s.kind, url: s.url.href, records: 1, reason });
    }
  }

  /** Buffers the platform.logsDropped record for what was dropped since the last one. */
  private tellDropped(s: Subscription): void {
    if (s.dropped.records === 0) return;
    const record = { reason: DROPPED_REASON, droppedRecords: s.dropped.records, droppedBytes: s.dropped.bytes };
    s.dropped = { records: 0, bytes: 0 };
    const r = { time: new Date(stopwatch.epochNow()).toISOString(), type: "platform.logsDropped", record };
    const size = Buffer.byteLength(JSON.stringify(r));
    s.buffer.push(r);
    s.sizes.push(size);
    s.bytes += size;
  }

  /**
   * A full buffer goes now; otherwise when the subscription's timeout has passed. One send at a
   * time: while a batch is on its way, its completion schedules the next (not one send per record).
   */
  private schedule(s: Subscription): void {
    if (s.buffer.length === 0 || s.sending !== undefined || s.draining || this.closed || s.ended.signal.aborted) return;
    if (s.buffer.length >= s.maxItems || s.bytes >= s.maxBytes) this.send(s);
    else s.timer ??= stopwatch.after(s.timeoutMs, () => this.send(s));
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
    // Room again: the subscriber hears what it missed, after what was kept before it (next batch).
    this.tellDropped(s);
    return batch;
  }

  /** Posts the next batch, unless one is on its way (its completion schedules the next). */
  private send(s: Subscription): void {
    s.timer?.cancel();
    s.timer = undefined;
    if (s.sending !== undefined || s.buffer.length === 0 || this.closed || s.ended.signal.aborted) return;
    const batch = this.takeBatch(s);
    s.sending = postBatch(s.url, this.sandboxAddress, JSON.stringify(batch), s.ended.signal).then((reason) => {
      s.sending = undefined;
      // Cut off by its end (its process killed, or the environment gone), not dropped.
      if (reason !== undefined && !this.closed && !s.ended.signal.aborted) this.onDropped({ extension: s.extension, api: s.kind, url: s.url.href, records: batch.length, reason });
      // What came meanwhile, or did not fit this batch: the next batch, now if full.
      this.schedule(s);
    });
  }
}
function headerOf(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
