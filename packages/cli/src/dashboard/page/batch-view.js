// The mapping's view of an invocation that ran a batch, on its row in the invocation list
// (the row's `batch`, from `mapping.batch`: mapping-model.js).
import { esc } from "./format.js";

/**
 * The mapping's view of a row's batch where it differs from Lambda's (mapping-model.js): a partial
 * batch failure (ReportBatchItemFailures) succeeded for Lambda, but its failed records go back to
 * their source (newuser14 F5); an answer the mapping refused fails the batch.
 */
export function batchView(s) {
  const b = s.batch;
  if (b === undefined) return "";
  // SQS: the failed messages are not deleted (visible again after the visibility timeout); a stream retries from its lowest failed sequence number (aws-facts §6, §8 "ReportBatchItemFailures (streams)").
  const then = b.source?.startsWith("arn:aws:sqs:") ? "they go back to the queue (visible again after its visibility timeout; each receive counts towards maxReceiveCount)" : "the shard is retried from the first of them";
  if (b.outcome === "partial") return ` <small class="warn batch" title="ReportBatchItemFailures: the function reported ${b.failed ?? "?"} of the batch's ${b.size} record(s) failed; ${then}">partial: <span>${b.failed ?? "?"} of ${b.size} failed</span></small>`;
  if (b.outcome === "failed" && s.status === "success") return ` <small class="bad batch" title="${esc(b.reason ?? "the mapping failed the batch")}">batch failed</small>`;
  return "";
}
