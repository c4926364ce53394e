import { whileHeld, type Clock, type TimerHandle } from "../clock/clock.ts";
import { isAwsError } from "../errors/aws-error.ts";
import type { KeyedRandom } from "../random/rng.ts";
import type { Store } from "../store/store.ts";
import type { Telemetry } from "../telemetry/telemetry.ts";
import type { GroupCommit } from "../store/group-commit.ts";
import { BoundedRunner } from "./bounded-runner.ts";
import { FrontDoorArrivals, FrontDoorPriority } from "./front-door-priority.ts";
import { isExpired, nextAsyncStep, type AsyncRetryConfig } from "./async-retry-policy.ts";
import type { AsyncEvent, AsyncHandler, AttemptResult, FinalCondition } from "./async-event.ts";


/**
 * Stored events run this many at a time; the governor bounds each function further (throttles back
 * off). AWS publishes no figure for its async pollers: our choice, `asyncConcurrency` in
 * Simulator.start. Lower runs a flood of tiny events faster on a small machine (fewer processes
 * frozen and thawed per event), higher lets more slow events overlap as they would on AWS.
 */
export const DEFAULT_ASYNC_CONCURRENCY = 32;

type Row = {
  seq: number; request_id: string; function_name: string; qualifier: string | null; payload: Buffer; enqueued_at: number;
  invocations: number; throttles: number; next_attempt_at: number; last_response: string | null; final_condition: string | null;
  trace_header: string | null;
};

/**
 * The durable queue of Event invocations (DESIGN.md `AsyncQueue`), a thin shell around the pure
 * `nextAsyncStep` (STYLE.md 7.8). A row exists before Invoke answers 202; each attempt's result is
 * one UPDATE (invocations, backoff, next attempt), so after a crash and restart an event resumes
 * with its attempt count and age: due ones run at once, the others wait for their Clock timer.
 * Once an event ends, its final condition is stored while destinations are delivered, and the row
 * is deleted after: a crash in between delivers again rather than running the function again.
 */
export class AsyncQueue {
  private readonly clock: Clock;
  private readonly telemetry: Telemetry;
  /**
   * Retry jitter, drawn per event and decision rather than from one sequence: overlapping real
   * handlers answer in wall time's order, and a shared sequence gave their retries each other's
   * times from one run to the next (README "Replay").
   */
  private readonly jitter: KeyedRandom;
  private readonly queue: BoundedRunner;
  /** The simulator's front-door arrivals, which Event Invokes count in and the runs yield to. */
  private readonly arrivals: FrontDoorArrivals;
  private handler: AsyncHandler | undefined;
  private readonly timers = new Set<TimerHandle>();
  /** Events waiting for a retry timer, with the time it fires (the dashboard lists them). */
  private readonly waiting = new Map<AsyncEvent, number>();
  private readonly sql;
  /** Rows in async_events, counted as they are written (polled by /_sim/state). */
  private rows: number;
  /** Every row change goes through one group commit (see GroupCommit). */
  private readonly commits: GroupCommit;

  constructor(store: Store, clock: Clock, telemetry: Telemetry, jitter: KeyedRandom, concurrency = DEFAULT_ASYNC_CONCURRENCY, arrivals = new FrontDoorArrivals()) {
    this.clock = clock;
    this.telemetry = telemetry;
    this.jitter = jitter;
    this.arrivals = arrivals;
    // Off under the VirtualClock (see FrontDoorPriority).
    const priority = FrontDoorPriority.on(clock, concurrency, arrivals);
    this.queue = new BoundedRunner(concurrency, priority && (() => priority.concurrency()));
    const db = store.db;
    this.sql = {
      insert: db.prepare("INSERT INTO async_events (request_id, function_name, qualifier, payload, enqueued_at, next_attempt_at, trace_header) VALUES (?, ?, ?, ?, ?, ?, ?)"),
      progress: db.prepare("UPDATE async_events SET invocations = ?, throttles = ?, next_attempt_at = ?, last_response = ? WHERE seq = ?"),
      finish: db.prepare("UPDATE async_events SET invocations = ?, last_response = ?, final_condition = ? WHERE seq = ?"),
      remove: db.prepare("DELETE FROM async_events WHERE seq = ?"),
      all: db.prepare("SELECT * FROM async_events ORDER BY seq"),
      count: db.prepare("SELECT COUNT(*) FROM async_events").pluck(),
    };
    this.commits = store.commits;
    this.rows = this.sql.count.get() as number;
  }

  /** Starts running events, first those left over from before a restart. */
  start(handler: AsyncHandler): void {
    this.handler = handler;
    const now = this.clock.now();
    for (const r of this.sql.all.all() as Row[]) {
      const event: AsyncEvent = {
        requestId: r.request_id,
        functionName: r.function_name,
        qualifier: r.qualifier ?? undefined,
        payload: r.payload,
        enqueuedAt: r.enqueued_at,
        invocations: r.invocations,
        throttles: r.throttles,
        lastResponse: r.last_response === null ? undefined : JSON.parse(r.last_response),
        traceHeader: r.trace_header ?? undefined,
        seq: r.seq,
      };
      if (r.final_condition !== null) this.queue.add(() => whileHeld(this.clock, `async.event:${event.requestId}`, () => this.deliver(event, r.final_condition as FinalCondition)));
      else this.scheduleAt(event, r.next_attempt_at - now);
    }
  }

  /**
   * Stores the event and schedules it; resolves once it is committed, when it is safe to answer
   * 202 (events accepted in the same turn share the commit).
   */
  async enqueue(input: { requestId: string; functionName: string; qualifier?: string; payload: Buffer; frontDoor?: boolean; traceHeader?: string }): Promise<AsyncEvent> {
    // An SNS or EventBridge delivery is not an arrival: counted, it would throttle the runs of
    // what those sources deliver while they catch up after a burst (their own workers yield).
    if (input.frontDoor === true) this.arrivals.arrived();
    const now = this.clock.now();
    const event: AsyncEvent = { requestId: input.requestId, functionName: input.functionName, qualifier: input.qualifier, payload: input.payload, enqueuedAt: now, invocations: 0, throttles: 0, traceHeader: input.traceHeader };
    // Accepted, and first tried, at `now`: held over the commit's turn (see attempt()).
    return whileHeld(this.clock, `async.event:${event.requestId}`, async () => {
      await this.write(() => {
        event.seq = Number(this.sql.insert.run(event.requestId, event.functionName, event.qualifier ?? null, event.payload, now, now, event.traceHeader ?? null).lastInsertRowid);
        this.rows++;
      });
      this.telemetry.emit({ type: "async.enqueued", requestId: event.requestId, functionName: event.functionName, qualifier: event.qualifier });
      this.schedule(event);
      return event;
    });
  }

  /** Resolves when nothing is queued or running (retries waiting on a timer do not count). */
  onIdle(): Promise<void> {
    return this.queue.onIdle();
  }

  /** Resolves when every write queued so far is committed (tests; writes are group-committed). */
  committed(): Promise<void> {
    return this.write(() => {});
  }

  /** Events waiting to run or running now (not those waiting for a retry timer). */
  get pending(): number {
    return this.queue.pending;
  }

  /** Events stored: accepted and not yet finished, waiting for a retry included (/_sim/state). */
  stored(): number {
    return this.rows;
  }

  /** Events waiting for a retry: when it runs, and the event's age and attempts so far. */
  waitingRetries(): { requestId: string; functionName: string; nextAttemptAt: number; enqueuedAt: number; invocations: number; throttles: number }[] {
    return [...this.waiting].map(([e, at]) => ({ requestId: e.requestId, functionName: e.functionName, nextAttemptAt: at, enqueuedAt: e.enqueuedAt, invocations: e.invocations, throttles: e.throttles }));
  }

  /** Stops taking new work (writes already accepted are committed); stored events run after the next start. */
  stop(): void {
    this.commits.flush();
    this.handler = undefined;
    this.queue.clear();
    for (const t of this.timers) t.cancel();
    this.timers.clear();
    this.waiting.clear();
  }

  private schedule(event: AsyncEvent): void {
    this.queue.add(() => this.attempt(event), event.functionName);
  }

  private scheduleAt(event: AsyncEvent, delayMs: number): void {
    if (delayMs <= 0) return this.schedule(event);
    this.waiting.set(event, this.clock.now() + delayMs);
    const timer = this.clock.setTimer(
      delayMs,
      () => {
        this.timers.delete(timer);
        this.waiting.delete(event);
        this.schedule(event);
      },
      `async.retry:${event.requestId}`,
    );
    this.timers.add(timer);
  }

  /**
   * One attempt. What follows the run (a retry's time, the destinations' records) belongs to the
   * instant the run ended: held from its result on, or the commit's turn of the event loop let a
   * VirtualClock jump to its next timer first (walkthrough F7: the last handler to finish had its
   * delivery a second late). Not held during the run: the invocation holds the clock while its
   * process runs, and service time (serviceTime, injected latency, model durations) must pass.
   */
  private async attempt(event: AsyncEvent): Promise<void> {
    const handler = this.handler;
    if (handler === undefined) return;
    const settings = handler.settings(event);
    // Resumed after a long stop, or a timer late: too old to run (aws-facts §5).
    if (isExpired(event, settings, this.clock.now())) return whileHeld(this.clock, `async.event:${event.requestId}`, () => this.end(event, "EventAgeExceeded"));
    const attempt = event.invocations + 1;
    this.telemetry.emit({ type: "async.attempt.started", requestId: event.requestId, functionName: event.functionName, attempt });
    let result: AttemptResult;
    try {
      result = await handler.run(event);
    } catch (e) {
      if (isAwsError(e) && e.code === "ResourceNotFoundException") {
        // The function (or its alias) was deleted while the event waited: AWS drops such events.
        this.telemetry.emit({ type: "simulator.warning", message: `async event ${event.requestId} dropped: ${e.message}` });
        if (this.handler !== undefined) this.writeLater(() => this.removeRow(event));
        return;
      }
      result = { outcome: { kind: "service-error", message: String(e) } };
    }
    return whileHeld(this.clock, `async.event:${event.requestId}`, () => this.afterRun(event, settings, attempt, result));
  }

  /** The attempt's consequences: success, a retry scheduled, or the event given up. */
  private async afterRun(event: AsyncEvent, settings: AsyncRetryConfig, attempt: number, result: AttemptResult): Promise<void> {
    if (this.handler === undefined) return; // stopped meanwhile: the row stays for the next start
    const throttlesBefore = event.throttles;
    if (result.response !== undefined) {
      event.invocations++;
      event.lastResponse = result.response;
      event.throttles = 0;
    } else {
      event.throttles++;
      if (result.refused !== undefined) event.lastResponse = result.refused;
    }
    const now = this.clock.now();
    // Keyed by the event's counts after this attempt: each decision of an event has its own pair
    // (a run raises invocations and zeroes throttles, a throttle raises throttles), so its own draw.
    const random = this.jitter(`${event.requestId}\u0000${event.invocations}\u0000${event.throttles}`);
    const step = nextAsyncStep({ enqueuedAt: event.enqueuedAt, invocations: event.invocations, throttles: throttlesBefore }, result.outcome, settings, now, random);
    if (result.outcome.kind !== "success") {
      this.telemetry.emit({ type: "async.attempt.failed", requestId: event.requestId, functionName: event.functionName, attempt, outcome: result.outcome });
    }
    if (step.kind === "done") return this.end(event, "Success");
    if (step.kind === "give-up") return this.end(event, step.condition, result.outcome.kind === "recursive-loop" ? "recursive-loop" : undefined);
    const row = [event.invocations, event.throttles, step.at, lastResponseJson(event), event.seq] as const;
    this.writeLater(() => this.sql.progress.run(...row));
    this.telemetry.emit({ type: "async.retry.scheduled", requestId: event.requestId, functionName: event.functionName, at: step.at, delayMs: step.delayMs, consumesAttempt: step.consumesAttempt });
    this.scheduleAt(event, step.delayMs);
  }

  private async end(event: AsyncEvent, condition: FinalCondition, reason?: "recursive-loop"): Promise<void> {
    const handler = this.handler;
    if (handler === undefined) return;
    const delivers = handler.hasDeliveries(event, condition);
    if (condition !== "Success") {
      this.telemetry.emit({ type: "async.given-up", requestId: event.requestId, functionName: event.functionName, condition, approximateInvokeCount: event.invocations, dropped: !delivers || undefined, ...(reason === undefined ? {} : { reason }) });
    }
    if (!delivers) {
      this.writeLater(() => this.removeRow(event));
      return;
    }
    // Committed before delivering: a crash during delivery then delivers again (see the class doc).
    const row = [event.invocations, lastResponseJson(event), condition, event.seq] as const;
    await this.write(() => this.sql.finish.run(...row));
    await this.deliver(event, condition);
  }

  private async deliver(event: AsyncEvent, condition: FinalCondition): Promise<void> {
    const handler = this.handler;
    if (handler === undefined) return;
    await handler.deliver(event, condition);
    if (this.handler !== undefined) this.writeLater(() => this.removeRow(event));
  }

  /** A write nobody waits for (progress, deletion): a failure is reported, not thrown. */
  private writeLater(op: () => void): void {
    this.write(op).catch((e: unknown) => this.telemetry.emit({ type: "simulator.warning", message: `async queue: a write failed: ${String(e)}` }));
  }

  private write(op: () => void): Promise<void> {
    return this.commits.write(op);
  }

  private removeRow(event: AsyncEvent): void {
    this.rows -= this.sql.remove.run(event.seq).changes;
  }
}

function lastResponseJson(event: AsyncEvent): string | null {
  return event.lastResponse === undefined ? null : JSON.stringify(event.lastResponse);
}
