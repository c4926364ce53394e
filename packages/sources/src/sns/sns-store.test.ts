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
  for (const s of ["a", "b"]) sns.subscribe({ arn: `${TOPIC}:${s}`, topicArn: TOPIC, protocol: "sqs", endpoint: `arn:aws:sqs:us-east-1:000000000000:${s}`, attributes: {}, token: s, pending: false }, 0);
  return { store, sns };
}

describe("SnsStore", () => {
  it("keeps a message until its last delivery settles, and brings retries due at their time", () => {
    const { sns } = open();
    sns.publish([{ message: message("m1"), subscriptions: [`${TOPIC}:a`, `${TOPIC}:b`] }, { message: message("m2"), subscriptions: [] }], 100);
    const due = sns.due(100, 10);
    expect(due.map((d) => [d.message.MessageId, d.subscriptionArn])).toEqual([["m1", `${TOPIC}:a`], ["m1", `${TOPIC}:b`]]);
    sns.retryAt(due[1]!.id, 20_100);
    sns.finish([due[0]!]);
    expect(sns.pendingDeliveries(TOPIC)).toBe(1);
    expect(sns.due(20_099, 10)).toEqual([]);
    expect(sns.nextDueAfter(100)).toBe(20_100);
    const [retry] = sns.due(20_100, 10);
    expect(retry).toMatchObject({ attempts: 1, firstAttemptAt: 100, message: { MessageId: "m1" } });
    sns.finish([retry!]);
    expect(sns.pendingDeliveries(TOPIC)).toBe(0);
  });

  it("finds due deliveries through the index on next_attempt_at, not by reading the outbox", () => {
    const { store, sns } = open();
    const source = ((sns as unknown as { s: Record<string, { source: string }> }).s.due!).source;
    const details = (store.db.prepare(`EXPLAIN QUERY PLAN ${source}`).all(0, 0) as { detail: string }[]).map((r) => r.detail);
    expect(details.join("\n")).toContain("SEARCH d USING INDEX sns_deliveries_due (next_attempt_at<?)");
    expect(details.filter((d) => d.startsWith("SCAN"))).toEqual([]);
  });
});
