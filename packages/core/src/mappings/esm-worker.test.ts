import { afterEach, describe, expect, it } from "vitest";
import { VirtualClock } from "../clock/virtual-clock.ts";
import type { Invoker } from "../invocation/invoker.ts";
import { Telemetry } from "../telemetry/telemetry.ts";
import { EsmWorker } from "./esm-worker.ts";
import type { Poller } from "./poller.ts";

/**
 * The SQS ESM's scaling on the VirtualClock (aws-facts §6): 5 lanes to start, at most +300 per
 * minute while batches keep coming, at most 1,250 (or ScalingConfig.MaximumConcurrency), and back
 * to 5 once the queue is empty.
 */
/** A full batch (10 of batch size 10): the source has a backlog. */
const FULL_BATCH = Array.from({ length: 10 }, (_, i) => `m${i}`);
let clock: VirtualClock;
let worker: EsmWorker | undefined;

afterEach(() => stop());

/** Stops the worker: polls end on the abort, invocations under way finish on the clock. */
async function stop(): Promise<void> {
  const stopping = worker?.stop();
  await clock.runUntilIdle();
  await stopping;
  worker = undefined;
}

/** A source scaling as SQS's does (its own rule lives with it: packages/sources/src/sqs/sqs-poller.ts). */
const ESM_SCALING = { initial: 5, perMinute: 300, ceiling: 1250 };

/**
 * A source with `backlog` batches (Infinity: never empties). An empty poll long-polls 20 s as the
 * SQS poller does. Invocations take `lanes / 10` seconds, all of the same length: lanes finish in
 * step, as with a real function of steady duration, and the clock events stay few at 1,250 lanes.
 */
function harness(maxConcurrency: number) {
  clock = new VirtualClock();
  const state = { backlog: Number.POSITIVE_INFINITY, full: true, reportsMore: undefined as boolean | undefined, maxLanes: 0, invocations: 0 };
  const poller: Poller = {
    async poll(_max, _window, signal) {
      if (state.backlog > 0) {
        state.backlog--;
        return { payload: Buffer.from('{"Records":[]}'), itemIds: state.full ? FULL_BATCH : ["m0"], backlog: state.reportsMore };
      }
      await clock.sleep(20_000, signal).catch(() => {});
      return undefined;
    },
    settle() {},
  };
  const invoker = {
    invoke: async () => {
      state.invocations++;
      state.maxLanes = Math.max(state.maxLanes, worker!.concurrency);
      await clock.sleep(Math.max(100, (worker!.concurrency / 10) * 1000));
      return { kind: "result", executedVersion: "$LATEST", result: { payload: Buffer.from("null") } };
    },
  } as unknown as Invoker;
  worker = new EsmWorker({ functionName: "f", batchSize: 10, batchWindowMs: 0, reportBatchItemFailures: false, maxConcurrency, scaling: ESM_SCALING }, poller, invoker, clock, new Telemetry(clock));
  return { state, worker };
}

describe("EsmWorker scaling (aws-facts §6)", () => {
  it("starts with 5 lanes, adds at most 300 a minute, stops at 1,250 and falls back to 5 when idle", async () => {
    const { state, worker } = harness(ESM_SCALING.ceiling);
    worker.start();
    expect(worker.concurrency).toBe(5);
    await clock.advanceBy(60_000);
    // One lane per 200 ms of service time at most: 5 + 300 after a minute. Lanes due are added
    // when a batch arrives, so with invocations this long some are still owed.
    expect(worker.concurrency).toBeLessThanOrEqual(305);
    expect(worker.concurrency).toBeGreaterThanOrEqual(250);
    await clock.advanceBy(240_000);
    expect(worker.concurrency).toBe(1250);
    expect(state.maxLanes).toBe(1250);

    state.backlog = 0;
    // In-flight batches finish (125 s at 1,250 lanes), then every surplus lane's poll comes back empty.
    await clock.advanceBy(200_000);
    expect(worker.concurrency).toBe(5);
    const before = state.invocations;
    await clock.advanceBy(120_000);
    expect(state.invocations).toBe(before); // nothing to do: no invocation without a batch
    expect(worker.concurrency).toBe(5);

    // Traffic again: it scales up again from 5.
    state.backlog = Number.POSITIVE_INFINITY;
    await clock.advanceBy(30_000);
    expect(worker.concurrency).toBeGreaterThan(100);
    expect(worker.concurrency).toBeLessThanOrEqual(5 + 150 + 1);
  });

  it("never goes above ScalingConfig.MaximumConcurrency, and starts below 5 when it is lower", async () => {
    const { state, worker } = harness(12);
    worker.start();
    await clock.advanceBy(60_000);
    expect(worker.concurrency).toBe(12);
    expect(state.maxLanes).toBe(12);
    await stop();

    const low = harness(2);
    low.worker.start();
    expect(low.worker.concurrency).toBe(2);
    await clock.advanceBy(60_000);
    expect(low.state.maxLanes).toBe(2);
  });

  it("does not scale up on partial batches: a trickle that never builds a backlog keeps 5 lanes", async () => {
    const { state, worker } = harness(ESM_SCALING.ceiling);
    state.full = false;
    worker.start();
    await clock.advanceBy(60_000);
    expect(state.invocations).toBeGreaterThan(100);
    expect(state.maxLanes).toBe(5);
  });

  it("does not scale up on full batches when the source says nothing more was waiting (walkthrough F6)", async () => {
    // batchSize 1 and a message at a time: every batch is full, none leaves a backlog behind.
    const { state, worker } = harness(ESM_SCALING.ceiling);
    state.reportsMore = false;
    worker.start();
    await clock.advanceBy(60_000);
    expect(state.invocations).toBeGreaterThan(100);
    expect(state.maxLanes).toBe(5);
    await stop();

    // The same source saying more is waiting: a backlog, scaled up as before.
    const more = harness(ESM_SCALING.ceiling);
    more.state.reportsMore = true;
    more.worker.start();
    await clock.advanceBy(60_000);
    expect(more.worker.concurrency).toBeGreaterThan(200);
  });
});
