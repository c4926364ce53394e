import { md5OfAttributes } from "./message-md5.ts";
import type { MessageRow, QueueRow } from "./queue-store.ts";

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
 * A received message as ReceiveMessage answers it: the system attributes asked for
 * (`AttributeNames`/`MessageSystemAttributeNames`, `All`) and the message attributes selected by
 * name, `All`, `.*` or a `prefix.*`, with their MD5.
 */
export function receivedMessage(q: QueueRow, m: MessageRow, input: ReceiveInput, arnOf: (queue: string) => string): Record<string, unknown> {
  const out: Record<string, unknown> = { MessageId: m.messageId, ReceiptHandle: m.receiptHandle, MD5OfBody: m.md5Body, Body: m.body };
  const wanted = [...(input.AttributeNames ?? []), ...(input.MessageSystemAttributeNames ?? [])];
  if (wanted.length > 0) {
    const all: Record<string, string> = {
      SenderId: "AIDAIT2UOQQY3AUEKVGXU",
      SentTimestamp: String(m.sentAt),
      ApproximateReceiveCount: String(m.receiveCount),
      ApproximateFirstReceiveTimestamp: String(m.firstReceiveAt ?? m.sentAt),
    };
    if (m.traceHeader !== undefined) all.AWSTraceHeader = m.traceHeader;
    // A message a redrive moved here names the queue it came from (ReceiveMessage's MessageSystemAttributeNames).
    if (m.deadLetterSource !== undefined) all.DeadLetterQueueSourceArn = arnOf(m.deadLetterSource);
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
