import type { Store } from "@lambda-sim/core";

import { toMessage, toQueue, type MessageRow, type NewMessage, type QueueRow, type RawMessage } from "./queue-rows.ts";

export type { MessageRow, NewMessage, QueueRow };

/**
 * The SQS tables, one named statement per transition (STYLE.md: storage operations are named
 * transitions, as in BullMQ). Every method is synchronous and runs inside the caller's transaction
 * when there is one; times are service time from the caller's Clock.
 */
export class QueueStore {
  private readonly store: Store;
  private readonly s;
  /**
   * Queue rows by name: every API call and every poll resolves its queue, and parsing the row's
   * JSON each time showed in profiles. Dropped on every write to the queue row; filled inside a
   * transaction only for rows no transaction wrote since the last read outside one (a write
   * could still roll back); frozen, so nobody edits a shared row by accident.
   */
  private readonly queues = new Map<string, QueueRow>();
  private readonly writtenInTransaction = new Set<string>();

  constructor(store: Store) {
    this.store = store;
    const db = store.db;
    this.s = {
      insertQueue: db.prepare("INSERT INTO sqs_queues (name, fifo, attributes, tags, created_at, modified_at) VALUES (?, ?, ?, ?, ?, ?)"),
      getQueue: db.prepare("SELECT * FROM sqs_queues WHERE name = ?"),
      listQueues: db.prepare("SELECT * FROM sqs_queues ORDER BY name"),
      deleteQueue: db.prepare("DELETE FROM sqs_queues WHERE name = ?"),
      updateAttributes: db.prepare("UPDATE sqs_queues SET attributes = ?, modified_at = ? WHERE name = ?"),
      updateTags: db.prepare("UPDATE sqs_queues SET tags = ? WHERE name = ?"),
      setPurge: db.prepare("UPDATE sqs_queues SET last_purge_at = ? WHERE name = ?"),
      insertMessage: db.prepare(
        `INSERT INTO sqs_messages (queue, message_id, body, message_attributes, md5_body, md5_attributes, sent_at, visible_at, group_id, dedup_id, sequence_number, trace_header)
         VALUES (@queue, @messageId, @body, @messageAttributes, @md5Body, @md5Attributes, @sentAt, @visibleAt, @groupId, @dedupId, @sequenceNumber, @traceHeader)`,
      ),
      // Standard queues promise no order: oldest-visible first walks the visibility index without
      // sorting the backlog (ORDER BY seq sorted every visible row on each receive).
      visible: db.prepare("SELECT * FROM sqs_messages WHERE queue = ? AND visible_at <= ? ORDER BY visible_at, seq LIMIT ?"),
      // FIFO: send order, leaving out groups with a message in flight (aws-facts §6 FIFO ordering),
      // so a long blocked group cannot hide the other groups' messages behind it.
      visibleFifo: db.prepare(
        `SELECT * FROM sqs_messages WHERE queue = @queue AND visible_at <= @now AND (group_id IS NULL OR group_id NOT IN
           (SELECT group_id FROM sqs_messages WHERE queue = @queue AND visible_at > @now AND receive_count > 0 AND group_id IS NOT NULL))
         ORDER BY seq LIMIT @limit`,
      ),
      markReceived: db.prepare(
        "UPDATE sqs_messages SET visible_at = ?, receive_count = receive_count + 1, first_receive_at = COALESCE(first_receive_at, ?), receipt_handle = ? WHERE seq = ?",
      ),
      // A receipt handle names its message's row: a primary-key lookup, then the handle must match.
      byReceipt: db.prepare("SELECT * FROM sqs_messages WHERE seq = ? AND +queue = ? AND receipt_handle = ?"),
      deleteByReceipt: db.prepare("DELETE FROM sqs_messages WHERE seq = ? AND +queue = ? AND receipt_handle = ?"),
      // Handles given out before they named the row (in flight across the upgrade): read the queue.
      byReceiptOfOld: db.prepare("SELECT * FROM sqs_messages WHERE queue = ? AND receipt_handle = ?"),
      deleteByReceiptOfOld: db.prepare("DELETE FROM sqs_messages WHERE queue = ? AND receipt_handle = ?"),
      exists: db.prepare("SELECT 1 FROM sqs_messages WHERE seq = ?").pluck(),
      byMessageId: db.prepare("SELECT * FROM sqs_messages WHERE message_id = ?"),
      deleteMessage: db.prepare("DELETE FROM sqs_messages WHERE seq = ?"),
      setVisibleAt: db.prepare("UPDATE sqs_messages SET visible_at = ? WHERE seq = ?"),
      setNeverReached: db.prepare("UPDATE sqs_messages SET never_reached_function = ? WHERE seq = ?"),
      moveMessage: db.prepare(
        "UPDATE sqs_messages SET queue = ?, visible_at = ?, receive_count = 0, first_receive_at = NULL, receipt_handle = NULL, dead_letter_source = ?, never_reached_function = NULL WHERE seq = ?",
      ),
      movableFrom: db.prepare("SELECT seq, dead_letter_source FROM sqs_messages WHERE queue = ? ORDER BY seq"),
      purge: db.prepare("DELETE FROM sqs_messages WHERE queue = ? AND sent_at <= ?"),
      expire: db.prepare("DELETE FROM sqs_messages WHERE queue = ? AND sent_at <= ?"),
      // Range counts on the visibility index: the visible backlog is counted in the index alone,
      // instead of reading every row of the queue (GetQueueAttributes is polled by dashboards).
      counts: db.prepare(
        `SELECT
           (SELECT COUNT(*) FROM sqs_messages WHERE queue = @queue AND visible_at <= @now) AS visible,
           (SELECT COUNT(*) FROM sqs_messages WHERE queue = @queue AND visible_at > @now AND receive_count > 0) AS inflight,
           (SELECT COUNT(*) FROM sqs_messages WHERE queue = @queue AND visible_at > @now AND receive_count = 0) AS delayed`,
      ),
      oldestSent: db.prepare("SELECT MIN(sent_at) AS at FROM sqs_messages WHERE queue = ?"),
      nextVisible: db.prepare("SELECT MIN(visible_at) AS at FROM sqs_messages WHERE queue = ? AND visible_at > ?"),
      findDedup: db.prepare("SELECT message_id, sequence_number FROM sqs_dedup WHERE queue = ? AND dedup_id = ? AND expires_at > ?"),
      upsertDedup: db.prepare("INSERT OR REPLACE INTO sqs_dedup (queue, dedup_id, message_id, sequence_number, expires_at) VALUES (?, ?, ?, ?, ?)"),
      peek: db.prepare("SELECT * FROM sqs_messages WHERE queue = ? ORDER BY seq LIMIT ?"),
    };
  }

  transaction<T>(fn: () => T): T {
    return this.store.transaction(fn);
  }

  createQueue(q: Omit<QueueRow, "lastPurgeAt">): void {
    this.changing(q.name);
    this.s.insertQueue.run(q.name, q.fifo ? 1 : 0, JSON.stringify(q.attributes), JSON.stringify(q.tags), q.createdAt, q.modifiedAt);
  }

  getQueue(name: string): QueueRow | undefined {
    if (!this.store.db.inTransaction) this.writtenInTransaction.clear(); // every transaction before this read is over
    const cached = this.queues.get(name);
    if (cached !== undefined) return cached;
    const r = this.s.getQueue.get(name) as Record<string, unknown> | undefined;
    if (r === undefined) return undefined;
    const q = toQueue(r);
    Object.freeze(q.attributes);
    Object.freeze(q.tags);
    Object.freeze(q);
    if (!this.store.db.inTransaction || !this.writtenInTransaction.has(name)) this.queues.set(name, q);
    return q;
  }

  /** The queue row changes: its cached copy goes. */
  private changing(name: string): void {
    this.queues.delete(name);
    if (this.store.db.inTransaction) this.writtenInTransaction.add(name);
  }

  listQueues(): QueueRow[] {
    return (this.s.listQueues.all() as Record<string, unknown>[]).map(toQueue);
  }

  deleteQueue(name: string): void {
    this.changing(name);
    this.s.deleteQueue.run(name);
  }

  setAttributes(name: string, attributes: Record<string, string>, now: number): void {
    this.changing(name);
    this.s.updateAttributes.run(JSON.stringify(attributes), now, name);
  }

  setTags(name: string, tags: Record<string, string>): void {
    this.changing(name);
    this.s.updateTags.run(JSON.stringify(tags), name);
  }

  insertMessage(m: NewMessage): void {
    this.s.insertMessage.run({
      ...m,
      messageAttributes: m.messageAttributes === undefined ? null : JSON.stringify(m.messageAttributes),
      md5Attributes: m.md5Attributes ?? null,
      traceHeader: m.traceHeader ?? null,
    });
  }

  /** Visible messages, oldest visible first (at most `limit`), for a receive to choose from. */
  visibleMessages(queue: string, now: number, limit: number): MessageRow[] {
    return (this.s.visible.all(queue, now, limit) as RawMessage[]).map(toMessage);
  }

  /** FIFO: visible messages in send order whose group has nothing in flight. */
  visibleFifoMessages(queue: string, now: number, limit: number): MessageRow[] {
    return (this.s.visibleFifo.all({ queue, now, limit }) as RawMessage[]).map(toMessage);
  }

  markReceived(seq: number, visibleAt: number, now: number, receiptHandle: string): void {
    this.s.markReceived.run(visibleAt, now, receiptHandle, seq);
  }

  /** The message this receipt handle is current for; `seq` from the handle (undefined: an old handle). */
  byReceipt(queue: string, receiptHandle: string, seq: number | undefined): MessageRow | undefined {
    const r = (seq === undefined ? this.s.byReceiptOfOld.get(queue, receiptHandle) : this.s.byReceipt.get(seq, queue, receiptHandle)) as RawMessage | undefined;
    return r === undefined ? undefined : toMessage(r);
  }

  /** Whether the message in this row is still stored (in any queue). */
  exists(seq: number): boolean {
    return this.s.exists.get(seq) !== undefined;
  }

  /** Reads every message: only for receipt handles from before they named the row. */
  byMessageId(messageId: string): MessageRow | undefined {
    const r = this.s.byMessageId.get(messageId) as RawMessage | undefined;
    return r === undefined ? undefined : toMessage(r);
  }

  deleteMessage(seq: number): void {
    this.s.deleteMessage.run(seq);
  }

  /** Deletes the message this receipt handle is current for; false when it is not current. */
  deleteByReceipt(queue: string, receiptHandle: string, seq: number | undefined): boolean {
    return (seq === undefined ? this.s.deleteByReceiptOfOld.run(queue, receiptHandle) : this.s.deleteByReceipt.run(seq, queue, receiptHandle)).changes > 0;
  }

  setVisibleAt(seq: number, visibleAt: number): void {
    this.s.setVisibleAt.run(visibleAt, seq);
  }

  /** A mapping's batches so far were all throttled (true), or one ran with the message (false: the mark goes). */
  setNeverReachedFunction(seq: number, never: boolean): void {
    this.s.setNeverReached.run(never ? 1 : null, seq);
  }

  /** Redrive: the message moves to the dead-letter queue as a fresh, visible message. */
  moveMessage(seq: number, toQueue: string, now: number, deadLetterSource: string | null = null): void {
    this.s.moveMessage.run(toQueue, now, deadLetterSource, seq);
  }

  /** Every message of a queue with the queue it was redriven from (StartMessageMoveTask). */
  movable(queue: string): { seq: number; deadLetterSource: string | null }[] {
    return (this.s.movableFrom.all(queue) as { seq: number; dead_letter_source: string | null }[]).map((r) => ({ seq: r.seq, deadLetterSource: r.dead_letter_source }));
  }

  purge(queue: string, now: number): void {
    this.changing(queue);
    this.s.purge.run(queue, now);
    this.s.setPurge.run(now, queue);
  }

  /** Retention: messages sent at or before `sentBefore` are gone. Whether any were. */
  expire(queue: string, sentBefore: number): boolean {
    return this.s.expire.run(queue, sentBefore).changes > 0;
  }

  counts(queue: string, now: number): { visible: number; inflight: number; delayed: number } {
    const r = this.s.counts.get({ queue, now }) as { visible: number | null; inflight: number | null; delayed: number | null };
    return { visible: r.visible ?? 0, inflight: r.inflight ?? 0, delayed: r.delayed ?? 0 };
  }

  /** When the oldest message still in the queue was sent (ApproximateAgeOfOldestMessage). */
  oldestSentAt(queue: string): number | undefined {
    return (this.s.oldestSent.get(queue) as { at: number | null }).at ?? undefined;
  }

  /** When the next hidden message becomes visible (for long polls), if any. */
  nextVisibleAt(queue: string, now: number): number | undefined {
    const r = this.s.nextVisible.get(queue, now) as { at: number | null };
    return r.at ?? undefined;
  }

  findDedup(queue: string, dedupId: string, now: number): { messageId: string; sequenceNumber: string | null } | undefined {
    const r = this.s.findDedup.get(queue, dedupId, now) as { message_id: string; sequence_number: string | null } | undefined;
    return r === undefined ? undefined : { messageId: r.message_id, sequenceNumber: r.sequence_number };
  }

  rememberDedup(queue: string, dedupId: string, messageId: string, sequenceNumber: string | null, expiresAt: number): void {
    this.s.upsertDedup.run(queue, dedupId, messageId, sequenceNumber, expiresAt);
  }

  /** Messages as stored, without touching visibility (for `/_sim/queues/NAME/messages`). */
  peek(queue: string, limit: number): MessageRow[] {
    return (this.s.peek.all(queue, limit) as RawMessage[]).map(toMessage);
  }
}
