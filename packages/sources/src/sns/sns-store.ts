import { LAST_DATE_MS } from "@lambda-sim/core";
import type { Store } from "@lambda-sim/core";

/** FIFO topics drop a deduplication id seen within 5 minutes (SNS FIFO message deduplication). */
export const DEDUP_WINDOW_MS = 5 * 60_000;

export interface TopicRow {
  arn: string;
  name: string;
  fifo: boolean;
  attributes: Record<string, string>;
  tags: { Key: string; Value: string }[];
  createdAt: number;
}

export interface SubscriptionRow {
  arn: string;
  topicArn: string;
  protocol: string;
  endpoint: string;
  attributes: Record<string, string>;
  token: string;
  pending: boolean;
  /** Service time it was created (read back from the store; the order ListSubscriptions lists in). */
  createdAt?: number;
}

/** A published message as every delivery needs it (AWS names where the envelope has them). */
export interface StoredMessage {
  MessageId: string;
  TopicArn: string;
  Message: string;
  /** The per-protocol bodies of `MessageStructure: json` (`default`, `sqs`, `lambda`, `http`, ...). */
  Structured?: Record<string, string>;
  Subject?: string;
  MessageAttributes?: Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }>;
  /** Epoch ms of acceptance: the envelope's `Timestamp`. */
  PublishedAt: number;
  MessageGroupId?: string;
  MessageDeduplicationId?: string;
  SequenceNumber?: string;
  /** The publisher's X-Ray trace (X-Amzn-Trace-Id): deliveries carry it, and its Lineage, on (recursive loops). */
  TraceHeader?: string;
}

export interface DueDelivery {
  id: number;
  messageId: number;
  subscriptionArn: string;
  attempts: number;
  firstAttemptAt: number;
  message: StoredMessage;
}

/**
 * A FIFO topic's subscription takes its message groups one message at a time, in order: a delivery
 * behind an earlier one of its group (in flight or waiting to be retried) is held, with this as its
 * next_attempt_at (the largest time a Date holds), and made due when the one before it is
 * finished. SNS "Amazon SNS message grouping for FIFO topics": "Messages that belong to the same
 * group are processed one by one, in a strict order relative to the group." Held rows are never
 * scanned by the due queries, however long a group's backlog (review40).
 */
const HELD = LAST_DATE_MS;

interface TopicDb { arn: string; name: string; attributes: string; tags: string; created_at: number }
interface SubDb { arn: string; topic_arn: string; protocol: string; endpoint: string; attributes: string; token: string; pending: number; created_at: number }
interface DueDb { id: number; message_id: number; subscription_arn: string; attempts: number; next_attempt_at: number; first_attempt_at: number; message: string }

const topic = (r: TopicDb): TopicRow => ({ arn: r.arn, name: r.name, fifo: r.name.endsWith(".fifo"), attributes: JSON.parse(r.attributes), tags: JSON.parse(r.tags), createdAt: r.created_at });
const sub = (r: SubDb): SubscriptionRow => ({ arn: r.arn, topicArn: r.topic_arn, protocol: r.protocol, endpoint: r.endpoint, attributes: JSON.parse(r.attributes), token: r.token, pending: r.pending === 1, createdAt: r.created_at });

/**
 * SNS's tables as named transitions (STYLE.md 7.9): topics, subscriptions, and the outbox of
 * deliveries. `publish` writes the message and one delivery per matched subscription in one
 * transaction, so an accepted message survives a SIGKILL until each subscriber has it.
 */
export class SnsStore {
  private readonly db: Store["db"];
  private readonly s;
  private readonly tx;
  private readonly topicCache = new Map<string, TopicRow>();
  /** FIFO deduplication ids written; expired ones are deleted every 1,000th. */
  private dedupWrites = 0;

  constructor(store: Store) {
    const db = store.db;
    this.db = db;
    const subSelect = "SELECT arn, topic_arn, protocol, endpoint, attributes, token, pending, created_at FROM sns_subscriptions";
    this.s = {
      topic: db.prepare<[string], TopicDb>("SELECT arn, name, attributes, tags, created_at FROM sns_topics WHERE arn = ?"),
      topics: db.prepare<[], TopicDb>("SELECT arn, name, attributes, tags, created_at FROM sns_topics ORDER BY arn"),
      putTopic: db.prepare("INSERT INTO sns_topics (arn, name, attributes, tags, created_at) VALUES (?, ?, ?, ?, ?)"),
      setTopicAttributes: db.prepare("UPDATE sns_topics SET attributes = ? WHERE arn = ?"),
      setTags: db.prepare("UPDATE sns_topics SET tags = ? WHERE arn = ?"),
      deleteTopic: db.prepare("DELETE FROM sns_topics WHERE arn = ?"),
      sub: db.prepare<[string], SubDb>(`${subSelect} WHERE arn = ?`),
      subByToken: db.prepare<[string], SubDb>(`${subSelect} WHERE token = ?`),
      subs: db.prepare<[], SubDb>(`${subSelect} ORDER BY created_at, arn`),
      subsOf: db.prepare<[string], SubDb>(`${subSelect} WHERE topic_arn = ? ORDER BY created_at, arn`),
      putSub: db.prepare("INSERT INTO sns_subscriptions (arn, topic_arn, protocol, endpoint, attributes, token, pending, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
      setSubAttributes: db.prepare("UPDATE sns_subscriptions SET attributes = ? WHERE arn = ?"),
      confirm: db.prepare("UPDATE sns_subscriptions SET pending = 0 WHERE arn = ?"),
      deleteSub: db.prepare("DELETE FROM sns_subscriptions WHERE arn = ?"),
      putMessage: db.prepare<[string, string], { id: number }>("INSERT INTO sns_messages (topic_arn, message) VALUES (?, ?) RETURNING id"),
      putDelivery: db.prepare("INSERT INTO sns_deliveries (message_id, subscription_arn, attempts, next_attempt_at, first_attempt_at, message_group_id) VALUES (?, ?, 0, ?, ?, ?)"),
      groupWaits: db.prepare<[string, string], { id: number }>("SELECT id FROM sns_deliveries WHERE subscription_arn = ? AND message_group_id = ? LIMIT 1"),
      // The next of the group, now that the one before it is finished.
      promote: db.prepare(
        `UPDATE sns_deliveries SET next_attempt_at = ? WHERE id = (SELECT min(id) FROM sns_deliveries WHERE subscription_arn = ? AND message_group_id = ?) AND next_attempt_at = ${HELD}`,
      ),
      due: db.prepare<[number, number], DueDb>(
        `SELECT d.id, d.message_id, d.subscription_arn, d.attempts, d.next_attempt_at, d.first_attempt_at, m.message FROM sns_deliveries d
         JOIN sns_messages m ON m.id = d.message_id WHERE d.next_attempt_at <= ? ORDER BY d.next_attempt_at, d.id LIMIT ?`,
      ),
      // The subscriptions with deliveries, one index seek each (a loose index scan): no walk over
      // any subscription's backlog.
      subscriptionsWithDeliveries: db.prepare<[], { arn: string }>(
        `WITH RECURSIVE subs(arn) AS (
           SELECT min(subscription_arn) FROM sns_deliveries
           UNION ALL SELECT (SELECT min(subscription_arn) FROM sns_deliveries WHERE subscription_arn > subs.arn) FROM subs WHERE subs.arn IS NOT NULL
         ) SELECT arn FROM subs WHERE arn IS NOT NULL`,
      ),
      dueOf: db.prepare<[string, number, number], DueDb>(
        `SELECT d.id, d.message_id, d.subscription_arn, d.attempts, d.next_attempt_at, d.first_attempt_at, m.message FROM sns_deliveries d
         JOIN sns_messages m ON m.id = d.message_id WHERE d.subscription_arn = ? AND d.next_attempt_at <= ?
         ORDER BY d.next_attempt_at, d.id LIMIT ?`,
      ),
      nextDueAfter: db.prepare<[number], { at: number | null }>(`SELECT min(next_attempt_at) AS at FROM sns_deliveries WHERE next_attempt_at > ? AND next_attempt_at < ${HELD}`),
      pendingOf: db.prepare<[string], { n: number }>("SELECT count(*) AS n FROM sns_deliveries d JOIN sns_messages m ON m.id = d.message_id WHERE m.topic_arn = ?"),
      deleteDelivery: db.prepare<[number], { subscription_arn: string; message_group_id: string | null }>("DELETE FROM sns_deliveries WHERE id = ? RETURNING subscription_arn, message_group_id"),
      deleteMessageIfDone: db.prepare("DELETE FROM sns_messages WHERE id = ? AND NOT EXISTS (SELECT 1 FROM sns_deliveries WHERE message_id = ?)"),
      retry: db.prepare("UPDATE sns_deliveries SET attempts = attempts + 1, next_attempt_at = ? WHERE id = ?"),
      findDedup: db.prepare<[string, string, number], { message_id: string; sequence_number: string }>(
        "SELECT message_id, sequence_number FROM sns_dedup WHERE topic_arn = ? AND dedup_id = ? AND expires_at > ?",
      ),
      upsertDedup: db.prepare("INSERT OR REPLACE INTO sns_dedup (topic_arn, dedup_id, message_id, sequence_number, expires_at) VALUES (?, ?, ?, ?, ?)"),
      pruneDedup: db.prepare("DELETE FROM sns_dedup WHERE expires_at <= ?"),
    };
    const s = this.s;
    this.tx = {
      publish: store.writer((messages: { message: StoredMessage; subscriptions: string[] }[], now: number) => {
        for (const { message, subscriptions } of messages) {
          // A FIFO message's deduplication id is remembered even when no subscription matched it.
          if (message.SequenceNumber !== undefined && message.MessageDeduplicationId !== undefined) {
            s.upsertDedup.run(message.TopicArn, message.MessageDeduplicationId, message.MessageId, message.SequenceNumber, message.PublishedAt + DEDUP_WINDOW_MS);
            if (++this.dedupWrites % 1_000 === 0) s.pruneDedup.run(now);
          }
          if (subscriptions.length === 0) continue;
          const { id } = s.putMessage.get(message.TopicArn, JSON.stringify(message))!;
          const group = message.SequenceNumber === undefined ? null : (message.MessageGroupId ?? null);
          for (const arn of subscriptions) s.putDelivery.run(id, arn, group !== null && s.groupWaits.get(arn, group) !== undefined ? HELD : now, now, group);
        }
      }),
      finish: store.writer((done: readonly Pick<DueDelivery, "id" | "messageId">[], now: number) => {
        for (const d of done) {
          const row = s.deleteDelivery.get(d.id);
          if (row?.message_group_id != null) s.promote.run(now, row.subscription_arn, row.message_group_id);
        }
        for (const id of new Set(done.map((d) => d.messageId))) s.deleteMessageIfDone.run(id, id);
      }),
    };
  }

  /** Every Publish reads its topic: kept parsed until any topic changes (this class makes every change). */
  topic(arn: string): TopicRow | undefined {
    const cached = this.topicCache.get(arn);
    if (cached !== undefined) return cached;
    const r = this.s.topic.get(arn);
    if (r === undefined) return undefined; // not remembered: a caller naming many missing topics would grow the cache
    const t = topic(r);
    this.topicCache.set(arn, t);
    return t;
  }

  topics(): TopicRow[] {
    return this.s.topics.all().map(topic);
  }

  createTopic(t: Omit<TopicRow, "fifo">): void {
    this.topicCache.clear();
    this.s.putTopic.run(t.arn, t.name, JSON.stringify(t.attributes), JSON.stringify(t.tags), t.createdAt);
  }

  setTopicAttributes(arn: string, attributes: Record<string, string>): void {
    this.topicCache.clear();
    this.s.setTopicAttributes.run(JSON.stringify(attributes), arn);
  }

  setTags(arn: string, tags: { Key: string; Value: string }[]): void {
    this.topicCache.clear();
    this.s.setTags.run(JSON.stringify(tags), arn);
  }

  /** Deletes the topic with its subscriptions; deliveries already accepted still go out. */
  deleteTopic(arn: string): void {
    this.topicCache.clear();
    this.s.deleteTopic.run(arn);
  }

  subscription(arn: string): SubscriptionRow | undefined {
    const r = this.s.sub.get(arn);
    return r && sub(r);
  }

  subscriptionByToken(token: string): SubscriptionRow | undefined {
    const r = this.s.subByToken.get(token);
    return r && sub(r);
  }

  subscriptions(topicArn?: string): SubscriptionRow[] {
    return (topicArn === undefined ? this.s.subs.all() : this.s.subsOf.all(topicArn)).map(sub);
  }

  subscribe(s: SubscriptionRow, now: number): void {
    this.s.putSub.run(s.arn, s.topicArn, s.protocol, s.endpoint, JSON.stringify(s.attributes), s.token, s.pending ? 1 : 0, now);
  }

  setSubscriptionAttributes(arn: string, attributes: Record<string, string>): void {
    this.s.setSubAttributes.run(JSON.stringify(attributes), arn);
  }

  confirm(arn: string): void {
    this.s.confirm.run(arn);
  }

  unsubscribe(arn: string): void {
    this.s.deleteSub.run(arn);
  }

  /** The message a FIFO topic accepted with this deduplication id within the last 5 minutes. */
  duplicateOf(topicArn: string, dedupId: string, now: number): { messageId: string; sequenceNumber: string } | undefined {
    const r = this.s.findDedup.get(topicArn, dedupId, now);
    return r === undefined ? undefined : { messageId: r.message_id, sequenceNumber: r.sequence_number };
  }

  /** Stores messages with one delivery each per subscription ARN they matched, in one transaction. */
  publish(messages: { message: StoredMessage; subscriptions: string[] }[], now: number): void {
    this.tx.publish(messages, now);
  }

  /**
   * Deliveries due at `now`, oldest first. With `except`, the other subscriptions' only, each read
   * up to `upTo(arn)` rows (what a pass can take from it: reading more per subscription made a pass
   * over 200 subscriptions cost 80 ms, review22 R22-1); a subscription with none to give is not read.
   */
  due(now: number, limit: number, except: readonly string[] = [], upTo: (subscriptionArn: string) => number = () => limit): DueDelivery[] {
    // A message's deliveries share one parsed copy (they only read it).
    const parsed = new Map<number, StoredMessage>();
    const rows = except.length === 0 ? this.s.due.all(now, limit) : this.dueExcept(now, limit, new Set(except), upTo);
    return rows.map((r) => {
      let message = parsed.get(r.message_id);
      if (message === undefined) parsed.set(r.message_id, (message = JSON.parse(r.message) as StoredMessage));
      return { id: r.id, messageId: r.message_id, subscriptionArn: r.subscription_arn, attempts: r.attempts, firstAttemptAt: r.first_attempt_at, message };
    });
  }

  /**
   * The oldest due deliveries of the subscriptions not in `except`: each one's oldest from its own
   * index range, merged. The ones left out are the busiest (a hung subscriber's backlog), the
   * very rows a single query in due order would walk past first.
   */
  private dueExcept(now: number, limit: number, except: ReadonlySet<string>, upTo: (subscriptionArn: string) => number): DueDb[] {
    const rows: DueDb[] = [];
    for (const { arn } of this.s.subscriptionsWithDeliveries.all()) {
      if (except.has(arn)) continue;
      const n = Math.min(limit, upTo(arn));
      if (n > 0) rows.push(...this.s.dueOf.all(arn, now, n));
    }
    return rows.sort((a, b) => a.next_attempt_at - b.next_attempt_at || a.id - b.id).slice(0, limit);
  }

  /** When the next delivery not yet due falls due (those due now are being worked). */
  nextDueAfter(now: number): number | undefined {
    return this.s.nextDueAfter.get(now)?.at ?? undefined;
  }

  /** Deliveries of the topic's messages not yet settled. */
  pendingDeliveries(topicArn: string): number {
    return this.s.pendingOf.get(topicArn)!.n;
  }

  /** These deliveries are over (delivered, dead-lettered or dropped); a message goes with its last one, and the next of a FIFO group falls due at `now`. */
  finish(done: readonly Pick<DueDelivery, "id" | "messageId">[], now: number): void {
    this.tx.finish(done, now);
  }

  retryAt(id: number, at: number): void {
    this.s.retry.run(at, id);
  }
}
