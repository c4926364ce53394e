import { sqsErrors } from "./sqs-errors.ts";

const BATCH_ID = /^[A-Za-z0-9_-]{1,80}$/;

export type BatchResult<T> = { Successful: T[]; Failed: { Id: string; SenderFault: boolean; Code: string; Message: string }[] };

/** Batch rules: 1-10 entries with distinct, well-formed ids (aws-facts §7); `entryShape` names the operation's entries. */
export function checkBatch<T extends { Id?: string }>(entries: T[] | undefined, entryShape: string): T[] {
  if (entries === undefined || entries.length === 0) throw sqsErrors.emptyBatch(entryShape);
  if (entries.length > 10) throw sqsErrors.tooManyEntries(entries.length);
  if (entries.some((e) => e.Id === undefined || !BATCH_ID.test(e.Id))) throw sqsErrors.invalidBatchEntryId();
  if (new Set(entries.map((e) => e.Id)).size !== entries.length) throw sqsErrors.batchIdsNotDistinct();
  return entries;
}

/** Runs one batch entry at a time: a failing entry is reported, the others go on (aws-facts §7). */
export function eachEntry<E extends { Id?: string }>(entries: E[], run: (e: E) => Record<string, string> | void): BatchResult<Record<string, string>> {
  const result: BatchResult<Record<string, string>> = { Successful: [], Failed: [] };
  for (const e of entries) {
    try {
      result.Successful.push({ Id: e.Id!, ...run(e) });
    } catch (err) {
      result.Failed.push(failure(e.Id!, err));
    }
  }
  return result;
}

function failure(id: string, err: unknown): { Id: string; SenderFault: boolean; Code: string; Message: string } {
  const e = err as { queryCode?: string; code?: string; message?: string };
  return { Id: id, SenderFault: true, Code: e.queryCode ?? e.code ?? "InternalError", Message: e.message ?? String(err) };
}
