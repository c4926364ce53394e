import { createHash } from "node:crypto";
import { KeyedWaiters, type Clock, type RandomStream } from "@lambda-sim/core";
import { md5OfAttributes, md5OfBody, type MessageAttributeValue } from "./message-md5.ts";
import { parseRedrivePolicy } from "./queue-attributes.ts";
import type { QueueOperations } from "./queue-operations.ts";
import type { MessageRow, QueueRow, QueueStore } from "./queue-store.ts";
import { sqsErrors } from "./sqs-errors.ts";
import { checkBatch, eachEntry, type BatchResult } from "./each-entry.ts";

/** FIFO deduplication interval: 5 minutes (aws-facts §7). */
const DEDUP_WINDOW_MS = 5 * 60_000;
/** Characters SQS accepts in a body (aws-facts §7 InvalidMessageContents). */
const INVALID_CHARS = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\uD800-\uDBFF\uDC00-\uDFFF]/u;

export interface SendInput {
  QueueUrl?: string;
  MessageBody?: string;
  DelaySeconds?: number;
  MessageAttributes?: Record<string, MessageAttributeValue>;
  MessageGroupId?: string;
  MessageDeduplicationId?: string;
}

export interface ReceiveInput {
  QueueUrl?: string;
  MaxNumberOfMessages?: number;
  WaitTimeSeconds?: number;
  VisibilityTimeout?: number;
  AttributeNames?: string[];
  MessageSystemAttributeNames?: string[];
  MessageAttributeNames?: string[];
}

/**
 * Message-level SQS operations: send (delays, MD5s, FIFO groups and deduplication), receive
 * (visibility timeout, receive counts, redrive to the dead-letter queue, long polling on the
 * Clock), delete and change visibility, single and batched.
 */
export class MessageOperations {
  readonly waiters: KeyedWaiters;
  /** Told of every redrive to a dead-letter queue (the source reports it in telemetry). */
  onDeadLetter: (from: QueueRow, dlq: QueueRow, m: MessageRow, maxReceiveCount: number) => void = () => {};
  private readonly store: QueueStore;
  private readonly queues: QueueOperations;
  private readonly clock: Clock;
  private readonly ids: RandomStream;
  private sequence = 0n;

  constructor(store: QueueStore, queues: QueueOperations, clock: Clock, ids: RandomStream) {
    this.store = store;
    this.queues = queues;
    this.clock = clock;
    this.ids = ids;
    this.waiters = new KeyedWaiters(clock, "sqs.long-poll");
  }

  sendMessage(input: SendInput): Record<string, string> {
    const q = this.queues.resolve(input.QueueUrl);
    const out = this.store.transaction(() => this.send(q, input));
    this.waiters.notify(q.name);
    return out;
  }

  sendMessageBatch(input: { QueueUrl?: string; Entries?: (SendInput & { Id?: string })[] }): BatchResult<Record<string, string>> {
    const q = this.queues.resolve(input.QueueUrl);
    const entries = checkBatch(input.Entries);
    const total = entries.reduce((n, e) => n + Buffer.byteLength(e.MessageBody ?? "") + attributesSize(e.MessageAttributes), 0);
    if (total > 1_048_576) throw sqsErrors.batchTooLong(total);
    const result = this.store.transaction(() => eachEntry(entries, (e) => this.send(q, e)));
    this.waiters.notify(q.name);
    return result;
  }

  /** ReceiveMessage with long polling: waits on the Clock up to WaitTimeSeconds for a message. */
  async receiveMessage(input: ReceiveInput, signal?: AbortSignal): Promise<{ Messages?: Record<string, unknown>[] }> {
    const q = this.queues.resolve(input.QueueUrl);
    const max = input.MaxNumberOfMessages ?? 1;
    if (!Number.isInteger(max) || max < 1 || max > 10) throw sqsErrors.invalidValue(max, "MaxNumberOfMessages", "Must be between 1 and 10, if provided.");
    const wait = input.WaitTimeSeconds ?? Number(q.attributes.ReceiveMessageWaitTimeSeconds ?? 0);
    if (!Number.isInteger(wait) || wait < 0 || wait > 20) throw sqsErrors.invalidValue(wait, "WaitTimeSeconds", "Must be >= 0 and <= 20, if provided.");
    const visibility = input.VisibilityTimeout ?? Number(q.attributes.VisibilityTimeout);
    if (!Number.isInteger(visibility) || visibility < 0 || visibility > 43_200) {
      throw sqsErrors.invalidValue(visibility, "VisibilityTimeout", "Must be >= 0 and <= 43200, if provided.");
    }
    const deadline = this.clock.now() + wait * 1000;
    for (;;) {
      const received = this.store.transaction(() => this.receive(q, max, visibility * 1000));
      if (received.length > 0) return { Messages: received.map((m) => this.shape(q, m, input)) };
      const now = this.clock.now();
      if (now >= deadline || signal?.aborted) return {};
      const next = this.store.nextVisibleAt(q.name, now);
      await this.waiters.wait(q.name, Math.min(deadline, next ?? deadline) - now, signal);
    }
  }

  /** For the event source mapping's poller: one receive pass, rows as stored. */
  receiveRows(q: QueueRow, max: number, visibilityMs: number): MessageRow[] {
    return this.store.transaction(() => this.receive(q, max, visibilityMs));
  }

  /**
   * For the poller: deletes what a batch's successful messages left behind. A handle that is no
   * longer current (the visibility timeout ended during the invocation and the message was
   * received again; FIFO calls that expired) leaves its message to be delivered again, at least
   * once, and does not stop the others being deleted.
   */
  deleteHandles(q: QueueRow, handles: string[]): void {
    this.store.transaction(() => {
      for (const h of handles) {
        try {
          this.delete(q, h);
        } catch {
          // expired receipt handle: the message stays
        }
      }
    });
  }

  deleteMessage(input: { QueueUrl?: string; ReceiptHandle?: string }): Record<string, never> {
    const q = this.queues.resolve(input.QueueUrl);
    this.store.transaction(() => this.delete(q, input.ReceiptHandle));
    return {};
  }

  deleteMessageBatch(input: { QueueUrl?: string; Entries?: { Id?: string; ReceiptHandle?: string }[] }): BatchResult<Record<string, string>> {
    const q = this.queues.resolve(input.QueueUrl);
    const entries = checkBatch(input.Entries);
    return this.store.transaction(() => eachEntry(entries, (e) => this.delete(q, e.ReceiptHandle)));
  }

  changeMessageVisibility(input: { QueueUrl?: string; ReceiptHandle?: string; VisibilityTimeout?: number }): Record<string, never> {
    const q = this.queues.resolve(input.QueueUrl);
    this.store.transaction(() => this.changeVisibility(q, input.ReceiptHandle, input.VisibilityTimeout));
    this.waiters.notify(q.name);
    return {};
  }

  changeMessageVisibilityBatch(input: { QueueUrl?: string; Entries?: { Id?: string; ReceiptHandle?: string; VisibilityTimeout?: number }[] }): BatchResult<Record<string, string>> {
    const q = this.queues.resolve(input.QueueUrl);
    const entries = checkBatch(input.Entries);
    const result = this.store.transaction(() => eachEntry(entries, (e) => this.changeVisibility(q, e.ReceiptHandle, e.VisibilityTimeout)));
    this.waiters.notify(q.name);
    return result;
  }

  private send(q: QueueRow, input: SendInput): Record<string, string> {
    const body = input.MessageBody;
    if (body === undefined || body === "") throw sqsErrors.missingParameter("MessageBody");
    if (INVALID_CHARS.test(body)) throw sqsErrors.invalidParameterValue("Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF");
    const size = Buffer.byteLength(body) + attributesSize(input.MessageAttributes);
    const maxSize = Number(q.attributes.MaximumMessageSize);
    if (size > maxSize) throw sqsErrors.invalidParameterValue(`One or more parameters are invalid. Reason: Message must be shorter than ${maxSize} bytes.`);
    const now = this.clock.now();
    let delay = Number(q.attributes.DelaySeconds ?? 0);
    if (input.DelaySeconds !== undefined) {
      // Per-message delays are not allowed on FIFO queues (aws-facts §7).
      if (q.fifo) throw sqsErrors.invalidValue(input.DelaySeconds, "DelaySeconds", "The request include parameter that is not valid for this queue type.");
      if (!Number.isInteger(input.DelaySeconds) || input.DelaySeconds < 0 || input.DelaySeconds > 900) {
        throw sqsErrors.invalidValue(input.DelaySeconds, "DelaySeconds", "DelaySeconds must be >= 0 and <= 900.");
      }
      delay = input.DelaySeconds;
    }
    const md5Attributes = md5OfAttributes(input.MessageAttributes);
    let groupId: string | null = null;
    let dedupId: string | null = null;
    let sequenceNumber: string | null = null;
    if (q.fifo) {
      if (!input.MessageGroupId) throw sqsErrors.missingParameter("MessageGroupId");
      groupId = input.MessageGroupId;
      dedupId = input.MessageDeduplicationId ?? null;
      if (dedupId === null) {
        if (q.attributes.ContentBasedDeduplication !== "true") {
          throw sqsErrors.invalidParameterValue("The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly");
        }
        dedupId = createHash("sha256").update(body).digest("hex");
      }
      const seen = this.store.findDedup(q.name, dedupId, now);
      // A duplicate within the window is accepted but not enqueued again.
      if (seen !== undefined) return sendResult(seen.messageId, md5OfBody(body), md5Attributes, seen.sequenceNumber);
      sequenceNumber = this.nextSequenceNumber(now);
    } else if (input.MessageGroupId !== undefined) {
      groupId = input.MessageGroupId; // fair queues: accepted, no ordering semantics
    }
    const messageId = this.ids.uuid();
    const md5Body = md5OfBody(body);
    this.store.insertMessage({
      queue: q.name, messageId, body, messageAttributes: input.MessageAttributes, md5Body, md5Attributes,
      sentAt: now, visibleAt: now + delay * 1000, groupId, dedupId, sequenceNumber,
    });
    if (q.fifo && dedupId !== null) this.store.rememberDedup(q.name, dedupId, messageId, sequenceNumber, now + DEDUP_WINDOW_MS);
    return sendResult(messageId, md5Body, md5Attributes, sequenceNumber);
  }

  /** One receive pass: retention, redrive, FIFO group blocking, visibility (aws-facts §7). */
  private receive(q: QueueRow, max: number, visibilityMs: number): MessageRow[] {
    const now = this.clock.now();
    this.store.expire(q.name, now - Number(q.attributes.MessageRetentionPeriod) * 1000);
    const redrive = parseRedrivePolicy(q.attributes.RedrivePolicy);
    const dlq = redrive === undefined ? undefined : this.queues.byArn(redrive.deadLetterTargetArn);
    const taken: MessageRow[] = [];
    // FIFO: a group with a message in flight is left out until it is deleted, becomes visible
    // again or is redriven (aws-facts §6 FIFO ordering); its later messages wait behind it.
    const candidates = q.fifo ? this.store.visibleFifoMessages(q.name, now, max * 4) : this.store.visibleMessages(q.name, now, max * 4);
    for (const m of candidates) {
      if (taken.length >= max) break;
      // Moved when this receive would exceed maxReceiveCount.
      if (redrive !== undefined && dlq !== undefined && m.receiveCount >= redrive.maxReceiveCount) {
        this.store.moveMessage(m.seq, dlq.name, now, q.name);
        this.waiters.notify(dlq.name);
        this.onDeadLetter(q, dlq, m, redrive.maxReceiveCount);
        continue;
      }
      const handle = this.receiptHandle(q.name, m.messageId);
      this.store.markReceived(m.seq, now + visibilityMs, now, handle);
      taken.push({ ...m, receiveCount: m.receiveCount + 1, firstReceiveAt: m.firstReceiveAt ?? now, receiptHandle: handle, visibleAt: now + visibilityMs });
    }
    return taken;
  }

  private delete(q: QueueRow, handle: string | undefined): void {
    const decoded = decodeReceipt(handle);
    if (decoded === undefined || decoded.queue !== q.name) throw sqsErrors.receiptHandleIsInvalid(handle ?? "");
    if (this.store.deleteByReceipt(q.name, handle!)) return;
    // An older receipt handle: FIFO refuses it; standard answers success without deleting.
    if (q.fifo && this.store.byMessageId(decoded.messageId) !== undefined) {
      throw sqsErrors.invalidValue(handle, "ReceiptHandle", "The receipt handle has expired.");
    }
  }

  private changeVisibility(q: QueueRow, handle: string | undefined, timeout: number | undefined): void {
    if (timeout === undefined) throw sqsErrors.missingParameter("VisibilityTimeout");
    if (!Number.isInteger(timeout) || timeout < 0 || timeout > 43_200) {
      throw sqsErrors.invalidValue(timeout, "VisibilityTimeout", "Must be >= 0 and <= 43200, if provided.");
    }
    const decoded = decodeReceipt(handle);
    if (decoded === undefined || decoded.queue !== q.name) throw sqsErrors.receiptHandleIsInvalid(handle ?? "");
    const m = this.store.byReceipt(q.name, handle!);
    const now = this.clock.now();
    if (m === undefined || m.visibleAt <= now) throw sqsErrors.messageNotInflight();
    this.store.setVisibleAt(m.seq, now + timeout * 1000);
  }

  private shape(q: QueueRow, m: MessageRow, input: ReceiveInput): Record<string, unknown> {
    const out: Record<string, unknown> = { MessageId: m.messageId, ReceiptHandle: m.receiptHandle, MD5OfBody: m.md5Body, Body: m.body };
    const wanted = [...(input.AttributeNames ?? []), ...(input.MessageSystemAttributeNames ?? [])];
    if (wanted.length > 0) {
      const all: Record<string, string> = {
        SenderId: "AIDAIT2UOQQY3AUEKVGXU",
        SentTimestamp: String(m.sentAt),
        ApproximateReceiveCount: String(m.receiveCount),
        ApproximateFirstReceiveTimestamp: String(m.firstReceiveAt ?? m.sentAt),
      };
      if (q.fifo) {
        all.MessageGroupId = m.groupId ?? "";
        all.MessageDeduplicationId = m.dedupId ?? "";
        all.SequenceNumber = m.sequenceNumber ?? "";
      }
      const attrs = wanted.includes("All") ? all : Object.fromEntries(wanted.filter((k) => k in all).map((k) => [k, all[k]!]));
      if (Object.keys(attrs).length > 0) out.Attributes = attrs;
    }
    const names = input.MessageAttributeNames ?? [];
    if (m.messageAttributes !== undefined && names.length > 0) {
      const selected = Object.fromEntries(Object.entries(m.messageAttributes).filter(([k]) => names.some((n) => n === "All" || n === ".*" || n === k || (n.endsWith(".*") && k.startsWith(n.slice(0, -1))))));
      if (Object.keys(selected).length > 0) {
        out.MessageAttributes = selected;
        out.MD5OfMessageAttributes = md5OfAttributes(selected);
      }
    }
    return out;
  }

  private receiptHandle(queue: string, messageId: string): string {
    return Buffer.from(`${queue}\n${messageId}\n${this.ids.hex(16)}`).toString("base64url");
  }

  /** FIFO sequence numbers: increasing, 20 digits, derived from the Clock so restarts keep order. */
  private nextSequenceNumber(now: number): string {
    const base = BigInt(now) * 1_000_000n;
    this.sequence = this.sequence < base ? base : this.sequence + 1n;
    return this.sequence.toString().padStart(20, "0");
  }
}

function sendResult(messageId: string, md5Body: string, md5Attributes: string | undefined, sequenceNumber: string | null): Record<string, string> {
  const out: Record<string, string> = { MessageId: messageId, MD5OfMessageBody: md5Body };
  if (md5Attributes !== undefined) out.MD5OfMessageAttributes = md5Attributes;
  if (sequenceNumber !== null) out.SequenceNumber = sequenceNumber;
  return out;
}

function decodeReceipt(handle: string | undefined): { queue: string; messageId: string } | undefined {
  if (!handle) return undefined;
  const parts = Buffer.from(handle, "base64url").toString("utf8").split("\n");
  return parts.length === 3 ? { queue: parts[0]!, messageId: parts[1]! } : undefined;
}

function attributesSize(attrs: Record<string, MessageAttributeValue> | undefined): number {
  let n = 0;
  for (const [k, v] of Object.entries(attrs ?? {})) n += Buffer.byteLength(k) + Buffer.byteLength(v.DataType) + Buffer.byteLength(v.StringValue ?? v.BinaryValue ?? "");
  return n;
}
