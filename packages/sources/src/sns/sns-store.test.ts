import { describe, expect, it } from "vitest";
import { Store } from "@lambda-sim/core";
import { snsSource } from "./index.ts";
import { SnsStore, type StoredMessage } from "./sns-store.ts";

const TOPIC = "arn:aws:sns:us-east-1:000000000000:t";
const message = (id: string): StoredMessage => ({ MessageId: id, TopicArn: TOPIC, Message: id, PublishedAt: 0 });

function open() {
  const store = Store.open(undefined, snsSource.migrations);
  const sns = new SnsStore(store);
  sns.createTopic({ arn: TOPIC, name: "t", attributes: {}, tags: [], createdAt: 0 });
  for (const s of ["a", "b", "c"]) sns.subscribe({ arn: `${TOPIC}:${s}`, topicArn: TOPIC, protocol: "sqs", endpoint: `arn:aws:sqs:us-east-1:000000000000:${s}`, attributes: {}, token: s, pending: false }, 0);
  return { store, sns };
}

describe("SnsStore", () => {
  it("keeps a message until its last delivery settles, and brings retries due at their time", () => {
    const { sns } = open();
    sns.publish([{ message: message("m1"), subscriptions: [`${TOPIC}:a`, `${TOPIC}:b`] }, { message: message("m2"), subscriptions: [] }], 100);
    const due = sns.due(100, 10);
    expect(due.map((d) => [d.message.MessageId, d.subscriptionArn])).toEqual([["m1", `${TOPIC}:a`], ["m1", `${TOPIC}:b`]]);
    sns.retryAt(due[1]!.id, 20_100);
    sns.finish([due[0]!], 100);
    expect(sns.pendingDeliveries(TOPIC)).toBe(1);
    expect(sns.due(20_099, 10)).toEqual([]);
    expect(sns.nextDueAfter(100)).toBe(20_100);
    const [retry] = sns.due(20_100, 10);
    expect(retry).toMatchObject({ attempts: 1, firstAttemptAt: 100, message: { MessageId: "m1" } });
    sns.finish([retry!], 20_100);
    expect(sns.pendingDeliveries(TOPIC)).toBe(0);
  });

  it("finds due deliveries through the index on next_attempt_at, not by reading the outbox", () => {
    const { store, sns } = open();
    const source = ((sns as unknown as { s: Record<string, { source: string }> }).s.due!).source;
    const details = (store.db.prepare(`EXPLAIN QUERY PLAN ${source}`).all(0, 0) as { detail: string }[]).map((r) => r.detail);
    expect(details.join("\n")).toContain("SEARCH d USING INDEX sns_deliveries_due (next_attempt_at<?)");
    expect(details.filter((d) => d.startsWith("SCAN"))).toEqual([]);
  });

  it("leaves out the busy subscriptions' deliveries and gives the others' oldest first, each read from its own index range (review20 R20-11)", () => {
    const { store, sns } = open();
    // A hung subscriber's backlog, all older than the others' deliveries.
    for (let i = 0; i < 50; i++) sns.publish([{ message: message(`old${i}`), subscriptions: [`${TOPIC}:a`] }], i);
    sns.publish([{ message: message("m1"), subscriptions: [`${TOPIC}:b`, `${TOPIC}:c`] }], 100);
    sns.publish([{ message: message("m2"), subscriptions: [`${TOPIC}:c`] }], 200);
    sns.publish([{ message: message("m3"), subscriptions: [`${TOPIC}:b`] }], 300);
    expect(sns.due(1_000, 3, [`${TOPIC}:a`]).map((d) => [d.message.MessageId, d.subscriptionArn.slice(-1)])).toEqual([["m1", "b"], ["m1", "c"], ["m2", "c"]]);
    expect(sns.due(250, 10, [`${TOPIC}:a`, `${TOPIC}:b`]).map((d) => d.message.MessageId)).toEqual(["m1", "m2"]);
    const source = ((sns as unknown as { s: Record<string, { source: string }> }).s.dueOf!).source;
    const details = (store.db.prepare(`EXPLAIN QUERY PLAN ${source}`).all("x", 0, 1) as { detail: string }[]).map((r) => r.detail);
    expect(details.join("\n")).toContain("SEARCH d USING INDEX sns_deliveries_subscription (subscription_arn=? AND next_attempt_at<?)");
  });

  it("holds a FIFO group's later deliveries out of the due queries until the one before is finished, whatever the backlog (review40)", () => {
    const { store, sns } = open();
    const fifo = (id: string): StoredMessage => ({ ...message(id), MessageGroupId: "g", SequenceNumber: id });
    for (let i = 0; i < 1_000; i++) sns.publish([{ message: fifo(`f${i}`), subscriptions: [`${TOPIC}:a`] }], 10);
    sns.publish([{ message: message("standard"), subscriptions: [`${TOPIC}:b`] }], 20);
    const first = sns.due(30, 10);
    expect(first.map((d) => d.message.MessageId)).toEqual(["f0", "standard"]);
    // The group's head waits for a retry: the rest of the group stays held, and no later time is due for it.
    sns.retryAt(first[0]!.id, 5_000);
    sns.finish([first[1]!], 30);
    expect(sns.due(4_999, 10)).toEqual([]);
    expect(sns.nextDueAfter(30)).toBe(5_000);
    const [retry] = sns.due(5_000, 10);
    sns.finish([retry!], 5_000);
    expect(sns.due(5_000, 10).map((d) => d.message.MessageId)).toEqual(["f1"]);
    // The held rows are never read: the due query reads as many rows as it returns.
    const rows = (store.db.prepare("SELECT count(*) AS n FROM sns_deliveries WHERE next_attempt_at <= ?").get(5_000) as { n: number }).n;
    expect(rows).toBe(1);
  });
});
