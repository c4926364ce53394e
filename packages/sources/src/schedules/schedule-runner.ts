import type { Clock, RandomStream, TimerHandle } from "@lambda-sim/core";
import { nextFireAfter, type FireWindow } from "./next-fire.ts";
import { parseScheduleExpression, type ScheduleExpression } from "./schedule-expression.ts";
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

/**
 * Arms one Clock timer per enabled schedule, at its next fire time; the timer delivers, records
 * the fire in SQLite, and arms the next. Nothing polls: on the VirtualClock a year of schedules
 * costs its fires and nothing more (STYLE.md 7.4).
 */
export class ScheduleRunner {
  private readonly armed = new Map<string, { handle: TimerHandle; generation: number }>();
  private readonly parsed = new Map<string, ScheduleExpression>();
  private generation = 0;

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
    this.disarm(r);
    if (r.def.State !== "ENABLED") return;
    const next = this.next(r, this.accountedThrough(r));
    if (next === undefined) return this.completed(r);
    // FlexibleTimeWindow: a seeded random delay within the window (aws-facts §9.2).
    const w = r.def.FlexibleTimeWindow;
    const delay = w.Mode === "FLEXIBLE" ? Math.floor(this.flex.next() * (w.MaximumWindowInMinutes ?? 1) * 60_000) : 0;
    const generation = ++this.generation;
    const handle = this.clock.setTimer(Math.max(0, next + delay - this.clock.now()), () => this.fire(r, next, generation), `schedule:${keyOf(r)}`);
    this.armed.set(keyOf(r), { handle, generation });
  }

  disarm(r: { kind: ScheduleRecord["kind"]; group: string; name: string }): void {
    const key = keyOf(r);
    this.armed.get(key)?.handle.cancel();
    this.armed.delete(key);
  }

  /** `POST /_sim/schedules/NAME/fire`: one fire now, outside the schedule (its next fire stays). */
  fireNow(r: ScheduleRecord): Promise<void> {
    return Promise.resolve(this.deliver(r, this.clock.now()));
  }

  stop(): void {
    for (const { handle } of this.armed.values()) handle.cancel();
    this.armed.clear();
  }

  private async fire(r: ScheduleRecord, scheduledAt: number, generation: number): Promise<void> {
    await this.deliver(r, scheduledAt);
    // Deleted, updated or disabled while its targets were invoked: that change re-armed it.
    if (this.armed.get(keyOf(r))?.generation !== generation) return;
    this.store.fired(r, scheduledAt);
    r.lastFireAt = scheduledAt;
    this.arm(r);
  }

  private async catchUp(r: ScheduleRecord, scheduledAt: number): Promise<void> {
    await this.deliver(r, scheduledAt);
    this.store.fired(r, scheduledAt);
    r.lastFireAt = scheduledAt;
  }

  /** Fires at or before this time happened, or were reported missed. */
  private accountedThrough(r: ScheduleRecord): number {
    // Rules count the first period from creation; a Scheduler rate schedule without StartDate
    // "starts invoking the target immediately" (D: scheduler schedule-types), so one ms earlier.
    const baseline = r.kind === "rule" ? r.anchorAt : r.anchorAt - 1;
    return Math.max(baseline, r.lastFireAt ?? -Infinity, r.skippedThrough ?? -Infinity);
  }

  private next(r: ScheduleRecord, after: number): number | undefined {
    const w: FireWindow = { timeZone: r.def.ScheduleExpressionTimezone, anchorMs: r.anchorAt, startMs: r.def.StartDate, endMs: r.def.EndDate };
    return nextFireAfter(this.expression(r), after, w);
  }

  private expression(r: ScheduleRecord): ScheduleExpression {
    const key = `${r.kind}:${r.def.ScheduleExpression}`;
    let e = this.parsed.get(key);
    if (e === undefined) {
      // Stored expressions were validated when written; a failure here is a bug, not user input.
      e = parseScheduleExpression(r.def.ScheduleExpression, r.kind);
      if (e === undefined) throw new Error(`stored schedule ${keyOf(r)} has an invalid expression ${r.def.ScheduleExpression}`);
      this.parsed.set(key, e);
    }
    return e;
  }

  /** No fire left (an at() that fired, an EndDate passed): ActionAfterCompletion DELETE removes it. */
  private completed(r: ScheduleRecord): void {
    if (r.def.ActionAfterCompletion === "DELETE") this.store.delete(r);
  }
}
