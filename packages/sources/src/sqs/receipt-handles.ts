import type { RandomStream } from "@lambda-sim/core";

/**
 * Receipt handles: the queue, the message id, a random part and the message's row, base64url. A
 * new one per receive, so an older handle of the same message can be told apart (aws-facts §7);
 * the row lets a delete find the message by primary key.
 */
export function newReceiptHandle(queue: string, messageId: string, seq: number, ids: RandomStream): string {
  return Buffer.from(`${queue}\n${messageId}\n${ids.hex(16)}\n${seq}`).toString("base64url");
}

/** `seq` is undefined for a handle given out before handles carried the row. */
export function decodeReceipt(handle: string | undefined): { queue: string; messageId: string; seq?: number } | undefined {
  if (!handle) return undefined;
  const parts = Buffer.from(handle, "base64url").toString("utf8").split("\n");
  if (parts.length === 3) return { queue: parts[0]!, messageId: parts[1]! };
  if (parts.length !== 4 || !/^\d+$/.test(parts[3]!)) return undefined;
  return { queue: parts[0]!, messageId: parts[1]!, seq: Number(parts[3]) };
}
