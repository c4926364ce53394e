import { createHash } from "node:crypto";
import type { Clock, RandomStream } from "@lambda-sim/core";
import { md5OfAttributes, md5OfBody, type MessageAttributeValue } from "./message-md5.ts";
import type { QueueRow, QueueStore } from "./queue-store.ts";
import { sqsErrors } from "./sqs-errors.ts";

/** FIFO deduplication interval: 5 minutes (aws-facts §7). */
export const DEDUP_WINDOW_MS = 5 * 60_000;
/** Characters SQS accepts in a body (aws-facts §7 InvalidMessageContents). */
// With the u flag a lone surrogate is a code point of its own, outside every range here.
const INVALID_CHARS = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;


export interface SendInput {
  QueueUrl?: string;
  MessageBody?: string;
  DelaySeconds?: number;
  MessageAttributes?: Record<string, MessageAttributeValue>;
  MessageGroupId?: string;
  MessageDeduplicationId?: string;
  /** AWSTraceHeader, "the only supported message system attribute" (SendMessage). */
  MessageSystemAttributes?: Record<string, MessageAttributeValue>;
}

/**
 * SendMessage's work on one queue (aws-facts §7): body characters and size, delays, MD5s, FIFO
 * groups, deduplication within the 5-minute window and sequence numbers. Runs inside the
 * caller's transaction.
 */
export class MessageSender {
  private readonly store: QueueStore;
  private readonly clock: Clock;
  private readonly ids: RandomStream;
  private sequence = 0n;

  constructor(store: QueueStore, clock: Clock, ids: RandomStream) {
    this.store = store;
    this.clock = clock;
    this.ids = ids;
  }

  /** `traceHeader`: the request's X-Amzn-Trace-Id, the AWSTraceHeader when MessageSystemAttributes has none. */
  send(q: QueueRow, input: SendInput, traceHeader?: string): Record<string, string> {
    const body = input.MessageBody;
    if (body === undefined || body === "") throw sqsErrors.missingParameter("MessageBody");
    if (INVALID_CHARS.test(body)) throw sqsErrors.invalidMessageContents();
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
    const system = systemAttributes(input.MessageSystemAttributes);
    const trace = system?.AWSTraceHeader?.StringValue ?? traceHeader;
    const md5System = md5OfAttributes(system);
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
      if (seen !== undefined) return sendResult(seen.messageId, md5OfBody(body), md5Attributes, md5System, seen.sequenceNumber);
      sequenceNumber = this.nextSequenceNumber(now);
    } else if (input.MessageGroupId !== undefined) {
      groupId = input.MessageGroupId; // fair queues: accepted, no ordering semantics
    }
    const messageId = this.ids.uuid();
    const md5Body = md5OfBody(body);
    this.store.insertMessage({
      queue: q.name, messageId, body, messageAttributes: input.MessageAttributes, md5Body, md5Attributes,
      sentAt: now, visibleAt: now + delay * 1000, groupId, dedupId, sequenceNumber, traceHeader: trace,
    });
    if (q.fifo && dedupId !== null) this.store.rememberDedup(q.name, dedupId, messageId, sequenceNumber, now + DEDUP_WINDOW_MS);
    return sendResult(messageId, md5Body, md5Attributes, md5System, sequenceNumber);
  }

  /** FIFO sequence numbers: increasing, 20 digits, derived from the Clock so restarts keep order. */
  private nextSequenceNumber(now: number): string {
    const base = BigInt(now) * 1_000_000n;
    this.sequence = this.sequence < base ? base : this.sequence + 1n;
    return this.sequence.toString().padStart(20, "0");
  }
}

function sendResult(messageId: string, md5Body: string, md5Attributes: string | undefined, md5System: string | undefined, sequenceNumber: string | null): Record<string, string> {
  const out: Record<string, string> = { MessageId: messageId, MD5OfMessageBody: md5Body };
  if (md5Attributes !== undefined) out.MD5OfMessageAttributes = md5Attributes;
  if (md5System !== undefined) out.MD5OfMessageSystemAttributes = md5System;
  if (sequenceNumber !== null) out.SequenceNumber = sequenceNumber;
  return out;
}

/**
 * MessageSystemAttributes as SendMessage takes them: AWSTraceHeader only (the model's enum), "Its
 * type must be String"; their size does not count towards the message's. AWS's wording for a
 * wrong type is not on record: ours follows its InvalidParameterValue messages.
 */
function systemAttributes(attrs: Record<string, MessageAttributeValue> | undefined): Record<string, MessageAttributeValue> | undefined {
  if (attrs === undefined || Object.keys(attrs).length === 0) return undefined;
  for (const [name, a] of Object.entries(attrs)) {
    if (name !== "AWSTraceHeader") throw sqsErrors.invalidValue(name, "MessageSystemAttribute", `Unknown message system attribute ${name}.`);
    if (a.DataType !== "String" || a.StringValue === undefined || a.StringValue === "") {
      throw sqsErrors.invalidValue(a.DataType, "MessageSystemAttribute AWSTraceHeader", "AWSTraceHeader must be a String with a value.");
    }
  }
  return attrs;
}

/** Bytes a message's attributes count towards its size (names, types and values). */
export function attributesSize(attrs: Record<string, MessageAttributeValue> | undefined): number {
  let n = 0;
  for (const [k, v] of Object.entries(attrs ?? {})) n += Buffer.byteLength(k) + Buffer.byteLength(v.DataType) + Buffer.byteLength(v.StringValue ?? v.BinaryValue ?? "");
  return n;
}
