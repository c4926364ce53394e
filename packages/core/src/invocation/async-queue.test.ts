import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { VirtualClock } from "../clock/virtual-clock.ts";
import type { KeyedRandom } from "../random/rng.ts";
import { CORE_MIGRATIONS } from "../simulator.ts";
import { Store } from "../store/store.ts";
import { Telemetry } from "../telemetry/telemetry.ts";
import { AsyncQueue } from "./async-queue.ts";
import type { AsyncEvent, AsyncHandler, AttemptResult, FinalCondition } from "./async-event.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "lambda-sim-async-"));
  dirs.push(d);
  return d;
};

/** No jitter: every delay is the documented one. */
const noJitter: KeyedRandom = () => 0;
const FAIL: AttemptResult = { outcome: { kind: "function-error", errorType: "Error" }, response: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled", payload: '{"errorMessage":"no"}' } };
const OK: AttemptResult = { outcome: { kind: "success" }, response: { statusCode: 200, executedVersion: "$LATEST", payload: "null" } };

/** A handler recording attempts (service time, invocation count) and deliveries. */
function recorder(clock: VirtualClock, results: (e: AsyncEvent) => AttemptResult, maximumEventAgeMs = 21_600_000) {
  const attempts: { at: number; invocations: number }[] = [];
  const delivered: { condition: FinalCondition; invocations: number }[] = [];
  const handler: AsyncHandler = {
    settings: () => ({ maximumRetryAttempts: 2, maximumEventAgeMs }),
    run: async (e) => {
      attempts.push({ at: clock.now(), invocations: e.invocations });
      return results(e);
    },
    hasDeliveries: () => true,
    deliver: async (e, condition) => void delivered.push({ condition, invocations: e.invocations }),
  };
  return { handler, attempts, delivered };
}

const rows = (store: Store) => store.db.prepare("SELECT request_id, invocations, next_attempt_at, final_condition FROM async_events").all();

/** A queue on `store` with the jitter turned off, so retry times are exact. */
const queueOn = (store: Store, clock: VirtualClock) => new AsyncQueue(store, clock, new Telemetry(clock), noJitter);

/** Runs every timer, then waits for running events and their writes. */
async function drain(queue: AsyncQueue, clock: VirtualClock): Promise<void> {
  await clock.runUntilIdle();
  await queue.onIdle();
  await queue.committed();
}

describe("AsyncQueue", () => {
  it("runs an accepted event after a restart if it had not run before", async () => {
    const dir = tempDir();
    const clock = new VirtualClock(5_000);
    const first = Store.open(dir, CORE_MIGRATIONS);
    // Accepted (stored) but the process "dies" before any handler picks it up.
    await queueOn(first, clock).enqueue({ requestId: "req-1", functionName: "f", payload: Buffer.from('{"n":1}') });
    first.close();

    const second = Store.open(dir, CORE_MIGRATIONS);
    const r = recorder(clock, () => OK);
    const queue = queueOn(second, clock);
    queue.start(r.handler);
    await queue.onIdle();
    await queue.committed();
    expect(r.attempts).toEqual([{ at: 5_000, invocations: 0 }]);
    expect(r.delivered).toEqual([{ condition: "Success", invocations: 1 }]);
    expect(rows(second)).toEqual([]);
    second.close();
  });

  it("retries a failing event after 1 and 2 minutes, then gives up with RetriesExhausted", async () => {
    const clock = new VirtualClock(0);
    const store = Store.open(undefined, CORE_MIGRATIONS);
    const r = recorder(clock, () => FAIL);
    const queue = queueOn(store, clock);
    queue.start(r.handler);
    await queue.enqueue({ requestId: "r", functionName: "f", payload: Buffer.from("{}") });
    await drain(queue, clock);
    expect(r.attempts).toEqual([{ at: 0, invocations: 0 }, { at: 60_000, invocations: 1 }, { at: 180_000, invocations: 2 }]);
    expect(r.delivered).toEqual([{ condition: "RetriesExhausted", invocations: 3 }]);
    expect(rows(store)).toEqual([]);
    expect(queue.stored()).toBe(0);
    store.close();
  });

  it("keeps throttled events, backing off 1 s, 2 s, 4 s without counting invocations", async () => {
    const clock = new VirtualClock(0);
    const store = Store.open(undefined, CORE_MIGRATIONS);
    let n = 0;
    const r = recorder(clock, () => (++n < 4 ? { outcome: { kind: "throttled", reason: "ConcurrentInvocationLimitExceeded" } } : OK));
    const queue = queueOn(store, clock);
    queue.start(r.handler);
    await queue.enqueue({ requestId: "r", functionName: "f", payload: Buffer.from("{}") });
    await drain(queue, clock);
    expect(r.attempts.map((a) => a.at)).toEqual([0, 1_000, 3_000, 7_000]);
    expect(r.delivered).toEqual([{ condition: "Success", invocations: 1 }]);
    store.close();
  });

  it("delivers at the instant the run ended, though the clock has a later timer and the run was the last thing holding it", async () => {
    const clock = new VirtualClock(0);
    const store = Store.open(undefined, CORE_MIGRATIONS);
    clock.setTimer(1_000, () => {}, "later work");
    const delivered: number[] = [];
    const queue = queueOn(store, clock);
    queue.start({
      ...recorder(clock, () => OK).handler,
      // As a real process's invocation: it holds the clock while it runs, and releases it as it answers.
      run: () => new Promise<AttemptResult>((resolve) => {
        const hold = clock.hold("invoke");
        setImmediate(() => {
          hold.release();
          resolve(OK);
        });
      }),
      deliver: async () => void delivered.push(clock.now()),
    });
    await queue.enqueue({ requestId: "r", functionName: "f", payload: Buffer.from("{}") });
    await clock.advanceTo(5_000);
    // Ending the event awaits a commit: unheld, the clock jumped to 1 s in that turn (walkthrough F7).
    expect(delivered).toEqual([0]);
    store.close();
  });

  it("resumes a pending retry after a restart with its invocation count and age", async () => {
    const dir = tempDir();
    const clock = new VirtualClock(0);
    const first = Store.open(dir, CORE_MIGRATIONS);
    const q1 = queueOn(first, clock);
    q1.start(recorder(clock, () => FAIL).handler);
    await q1.enqueue({ requestId: "r", functionName: "f", payload: Buffer.from("{}") });
    await q1.onIdle();
    await q1.committed();
    expect(rows(first)).toEqual([{ request_id: "r", invocations: 1, next_attempt_at: 60_000, final_condition: null }]);
    q1.stop();
    first.close();

    // Restarted 20 s later: the retry is 40 s away, and is the second invocation.
    await clock.advanceBy(20_000);
    const second = Store.open(dir, CORE_MIGRATIONS);
    const r = recorder(clock, () => FAIL);
    const q2 = queueOn(second, clock);
    expect(q2.stored()).toBe(1);
    q2.start(r.handler);
    await drain(q2, clock);
    expect(r.attempts).toEqual([{ at: 60_000, invocations: 1 }, { at: 180_000, invocations: 2 }]);
    expect(r.delivered).toEqual([{ condition: "RetriesExhausted", invocations: 3 }]);
    second.close();
  });

  it("gives up without running an event that aged out while the simulator was down", async () => {
    const dir = tempDir();
    const clock = new VirtualClock(0);
    const first = Store.open(dir, CORE_MIGRATIONS);
    await queueOn(first, clock).enqueue({ requestId: "r", functionName: "f", payload: Buffer.from("{}") });
    first.close();
    await clock.advanceBy(61_000);
    const second = Store.open(dir, CORE_MIGRATIONS);
    const r = recorder(clock, () => OK, 60_000);
    const queue = queueOn(second, clock);
    queue.start(r.handler);
    await queue.onIdle();
    await queue.committed();
    expect(r.attempts).toEqual([]);
    expect(r.delivered).toEqual([{ condition: "EventAgeExceeded", invocations: 0 }]);
    second.close();
  });

  it("after a crash during delivery, delivers again instead of running the function again", async () => {
    const dir = tempDir();
    const clock = new VirtualClock(0);
    const first = Store.open(dir, CORE_MIGRATIONS);
    const q1 = queueOn(first, clock);
    const stuck = recorder(clock, () => OK);
    q1.start({ ...stuck.handler, deliver: () => new Promise<void>(() => {}) }); // the "crash": never finishes
    await q1.enqueue({ requestId: "r", functionName: "f", payload: Buffer.from("{}") });
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(rows(first)).toEqual([{ request_id: "r", invocations: 1, next_attempt_at: 0, final_condition: "Success" }]);
    q1.stop();
    first.close();

    const second = Store.open(dir, CORE_MIGRATIONS);
    const r = recorder(clock, () => OK);
    const q2 = queueOn(second, clock);
    q2.start(r.handler);
    await q2.onIdle();
    await q2.committed();
    expect(r.attempts).toEqual([]);
    expect(r.delivered).toEqual([{ condition: "Success", invocations: 1 }]);
    expect(rows(second)).toEqual([]);
    second.close();
  });

  it("upgrades an async_events table written before migration 0006: old rows are due at once", () => {
    const dir = tempDir();
    const old = Store.open(dir, CORE_MIGRATIONS.filter((m) => m.version < 6));
    old.db.prepare("INSERT INTO async_events (request_id, function_name, payload, enqueued_at) VALUES ('old', 'f', x'7b7d', 1234)").run();
    old.close();
    const upgraded = Store.open(dir, CORE_MIGRATIONS);
    expect(rows(upgraded)).toEqual([{ request_id: "old", invocations: 0, next_attempt_at: 1234, final_condition: null }]);
    // New rows continue the sequence.
    upgraded.db.prepare("INSERT INTO async_events (request_id, function_name, payload, enqueued_at, next_attempt_at) VALUES ('new', 'f', x'7b7d', 1, 1)").run();
    expect(upgraded.db.prepare("SELECT seq FROM async_events ORDER BY seq").pluck().all()).toEqual([1, 2]);
    upgraded.close();
  });

  it("accepts an event whose request id is already stored (the same --seed after a restart draws the same ids)", async () => {
    const clock = new VirtualClock(0);
    const store = Store.open(undefined, CORE_MIGRATIONS);
    const r = recorder(clock, () => OK);
    const queue = queueOn(store, clock);
    await queue.enqueue({ requestId: "same", functionName: "f", payload: Buffer.from("{}") });
    await queue.enqueue({ requestId: "same", functionName: "f", payload: Buffer.from("{}") });
    expect(queue.stored()).toBe(2);
    queue.start(r.handler);
    await queue.onIdle();
    await queue.committed();
    expect(r.delivered).toHaveLength(2);
    expect(queue.stored()).toBe(0);
    store.close();
  });
});
