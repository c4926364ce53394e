import type { BatchOutcome } from "./poller.ts";

/**
 * Reads a ReportBatchItemFailures response (aws-facts §6): `{"batchItemFailures":[{"itemIdentifier":
 * "<id>"}]}`. Complete success: an empty or null list, `{}`, `null`. Complete failure: invalid JSON,
 * an empty, null or unknown identifier, a wrong key. One helper with a table of tests.
 */
export function parseBatchItemFailures(payload: Buffer, itemIds: readonly string[]): BatchOutcome {
  let response: unknown;
  try {
    response = JSON.parse(payload.toString("utf8"));
  } catch {
    return { kind: "failed" };
  }
  if (response === null || typeof response !== "object") return { kind: "succeeded" };
  const list = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (list === undefined || list === null) return { kind: "succeeded" };
  if (!Array.isArray(list)) return { kind: "failed" };
  if (list.length === 0) return { kind: "succeeded" };
  const known = new Set(itemIds);
  const failedIds: string[] = [];
  for (const entry of list) {
    const id = entry !== null && typeof entry === "object" ? (entry as { itemIdentifier?: unknown }).itemIdentifier : undefined;
    if (typeof id !== "string" || id === "" || !known.has(id)) return { kind: "failed" };
    failedIds.push(id);
  }
  return { kind: "partial", failedIds };
}
