import type { RandomStream } from "@lambda-sim/core";

/**
 * Receipt handles: the queue, the message id and a random part, base64url. A new one per
 * receive, so an older handle of the same message can be told apart (aws-facts §7).
 */
export function newReceiptHandle(queue: string, messageId: string, ids: RandomStream): string {
  return Buffer.from(`${queue}\n${messageId}\n${ids.hex(16)}`).toString("base64url");
}

export function decodeReceipt(handle: string | undefined): { queue: string; messageId: string } | undefined {
  if (!handle) return undefined;
  const parts = Buffer.from(handle, "base64url").toString("utf8").split("\n");
  return parts.length === 3 ? { queue: parts[0]!, messageId: parts[1]! } : undefined;
}
