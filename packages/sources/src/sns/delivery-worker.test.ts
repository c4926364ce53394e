import { describe, expect, it } from "vitest";
import { FrontDoorArrivals, type Clock, type GroupCommit } from "@lambda-sim/core";
import { DeliveryWorker } from "./delivery-worker.ts";
import type { DueDelivery, SnsStore, SubscriptionRow } from "./sns-store.ts";
import type { TopicActivity } from "./topic-activity.ts";

/**
 * The worker on its own, with an outbox in memory and a clock whose timers run when the test says:
 * what it starts is what it asks the subscribers to take.
 */
function worker(initialLimit: number, subscriptions: number) {
  let limit = initialLimit;
  const timers: (() => void)[] = [];
  const clock = {
    scale: 1,
    now: () => 0,
    setTimer: (_ms: number, fn: () => void) => {
      timers.push(fn);
      return { cancel: () => timers.splice(timers.indexOf(fn) >>> 0, 1) };
    },
    hold: () => ({ release: () => {} }),
  } as unknown as Clock;
  const outbox: DueDelivery[] = [];
  let ids = 0;
  const store = {
    due: (_now: number, max: number, except: readonly string[] = []) => outbox.filter((d) => !except.includes(d.subscriptionArn)).slice(0, max),
    nextDueAfter: () => undefined,
    finish: () => {},
  } as unknown as SnsStore;
  const commits = { write: (fn: () => void) => fn(), flush: () => {} } as unknown as GroupCommit;
  const sent: string[] = [];
  // Subscribers that never answer: every delivery started stays in flight.
  const services = { frontDoor: new FrontDoorArrivals(), invoker: {}, deliverToTarget: (arn: string) => (sent.push(arn), new Promise<void>(() => {})) };
  const subs = new Map<string, SubscriptionRow>();
  for (let i = 0; i < subscriptions; i++) {
    const arn = `arn:aws:sns:us-east-1:000000000000:t:s${i}`;
    subs.set(arn, { arn, topicArn: "arn:aws:sns:us-east-1:000000000000:t", protocol: "sqs", endpoint: `arn:aws:sqs:us-east-1:000000000000:q${i}`, attributes: { RawMessageDelivery: "true" }, token: `${i}`, pending: false, createdAt: 0 });
  }
  const w = new DeliveryWorker(store, commits, clock, services as never, { endpoint: "http://127.0.0.1", region: "us-east-1" }, (arn) => subs.get(arn), { report: () => {} } as unknown as TopicActivity, {
    concurrency: () => limit,
    flooded: true,
  });
  const publish = (to: readonly string[] = [...subs.keys()]) => {
    for (const arn of to) outbox.push({ id: ++ids, messageId: ids, subscriptionArn: arn, attempts: 0, firstAttemptAt: 0, message: { MessageId: `m${ids}`, TopicArn: "arn:aws:sns:us-east-1:000000000000:t", Message: "x", PublishedAt: 0 } });
    w.published();
    for (const fn of timers.splice(0)) fn();
  };
  return { publish, sent, subs: [...subs.keys()], setLimit: (n: number) => (limit = n) };
}

describe("SNS DeliveryWorker under a flood-lowered limit", () => {
  it("keeps a fan-out to at most a quarter past the limit in all, each extra to a subscription with nothing in flight (review21 R21-1)", () => {
    const { publish, sent } = worker(8, 40);
    for (let k = 0; k < 30; k++) publish();
    // 8, plus 2 for subscriptions that had none: not one more per Publish (31 of 40 with a limit of 1 before).
    expect(sent).toHaveLength(10);
    expect(new Set(sent).size).toBe(10);
  });

  it("still starts one for a subscription with nothing in flight when the limit is down to one", () => {
    const { publish, sent } = worker(1, 40);
    for (let k = 0; k < 30; k++) publish();
    expect(sent).toHaveLength(2);
  });

  it("starts one for another subscription when a hung one holds more than the lowered limit (fuzz19 F13)", () => {
    const { publish, sent, subs, setLimit } = worker(64, 2);
    for (let k = 0; k < 60; k++) publish([subs[0]!]);
    // Its share of the 64 slots: three quarters.
    expect(sent).toHaveLength(48);
    setLimit(4);
    publish([subs[1]!]);
    expect(sent.slice(48)).toEqual(["arn:aws:sqs:us-east-1:000000000000:q1"]);
  });
});
