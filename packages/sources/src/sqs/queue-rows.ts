// The SQS tables' rows as the service reads them (QueueStore), and as SQLite holds them.
import type { MessageAttributeValue } from "./message-md5.ts";

export interface QueueRow {
  name: string;
  fifo: boolean;
  attributes: Record<string, string>;
  tags: Record<string, string>;
  createdAt: number;
  modifiedAt: number;
  lastPurgeAt: number | null;
}

export interface MessageRow {
  seq: number;
  queue: string;
  messageId: string;
  body: string;
  messageAttributes?: Record<string, MessageAttributeValue>;
  md5Body: string;
  md5Attributes?: string;
  sentAt: number;
  visibleAt: number;
  receiveCount: number;
  firstReceiveAt: number | null;
  receiptHandle: string | null;
  groupId: string | null;
  dedupId: string | null;
  sequenceNumber: string | null;
  /** The AWSTraceHeader system attribute, when the sender gave one. */
  traceHeader?: string;
  /** true: a mapping took it and every one of its batches so far was throttled (DeadLetterLedger). */
  neverReachedFunction?: boolean;
  /** The queue a redrive moved it from (its DeadLetterQueueSourceArn), if one did. */
  deadLetterSource?: string;
}

export type NewMessage = Omit<MessageRow, "seq" | "receiveCount" | "firstReceiveAt" | "receiptHandle" | "neverReachedFunction" | "deadLetterSource">;

export interface RawMessage {
  seq: number; queue: string; message_id: string; body: string; message_attributes: string | null; md5_body: string; md5_attributes: string | null;
  sent_at: number; visible_at: number; receive_count: number; first_receive_at: number | null; receipt_handle: string | null;
  group_id: string | null; dedup_id: string | null; sequence_number: string | null; trace_header: string | null;
  never_reached_function?: number | null;
  dead_letter_source?: string | null;
}

export function toQueue(r: Record<string, unknown>): QueueRow {
  return {
    name: r.name as string,
    fifo: r.fifo === 1,
    attributes: JSON.parse(r.attributes as string),
    tags: JSON.parse(r.tags as string),
    createdAt: r.created_at as number,
    modifiedAt: r.modified_at as number,
    lastPurgeAt: (r.last_purge_at as number | null) ?? null,
  };
}

export function toMessage(r: RawMessage): MessageRow {
  return {
    seq: r.seq,
    queue: r.queue,
    messageId: r.message_id,
    body: r.body,
    messageAttributes: r.message_attributes === null ? undefined : JSON.parse(r.message_attributes),
    md5Body: r.md5_body,
    md5Attributes: r.md5_attributes ?? undefined,
    sentAt: r.sent_at,
    visibleAt: r.visible_at,
    receiveCount: r.receive_count,
    firstReceiveAt: r.first_receive_at,
    receiptHandle: r.receipt_handle,
    groupId: r.group_id,
    dedupId: r.dedup_id,
    sequenceNumber: r.sequence_number,
    traceHeader: r.trace_header ?? undefined,
    ...(r.never_reached_function === 1 ? { neverReachedFunction: true } : {}),
    ...(typeof r.dead_letter_source === "string" ? { deadLetterSource: r.dead_letter_source } : {}),
  };
}
