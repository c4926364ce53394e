import PQueue from "p-queue";
import type { Store } from "../store/store.ts";
import type { Clock } from "../clock/clock.ts";
import type { Telemetry } from "../telemetry/telemetry.ts";
import { isAwsError } from "../errors/aws-error.ts";

export interface AsyncEvent {
  requestId: string;
  functionName: string;
  qualifier?: string;
  payload: Buffer;
  enqueuedAt: number;
}

/** Runs one stored event (the Invoker's synchronous path under the event's request id). */
export type AsyncRunner = (event: AsyncEvent) => Promise<unknown>;

/** Default MaximumEventAgeInSeconds: 21,600 s (aws-facts §5). */
const MAX_EVENT_AGE_MS = 21_600_000;
/** How many stored events run at once; the governor (concurrency issue) bounds it further. */
const DEFAULT_CONCURRENCY = 64;

/**
 * The durable queue of Event invocations (DESIGN.md `AsyncQueue`). An event is in SQLite before
 * Invoke answers 202, and leaves it only after it ran, so a crash between the two runs it again
 * after a restart (at least once). Here every event runs once; AWS's retries, event age and
 * destinations come with the asynchronous-invocation issue.
 */
export class AsyncQueue {
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly telemetry: Telemetry;
  private readonly queue: PQueue;
  private runner: AsyncRunner | undefined;
  private readonly insert;
  private readonly remove;

  constructor(store: Store, clock: Clock, telemetry: Telemetry, concurrency = DEFAULT_CONCURRENCY) {
    this.store = store;
    this.clock = clock;
    this.telemetry = telemetry;
    this.queue = new PQueue({ concurrency });
    this.insert = store.db.prepare(
      "INSERT INTO async_events (request_id, function_name, qualifier, payload, enqueued_at) VALUES (?, ?, ?, ?, ?)",
    );
    this.remove = store.db.prepare("DELETE FROM async_events WHERE request_id = ?");
  }

  /** Starts running events, first those left over from before a restart. */
  start(runner: AsyncRunner): void {
    this.runner = runner;
    const rows = this.store.db
      .prepare("SELECT request_id, function_name, qualifier, payload, enqueued_at FROM async_events ORDER BY seq")
      .all() as { request_id: string; function_name: string; qualifier: string | null; payload: Buffer; enqueued_at: number }[];
    for (const r of rows) {
      this.schedule({ requestId: r.request_id, functionName: r.function_name, qualifier: r.qualifier ?? undefined, payload: r.payload, enqueuedAt: r.enqueued_at });
    }
  }

  /** Stores the event (durably) and schedules it. Returns once it is safe to answer 202. */
  enqueue(event: Omit<AsyncEvent, "enqueuedAt">): AsyncEvent {
    const stored: AsyncEvent = { ...event, enqueuedAt: this.clock.now() };
    this.insert.run(stored.requestId, stored.functionName, stored.qualifier ?? null, stored.payload, stored.enqueuedAt);
    this.schedule(stored);
    return stored;
  }

  /** Resolves when nothing is queued or running (tests, shutdown). */
  onIdle(): Promise<void> {
    return this.queue.onIdle();
  }

  /** Stops taking new work; events still stored run after the next start. */
  stop(): void {
    this.runner = undefined;
    this.queue.clear();
  }

  private schedule(event: AsyncEvent, throttles = 0): void {
    void this.queue.add(async () => {
      const run = this.runner;
      if (run === undefined) return;
      try {
        await run(event);
      } catch (e) {
        if (isAwsError(e) && e.code === "TooManyRequestsException" && this.retryAfterThrottle(event, throttles)) return;
        this.telemetry.emit({ type: "simulator.warning", message: `async event ${event.requestId} for ${event.functionName} was not run: ${String(e)}` });
      }
      if (this.runner !== undefined) this.remove.run(event.requestId);
    });
  }

  /**
   * A throttled event stays stored and is retried with exponential backoff from 1 s to 5 min,
   * without consuming retry attempts, until the 6-hour maximum event age (aws-facts §5). Returns
   * false when the event is too old to try again. (The asynchronous-invocation issue adds jitter,
   * per-function event age and the failure destinations.)
   */
  private retryAfterThrottle(event: AsyncEvent, throttles: number): boolean {
    const delay = Math.min(1_000 * 2 ** throttles, 300_000);
    if (this.clock.now() + delay - event.enqueuedAt > MAX_EVENT_AGE_MS) return false;
    this.clock.setTimer(delay, () => this.schedule(event, throttles + 1), `async.throttle-retry:${event.requestId}`);
    return true;
  }
}
