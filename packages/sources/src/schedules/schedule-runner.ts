import type { Clock, RandomStream, TimerHandle } from "@lambda-sim/core";
import { nextFireAfter, type FireWindow } from "./next-fire.ts";
import { parseScheduleExpression, type ScheduleExpression } from "./schedule-expression.ts";
import { DueQueue, type Due } from "./due-queue.ts";
import { keyOf, type ScheduleDefinition, type ScheduleRecord, type ScheduleStore } from "./schedule-store.ts";

/** Hands one fire to the schedule's targets; `scheduledAt` is the fire's scheduled time. */
export type Deliver = (s: ScheduleRecord, scheduledAt: number) => void | Promise<void>;

/** Fires a schedule missed while lambda-sim was down (reported in one log line at start). */
export interface MissedFires {
  schedule: ScheduleRecord;
  count: number;
  /** More were missed than were counted. */
  more: boolean;
  caughtUp: boolean;
}

/** Counting stops here: a rate(1 minute) schedule down for a month need not be walked. */
const MISSED_COUNT_LIMIT = 10_000;
const MINUTE = 60_000;

/** A schedule's next fire, waiting in the queue. Replaced (not edited) when the schedule changes. */
interface Armed extends Due {
  record: ScheduleRecord;
  key: string;
  /** The fire's time (what lastFireAt records, the event's time); `dueAt` adds the flexible-window delay. */
  scheduledAt: number;
}

/**
 * Keeps every enabled schedule's next fire in a queue and the earliest on the Clock: when it
 * comes, all schedules due are delivered, their fires recorded in SQLite in one statement, and
 * each is re-armed at its next fire. Nothing polls: on the VirtualClock a year of schedules costs
 * its distinct fire times and nothing more (STYLE.md 7.4).
 */
export class ScheduleRunner {
  /** The live entry of each schedule by key; queue entries not in here are stale and skipped. */
  private readonly armed = new Map<string, Armed>();
  private readonly queue = new DueQueue<Armed>();
  private timer: { handle: TimerHandle; at: number } | undefined;
  private readonly parsed = new Map<string, ScheduleExpression>();
  /** Per record: what every re-arm needs, worked out once (re-arming is the per-fire hot path). */
  private readonly prepared = new WeakMap<ScheduleRecord, { key: string; expr: ScheduleExpression; window: FireWindow }>();
  private seq = 0;

  private readonly clock: Clock;
  private readonly store: ScheduleStore;
  private readonly deliver: Deliver;
  /** Draws the FlexibleTimeWindow delay (a seeded stream: runs with --seed repeat). */
  private readonly flex: RandomStream;

  constructor(clock: Clock, store: ScheduleStore, deliver: Deliver, flex: RandomStream) {
    this.clock = clock;
    this.store = store;
    this.deliver = deliver;
    this.flex = flex;
  }

  /**
   * Arms every stored schedule after a restart. Fires missed while down are skipped and returned
   * for one log line, or (`catchUp`) fired once per schedule at its latest missed time.
   */
  resume(catchUp: boolean): MissedFires[] {
    const now = this.clock.now();
    const missed: MissedFires[] = [];
    for (const r of this.store.list()) {
      if (r.def.State !== "ENABLED") continue;
      let next = this.next(r, this.accountedThrough(r));
      let count = 0;
      let last = 0;
      for (; next !== undefined && next <= now && count < MISSED_COUNT_LIMIT; count++) {
        last = next;
        next = this.next(r, next);
      }
      if (count > 0) {
        missed.push({ schedule: r, count, more: next !== undefined && next <= now, caughtUp: catchUp });
        this.store.skipped(r, now);
        r.skippedThrough = now;
        if (catchUp) void this.catchUp(r, last);
      }
      this.arm(r);
    }
    return missed;
  }

  /**
   * Creates or replaces a schedule and arms it. A rate schedule keeps counting from its old
   * anchor unless its expression or StartDate changed; then it counts from now (or StartDate).
   */
  save(kind: ScheduleRecord["kind"], group: string, name: string, def: ScheduleDefinition): ScheduleRecord {
    const now = this.clock.now();
    const old = this.store.get(kind, group, name);
    const sameTiming = old !== undefined && old.def.ScheduleExpression === def.ScheduleExpression && old.def.StartDate === def.StartDate;
    const r: ScheduleRecord = {
      kind,
      group,
      name,
      def,
      createdAt: old?.createdAt ?? now,
      modifiedAt: now,
      anchorAt: sameTiming ? old.anchorAt : (def.StartDate ?? now),
      lastFireAt: old?.lastFireAt,
      skippedThrough: old?.skippedThrough,
    };
    this.store.put(r);
    this.arm(r);
    return r;
  }

  remove(r: ScheduleRecord): void {
    this.disarm(r);
    this.store.delete(r);
  }

  /** (Re-)arms a schedule after it is created, updated, enabled or fired. */
  arm(r: ScheduleRecord): void {
    const { key, expr } = this.prepare(r);
    this.armed.delete(key);
    if (r.def.State !== "ENABLED") return;
    const w = r.def.FlexibleTimeWindow;
    const windowMs = w.Mode === "FLEXIBLE" ? (w.MaximumWindowInMinutes ?? 1) * MINUTE : 0;
    // A schedule enabled again (or updated) does not fire for the time it was off: fires more
    // than a minute (and its flexible window) in the past are not due any more.
    const next = this.next(r, Math.max(this.accountedThrough(r), this.clock.now() - MINUTE - windowMs));
    if (next === undefined) return this.completed(r);
    // FlexibleTimeWindow: a seeded random delay within the window (aws-facts §9.2).
    const delay = windowMs > 0 ? Math.floor(this.flex.next() * windowMs) : 0;
    const at = this.fireTime(expr, next);
    const entry: Armed = { record: r, key, scheduledAt: at, dueAt: at + delay, seq: this.seq++ };
    this.armed.set(key, entry);
    this.queue.push(entry);
    // Entries a change replaced wait in the heap until they reach its head: rebuilt once they
    // outnumber the live ones, so rescheduling a far-future schedule again and again stays bounded.
    if (this.queue.size > 2 * this.armed.size + 64) this.rebuildQueue();
    this.wake();
  }

  disarm(r: { kind: ScheduleRecord["kind"]; group: string; name: string }): void {
    this.armed.delete(keyOf(r));
  }

  /** When the schedule fires next (service time), undefined when no fire is armed (done or disabled): /_sim/schedules and the dashboard show it. */
  nextFireAt(r: { kind: ScheduleRecord["kind"]; group: string; name: string }): number | undefined {
    return this.armed.get(keyOf(r))?.dueAt;
  }

  /** `POST /_sim/schedules/NAME/fire`: one fire now, outside the schedule (its next fire stays). */
  fireNow(r: ScheduleRecord): Promise<void> {
    return Promise.resolve(this.deliver(r, this.clock.now()));
  }

  stop(): void {
    this.timer?.handle.cancel();
    this.timer = undefined;
    this.armed.clear();
    this.queue.clear();
  }

  private rebuildQueue(): void {
    this.queue.clear();
    for (const e of this.armed.values()) this.queue.push(e);
  }

  /** The earliest live entry, dropping stale ones (schedules changed or removed since queued). */
  private peek(): Armed | undefined {
    for (let e = this.queue.peek(); e !== undefined; e = this.queue.peek()) {
      if (this.armed.get(e.key) === e) return e;
      this.queue.pop();
    }
    return undefined;
  }

  /** Keeps one Clock timer at the earliest due time (an earlier timer just finds nothing due). */
  private wake(): void {
    const first = this.peek();
    if (first === undefined || (this.timer !== undefined && this.timer.at <= first.dueAt)) return;
    this.timer?.handle.cancel();
    const handle = this.clock.setTimer(Math.max(0, first.dueAt - this.clock.now()), () => this.runDue(), `schedules.next-fire:${first.record.name}`);
    this.timer = { handle, at: first.dueAt };
  }

  private async runDue(): Promise<void> {
    this.timer = undefined;
    const now = this.clock.now();
    const due: Armed[] = [];
    for (let e = this.peek(); e !== undefined && e.dueAt <= now; e = this.peek()) due.push(this.queue.pop()!);
    let failure: unknown;
    for (const e of due) {
      try {
        const p = this.deliver(e.record, e.scheduledAt);
        if (p !== undefined) await p;
      } catch (err) {
        // A bug in one delivery must not stop every schedule: re-arm, then report it (below).
        failure ??= err;
      }
    }
    // Deleted, updated or disabled while the targets were invoked: that change re-armed it.
    const fired = due.filter((e) => this.armed.get(e.key) === e);
    this.store.fired(fired.map((e) => ({ r: e.record, at: e.scheduledAt })));
    for (const e of fired) {
      e.record.lastFireAt = e.scheduledAt;
      this.arm(e.record);
    }
    this.wake();
    if (failure !== undefined) throw failure;
  }

  private async catchUp(r: ScheduleRecord, scheduledAt: number): Promise<void> {
    await this.deliver(r, scheduledAt);
    this.store.fired([{ r, at: scheduledAt }]);
    r.lastFireAt = scheduledAt;
  }

  /**
   * When a fire scheduled at `nominal` happens. Recurring fires happen at the start of their
   * minute: AWS's precision is 60 s (aws-facts §9.1, §9.2), and a rate schedule keeps the minutes
   * of its own anchor; one whose minute has already begun (a rate schedule fires at its creation)
   * fires now, one already past (re-enabled, resumed) at its own time. Either way it stays in the
   * nominal fire's minute, which accountedThrough counts on. All schedules due in a minute then share one Clock timer and one SQLite statement,
   * which is what lets the VirtualClock run 10,000 schedules for a day in seconds (bench/schedules).
   */
  private fireTime(expr: ScheduleExpression, nominal: number): number {
    return expr.kind === "at" ? nominal : Math.max(Math.floor(nominal / MINUTE) * MINUTE, Math.min(this.clock.now(), nominal));
  }

  /** Fires at or before this time happened, or were reported missed. */
  private accountedThrough(r: ScheduleRecord): number {
    // Rules count the first period from creation; a Scheduler rate schedule without StartDate
    // "starts invoking the target immediately" (D: scheduler schedule-types), so one ms earlier.
    const baseline = r.kind === "rule" ? r.anchorAt : r.anchorAt - 1;
    // A recurring fire stands for its whole minute: the fire of 10:02 was the one scheduled 10:02:58.
    const last = r.lastFireAt === undefined ? -Infinity : this.prepare(r).expr.kind === "at" ? r.lastFireAt : Math.floor(r.lastFireAt / MINUTE) * MINUTE + MINUTE - 1;
    return Math.max(baseline, last, r.skippedThrough ?? -Infinity);
  }

  private next(r: ScheduleRecord, after: number): number | undefined {
    const { expr, window } = this.prepare(r);
    return nextFireAfter(expr, after, window);
  }

  private prepare(r: ScheduleRecord): { key: string; expr: ScheduleExpression; window: FireWindow } {
    let p = this.prepared.get(r);
    if (p === undefined) {
      const window = { timeZone: r.def.ScheduleExpressionTimezone, anchorMs: r.anchorAt, startMs: r.def.StartDate, endMs: r.def.EndDate };
      this.prepared.set(r, (p = { key: keyOf(r), expr: this.expression(r), window }));
    }
    return p;
  }

  private expression(r: ScheduleRecord): ScheduleExpression {
    // One-time at() texts are each their own (thousands of one-time schedules): cheap to parse, not kept.
    if (r.def.ScheduleExpression.startsWith("at(")) return this.parse(r);
    const key = `${r.kind}:${r.def.ScheduleExpression}`;
    let e = this.parsed.get(key);
    if (e === undefined) {
      e = this.parse(r);
      this.parsed.set(key, e);
    }
    return e;
  }

  private parse(r: ScheduleRecord): ScheduleExpression {
    // Stored expressions were validated when written; a failure here is a bug, not user input.
    const e = parseScheduleExpression(r.def.ScheduleExpression, r.kind);
    if (e === undefined) throw new Error(`stored schedule ${keyOf(r)} has an invalid expression ${r.def.ScheduleExpression}`);
    return e;
  }

  /**
   * No fire left. ActionAfterCompletion DELETE removes a schedule "after its last target
   * invocation": only one that fired (or whose fires were missed while lambda-sim was down), and
   * only a one-time at() schedule or one with an EndDate: "If you configure a schedule with
   * automatic deletion but do not specify a value for EndDate, EventBridge Scheduler does not
   * automatically delete the schedule" (Scheduler user guide, managing-schedule-delete). One that
   * never fired stays (created already past its last fire: AWS's answer is unrecorded).
   */
  private completed(r: ScheduleRecord): void {
    if (r.def.ActionAfterCompletion !== "DELETE") return;
    const fired = r.lastFireAt !== undefined || r.skippedThrough !== undefined;
    if (fired && (this.prepare(r).expr.kind === "at" || r.def.EndDate !== undefined)) this.store.delete(r);
  }
}
