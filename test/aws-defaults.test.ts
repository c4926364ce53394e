import { describe, expect, it } from "vitest";
import { FUNCTION_DEFAULTS } from "../packages/core/src/config/function-definition.ts";
import { ENVIRONMENT_MAX_BYTES } from "../packages/core/src/config/environment-rules.ts";
import { AWS_GOVERNOR_SETTINGS, regionBurst } from "../packages/core/src/invocation/concurrency-governor.ts";
import { MAX_ASYNC_PAYLOAD, MAX_SYNC_PAYLOAD } from "../packages/core/src/invocation/invoke-input.ts";
import { MAX_RESPONSE_BYTES } from "../packages/core/src/runtime/runtime-contract.ts";
import { MAX_CLIENT_CONTEXT } from "../packages/core/src/api/lambda/invoke.ts";
import { TAIL_BYTES } from "../packages/core/src/invocation/invocation-log.ts";
import { INIT_LIMIT_MS } from "../packages/core/src/runtime/init-limit.ts";
import { MAX_UNZIPPED_BYTES, MAX_ZIP_BYTES } from "../packages/core/src/registry/code-store.ts";
import { DEFAULT_MAXIMUM_EVENT_AGE_SECONDS, DEFAULT_MAXIMUM_RETRY_ATTEMPTS, MAXIMUM_EVENT_AGE_RANGE, MAXIMUM_RETRY_ATTEMPTS_RANGE } from "../packages/core/src/registry/async-retry-config.ts";
import { FUNCTION_ERROR_DELAYS_MS, THROTTLE_BACKOFF_MAX_MS, THROTTLE_BACKOFF_MIN_MS } from "../packages/core/src/invocation/async-retry-policy.ts";
import { SQS_SCALING } from "../packages/sources/src/sqs/sqs-poller.ts";
import { MAX_BATCHING_WINDOW_SECONDS, MAXIMUM_CONCURRENCY_RANGE } from "../packages/core/src/mappings/mapping-validation.ts";
import { STREAM_BATCH_SIZE } from "../packages/core/src/mappings/stream-mapping-params.ts";
import { MAX_FILTERS } from "../packages/core/src/mappings/filter-criteria.ts";
import { MAX_CLOCK_SKEW_MS } from "../packages/core/src/protocols/sigv4-verifier.ts";
import { MAX_REQUEST_BYTES } from "../packages/core/src/protocols/aws-router.ts";
import { LONG_POLL_MS, MAX_BATCH_BYTES, SQS_MAPPING_LIMITS } from "../packages/sources/src/sqs/sqs-poller.ts";
import { NUMERIC_ATTRIBUTES } from "../packages/sources/src/sqs/queue-attributes.ts";
import { DEDUP_WINDOW_MS } from "../packages/sources/src/sqs/message-sender.ts";
import { ITERATOR_LIFETIME_MS } from "../packages/sources/src/kinesis/shard-iterators.ts";
import { MAX_GET_RECORDS, MAX_PUT_RECORDS_BYTES, MAX_RECORD_BYTES } from "../packages/sources/src/kinesis/record-operations.ts";
import { SHARD_BYTES_PER_SECOND, SHARD_RECORDS_PER_SECOND } from "../packages/sources/src/kinesis/shard-write-limits.ts";
import { DEFAULT_RETENTION_HOURS, MAX_RETENTION_HOURS } from "../packages/sources/src/kinesis/stream-operations.ts";
import { DEFAULT_EVENT_AGE_S, DEFAULT_RETRY_ATTEMPTS } from "../packages/sources/src/schedules/schedule-delivery.ts";
import { MAX_BATCH_ENTRIES as SNS_MAX_BATCH_ENTRIES, MAX_MESSAGE_BYTES as SNS_MAX_MESSAGE_BYTES } from "../packages/sources/src/sns/publish-operations.ts";
import { DEDUP_WINDOW_MS as SNS_DEDUP_WINDOW_MS } from "../packages/sources/src/sns/sns-store.ts";
import { DEFAULT_HTTP_POLICY, MANAGED_ENDPOINT_POLICY } from "../packages/sources/src/sns/delivery-policy.ts";
import { MAX_PUT_EVENTS_BYTES } from "../packages/sources/src/events/put-events.ts";
import { MAX_TARGETS } from "../packages/sources/src/events/bus-operations.ts";
import { DEFAULT_EVENT_AGE_S as EVENTS_DEFAULT_EVENT_AGE_S, DEFAULT_RETRY_ATTEMPTS as EVENTS_DEFAULT_RETRY_ATTEMPTS } from "../packages/sources/src/events/target-delivery.ts";
import { MAX_EVENTS_TAGS } from "../packages/sources/src/events/event-tags.ts";

/**
 * Every AWS default and limit the simulator encodes, read from the constant the code uses, beside
 * AWS's number and where it is written (aws-facts.md section, or the AWS document it cites). A
 * change to any of them fails here first: they are AWS's, not ours to tune. (Our own choices,
 * such as the freeze delay or the async pump's concurrency, are deliberately not in this table.)
 */
const MB = 1024 * 1024;
const ROWS: [what: string, encoded: unknown, aws: unknown, source: string][] = [
  // Functions
  ["CreateFunction defaults: memory, timeout, /tmp", FUNCTION_DEFAULTS, { memorySize: 128, timeout: 3, ephemeralStorageSize: 512 }, "botocore lambda CreateFunction; aws-facts §3"],
  ["Environment variables, total size", ENVIRONMENT_MAX_BYTES, 4096, "aws-facts §2.3 (4 KB)"],
  ["Init phase limit (on-demand)", INIT_LIMIT_MS, 10_000, "aws-facts §3 (10 s)"],
  ["Deployment package: zip / unzipped", [MAX_ZIP_BYTES, MAX_UNZIPPED_BYTES], [50 * MB, 250 * MB], "aws-facts §3 'Other'"],
  ["Request size cap in the service's error text", MAX_REQUEST_BYTES, 70_167_211, "aws-facts §3 'Other'"],
  // Invoke payloads
  ["Sync request payload", MAX_SYNC_PAYLOAD, 6 * MB, "aws-facts §1.3 (6,291,456)"],
  ["Sync response payload (6 MiB + 100 B as enforced)", MAX_RESPONSE_BYTES, 6 * MB + 100, "aws-facts §1.3"],
  ["Async (Event) request payload, since Oct 2025", MAX_ASYNC_PAYLOAD, MB, "aws-facts §1.3 (1,048,576)"],
  ["ClientContext, base64", MAX_CLIENT_CONTEXT, 3583, "aws-facts §1.3"],
  ["LogType Tail: last 4 KB", TAIL_BYTES, 4096, "aws-facts §1.2"],
  // Concurrency and scaling
  ["Account concurrency", AWS_GOVERNOR_SETTINGS.accountLimit, 1000, "aws-facts §4"],
  ["Unreserved minimum", AWS_GOVERNOR_SETTINGS.unreservedMinimum, 100, "aws-facts §4"],
  ["Scaling: new environments per function per window", AWS_GOVERNOR_SETTINGS.scalingLimit, 1000, "aws-facts §4 (since 26 Nov 2023)"],
  ["Scaling window", AWS_GOVERNOR_SETTINGS.scalingWindowMs, 10_000, "aws-facts §4 (1,000 every 10 s)"],
  ["Scaling mode by default", AWS_GOVERNOR_SETTINGS.scalingMode, "per-function", "aws-facts §4"],
  ["Pre-2023 burst by region", [regionBurst("us-east-1"), regionBurst("eu-central-1"), regionBurst("sa-east-1")], [3000, 1000, 500], "aws-facts §4 (before Nov 2023)"],
  // Asynchronous invocation
  ["MaximumRetryAttempts default and range", [DEFAULT_MAXIMUM_RETRY_ATTEMPTS, MAXIMUM_RETRY_ATTEMPTS_RANGE], [2, [0, 2]], "aws-facts §5"],
  ["MaximumEventAgeInSeconds default (6 h) and range", [DEFAULT_MAXIMUM_EVENT_AGE_SECONDS, MAXIMUM_EVENT_AGE_RANGE], [21_600, [60, 21_600]], "aws-facts §5"],
  ["Function-error retry delays (~1 min, ~2 min)", FUNCTION_ERROR_DELAYS_MS, [60_000, 120_000], "aws-facts §5"],
  ["Throttle / 5xx backoff, 1 s up to 5 min", [THROTTLE_BACKOFF_MIN_MS, THROTTLE_BACKOFF_MAX_MS], [1_000, 300_000], "aws-facts §5"],
  // SQS event source mappings
  ["SQS mapping BatchSize: default, max (standard)", [SQS_MAPPING_LIMITS.standard.defaultBatchSize, SQS_MAPPING_LIMITS.standard.maxBatchSize], [10, 10_000], "aws-facts §6"],
  ["SQS mapping BatchSize: max (FIFO)", SQS_MAPPING_LIMITS.fifo.maxBatchSize, 10, "aws-facts §6"],
  ["SQS mapping: a batch above 10 needs a window", SQS_MAPPING_LIMITS.standard.windowRequiredAbove, 10, "aws-facts §6"],
  ["MaximumBatchingWindowInSeconds max", MAX_BATCHING_WINDOW_SECONDS, 300, "aws-facts §6"],
  ["ScalingConfig.MaximumConcurrency range", MAXIMUM_CONCURRENCY_RANGE, [2, 1000], "aws-facts §6"],
  ["SQS poller scaling: 5 at first, +300 a minute, at most 1,250", SQS_SCALING, { initial: 5, perMinute: 300, ceiling: 1250 }, "aws-facts §6"],
  ["SQS poller: long poll 20 s", LONG_POLL_MS, 20_000, "aws-facts §6"],
  ["SQS poller: batch under the 6 MB invoke cap", MAX_BATCH_BYTES <= MAX_SYNC_PAYLOAD, true, "aws-facts §6"],
  ["FilterCriteria: at most 5 filters", MAX_FILTERS, 5, "aws-facts §6"],
  // SQS queues
  ["VisibilityTimeout: default 30 s, 0-12 h", NUMERIC_ATTRIBUTES.VisibilityTimeout, { min: 0, max: 43_200, default: 30 }, "aws-facts §7"],
  ["MessageRetentionPeriod: default 4 days, 60 s-14 days", NUMERIC_ATTRIBUTES.MessageRetentionPeriod, { min: 60, max: 1_209_600, default: 345_600 }, "aws-facts §7"],
  ["DelaySeconds: 0-900", NUMERIC_ATTRIBUTES.DelaySeconds, { min: 0, max: 900, default: 0 }, "aws-facts §7"],
  ["MaximumMessageSize: default 1 MiB since Aug 2025", NUMERIC_ATTRIBUTES.MaximumMessageSize, { min: 1_024, max: 1_048_576, default: 1_048_576 }, "aws-facts §7"],
  ["ReceiveMessageWaitTimeSeconds: 0-20", NUMERIC_ATTRIBUTES.ReceiveMessageWaitTimeSeconds, { min: 0, max: 20, default: 0 }, "aws-facts §7"],
  ["FIFO deduplication interval", DEDUP_WINDOW_MS, 5 * 60_000, "aws-facts §7 (5 min)"],
  // Kinesis
  ["Kinesis retention: default 24 h, max 365 days", [DEFAULT_RETENTION_HOURS, MAX_RETENTION_HOURS], [24, 8_760], "aws-facts §8.1"],
  ["Kinesis record size (default)", MAX_RECORD_BYTES, MB, "aws-facts §8.1 (1 MiB)"],
  ["PutRecords request size, since Oct 2025", MAX_PUT_RECORDS_BYTES, 10 * MB, "aws-facts timeline (10 MiB)"],
  ["GetRecords: at most 10,000 records", MAX_GET_RECORDS, 10_000, "aws-facts §8.1"],
  ["Per-shard write: 1,000 records/s and 1 MiB/s", [SHARD_RECORDS_PER_SECOND, SHARD_BYTES_PER_SECOND], [1_000, MB], "aws-facts §8.1"],
  ["Shard iterator lifetime", ITERATOR_LIFETIME_MS, 5 * 60_000, "aws-facts §8.1 (5 min)"],
  ["Stream mapping BatchSize: default 100, max 10,000", STREAM_BATCH_SIZE, { default: 100, max: 10_000 }, "aws-facts §8.2"],
  // Schedules
  ["Scheduler RetryPolicy defaults: 185 attempts, 24 h", [DEFAULT_RETRY_ATTEMPTS, DEFAULT_EVENT_AGE_S], [185, 86_400], "aws-facts §9.2"],
  // SNS
  ["SNS message size: 256 KiB, Publish and a whole PublishBatch", SNS_MAX_MESSAGE_BYTES, 262_144, "SNS API reference, PublishBatch (256 KiB by default)"],
  ["SNS PublishBatch: at most 10 entries", SNS_MAX_BATCH_ENTRIES, 10, "SNS API reference, PublishBatch (TooManyEntriesInBatchRequest)"],
  ["SNS FIFO deduplication interval", SNS_DEDUP_WINDOW_MS, 5 * 60_000, "SNS API reference, PublishBatch (deduplicated for 5 minutes)"],
  ["SNS HTTP/S default delivery policy: 3 retries, 20 s apart", DEFAULT_HTTP_POLICY, { numRetries: 3, numNoDelayRetries: 0, minDelayTarget: 20, numMinDelayRetries: 0, maxDelayTarget: 20, numMaxDelayRetries: 0, backoffFunction: "linear" }, "SNS developer guide, 'Amazon SNS message delivery retries' and SendMessageToHttp.retry"],
  ["SNS Lambda/SQS delivery policy: 100,015 attempts over 23 days", MANAGED_ENDPOINT_POLICY, { numRetries: 100_015, numNoDelayRetries: 3, minDelayTarget: 1, numMinDelayRetries: 2, maxDelayTarget: 20, numMaxDelayRetries: 100_000, backoffFunction: "exponential" }, "SNS developer guide, 'Amazon SNS message delivery retries' (AWS managed endpoints)"],
  // EventBridge buses
  ["PutEvents request size: 1 MB (256 KB until January 2026)", MAX_PUT_EVENTS_BYTES, 1024 * 1024, "AWS What's New 2026-01, 'Amazon EventBridge increases event payload size from 256 KB to 1 MB'"],
  ["Targets per rule: 5 (pattern rules and scheduled rules)", MAX_TARGETS, 5, "EventBridge user guide, 'Amazon EventBridge quotas' (not adjustable)"],
  ["EventBridge target RetryPolicy defaults: 185 attempts, 24 h", [EVENTS_DEFAULT_RETRY_ATTEMPTS, EVENTS_DEFAULT_EVENT_AGE_S], [185, 86_400], "EventBridge user guide, 'Event retry policy'; aws-facts §9.1"],
  ["EventBridge tags per resource: 50", MAX_EVENTS_TAGS, 50, "EventBridge API reference, TagResource"],
  // Signatures
  ["SigV4 clock skew", MAX_CLOCK_SKEW_MS, 15 * 60_000, "AWS SigV4 docs: 15 minutes"],
];

describe("AWS defaults and limits as the code encodes them", () => {
  it.each(ROWS)("%s", (_what, encoded, aws, source) => {
    expect(source).not.toBe("");
    expect(encoded).toEqual(aws);
  });
});
