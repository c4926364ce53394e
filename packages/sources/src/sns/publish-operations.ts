import { createHash } from "node:crypto";
import type { Clock, GroupCommit, RandomStream } from "@lambda-sim/core";
import { compileFilterPolicy, type FilterPolicy, type FilterPolicyScope } from "./filter-policy.ts";
import { attributesSize, checkMessageAttributes, type SnsAttributeValue } from "./message-attributes.ts";
import { snsErrors } from "./sns-errors.ts";
import type { SnsStore, StoredMessage, TopicRow } from "./sns-store.ts";
import type { TopicOperations } from "./topic-operations.ts";

/** 256 KiB, message and attributes together, for Publish and for a whole PublishBatch (SNS quotas). */
export const MAX_MESSAGE_BYTES = 262_144;
/** 10 entries per PublishBatch (SNS API PublishBatch). */
export const MAX_BATCH_ENTRIES = 10;
const BATCH_ID = /^[A-Za-z0-9_-]{1,80}$/;

interface PublishInput {
  TopicArn?: string;
  TargetArn?: string;
  PhoneNumber?: string;
  Message?: string;
  Subject?: string;
  MessageStructure?: string;
  MessageAttributes?: Record<string, SnsAttributeValue>;
  MessageDeduplicationId?: string;
  MessageGroupId?: string;
}

/** A message with the subscriptions it goes to, and those whose filter policy kept it out. */
export interface Routed {
  message: StoredMessage;
  subscriptions: string[];
  filteredOut?: string[];
}

interface Entry extends PublishInput {
  Id?: string;
}

/**
 * Publish and PublishBatch (SNS API reference): checks the message as SNS does, picks the
 * confirmed subscriptions whose filter policy it passes, and stores the message with one pending
 * delivery per subscription in one transaction before answering. FIFO topics deduplicate within
 * 5 minutes and number messages in order.
 */
export class PublishOperations {
  private readonly store: SnsStore;
  private readonly topics: TopicOperations;
  private readonly clock: Clock;
  private readonly ids: RandomStream;
  private readonly published: (routed: readonly Routed[]) => void;
  /** Per topic ARN: its confirmed subscriptions with compiled policies; dropped on any change. */
  private readonly routes = new Map<string, { arn: string; filter: FilterPolicy | undefined }[]>();
  /** FIFO deduplication ids of messages accepted but not yet committed (SQLite's sns_dedup has the rest). */
  private readonly uncommitted = new Map<string, { messageId: string; sequenceNumber: string }>();
  private sequence: bigint;
  /** Publishes that arrive together share one SQLite transaction; each answers after it commits. */
  private readonly commits: GroupCommit;

  /** `published`: called with the messages of each commit, once they are durable. */
  constructor(store: SnsStore, commits: GroupCommit, topics: TopicOperations, clock: Clock, ids: RandomStream, published: (routed: readonly Routed[]) => void) {
    this.store = store;
    this.topics = topics;
    this.clock = clock;
    this.ids = ids;
    this.published = published;
    // Increasing across restarts without a stored counter: microseconds of service time.
    this.sequence = BigInt(clock.now()) * 1_000_000n;
    this.commits = commits;
  }

  /** Subscriptions or their attributes changed: recompute routes on the next publish. */
  invalidate(): void {
    this.routes.clear();
  }

  /** `traceHeader`: the publisher's X-Amzn-Trace-Id, which every delivery of the message carries on. */
  async publish(i: PublishInput, traceHeader?: string): Promise<{ MessageId: string; SequenceNumber?: string }> {
    if (i.PhoneNumber !== undefined) throw snsErrors.invalidParameter("PhoneNumber Reason: lambda-sim does not send SMS");
    const t = this.topics.resolve(i.TopicArn ?? i.TargetArn, i.TopicArn === undefined ? "TargetArn" : "TopicArn");
    const m = this.message(t, i, traceHeader);
    if (attributesSize(m.MessageAttributes) + Buffer.byteLength(i.Message ?? "") > MAX_MESSAGE_BYTES) throw snsErrors.invalidParameter("Message too long");
    const routed = this.route(t, m);
    if (routed !== undefined) await this.commit([routed]);
    return { MessageId: m.MessageId, SequenceNumber: m.SequenceNumber };
  }

  async publishBatch(i: { TopicArn?: string; PublishBatchRequestEntries?: Entry[] }, traceHeader?: string) {
    const entries = i.PublishBatchRequestEntries ?? [];
    if (entries.length === 0) throw snsErrors.emptyBatch();
    if (entries.length > MAX_BATCH_ENTRIES) throw snsErrors.tooManyEntries();
    const t = this.topics.resolve(i.TopicArn);
    if (new Set(entries.map((e) => e.Id)).size < entries.length) throw snsErrors.batchIdsNotDistinct();
    for (const e of entries) if (typeof e.Id !== "string" || !BATCH_ID.test(e.Id)) throw snsErrors.invalidBatchEntryId();
    const total = entries.reduce((n, e) => n + Buffer.byteLength(e.Message ?? "") + attributesSize(checkMessageAttributes(e.MessageAttributes)), 0);
    if (total > MAX_MESSAGE_BYTES) throw snsErrors.batchTooLong();
    const Successful: { Id: string; MessageId: string; SequenceNumber?: string }[] = [];
    const Failed: { Id: string; Code: string; Message: string; SenderFault: boolean }[] = [];
    // Every entry is checked before any is routed: one the caller got wrong refuses the whole
    // request, as a Publish of it would (AWS answers a FIFO batch with an entry lacking
    // MessageGroupId with InvalidParameter for the request, not a Failed entry: LocalStack's
    // AWS-validated test_publish_batch_exceptions "no-group-id"; for the other entry checks, our
    // reading: AWS's answer to them in a batch is unrecorded).
    const checked = entries.map((e) => ({ e, m: this.message(t, e, traceHeader) }));
    const stored: Routed[] = [];
    for (const { e, m } of checked) {
      try {
        const routed = this.route(t, m);
        if (routed !== undefined) stored.push(routed);
        Successful.push({ Id: e.Id!, MessageId: m.MessageId, SequenceNumber: m.SequenceNumber });
      } catch (err) {
        // What fails past the checks is reported per entry with its code and message (SNS API BatchResultErrorEntry).
        const ae = err as { code?: string; message: string; statusCode?: number };
        if (ae.code === undefined) throw err;
        Failed.push({ Id: e.Id!, Code: ae.code, Message: ae.message, SenderFault: (ae.statusCode ?? 400) < 500 });
      }
    }
    if (stored.length > 0) await this.commit(stored);
    return { Successful, Failed };
  }

  /** Commits routed messages (with publishes arriving together); their dedup ids are then in SQLite. */
  private async commit(routed: Routed[]): Promise<void> {
    try {
      await this.commits.write(() => this.store.publish(routed, this.clock.now()));
    } finally {
      // Committed, or failed and not accepted: either way no longer this map's to remember.
      for (const { message: m } of routed) if (m.MessageDeduplicationId !== undefined) this.uncommitted.delete(`${m.TopicArn}\n${m.MessageDeduplicationId}`);
    }
    this.published(routed);
  }

  /** The message as stored, after SNS's checks for its topic's type. */
  private message(t: TopicRow, i: PublishInput, traceHeader: string | undefined): StoredMessage {
    if (i.Subject !== undefined && (i.Subject === "" || i.Subject.length > 100 || /[\r\n]/.test(i.Subject))) throw snsErrors.invalidParameter("Subject");
    if (i.Message === undefined || i.Message === "") throw snsErrors.invalidParameter("Empty message");
    const attributes = checkMessageAttributes(i.MessageAttributes);
    let structured: Record<string, string> | undefined;
    if (i.MessageStructure !== undefined) {
      if (i.MessageStructure !== "json") throw snsErrors.invalidParameter("MessageStructure");
      structured = parseStructured(i.Message);
    }
    const m: StoredMessage = {
      MessageId: this.ids.uuid(),
      TopicArn: t.arn,
      Message: structured?.default ?? i.Message,
      Structured: structured,
      Subject: i.Subject,
      MessageAttributes: attributes && Object.keys(attributes).length > 0 ? attributes : undefined,
      PublishedAt: this.clock.now(),
      TraceHeader: traceHeader,
    };
    if (t.fifo) {
      if (i.MessageGroupId === undefined || i.MessageGroupId === "") throw snsErrors.invalidParameter("The MessageGroupId parameter is required for FIFO topics");
      let dedupId = i.MessageDeduplicationId;
      if (dedupId === undefined) {
        if (t.attributes.ContentBasedDeduplication?.toLowerCase() !== "true") {
          throw snsErrors.invalidParameter("The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly");
        }
        // Content-based deduplication: the SHA-256 of the body (SNS FIFO deduplication).
        dedupId = createHash("sha256").update(i.Message).digest("hex");
      }
      m.MessageGroupId = i.MessageGroupId;
      m.MessageDeduplicationId = dedupId;
      m.SequenceNumber = String(++this.sequence).padStart(20, "0");
    } else {
      if (i.MessageDeduplicationId !== undefined) throw snsErrors.invalidParameter("MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type");
      // Standard topics accept MessageGroupId since 2024 and ignore it for ordering (SNS API Publish).
      if (i.MessageGroupId !== undefined) m.MessageGroupId = i.MessageGroupId;
    }
    return m;
  }

  /** The subscriptions this message goes to; undefined for a FIFO duplicate (answered, not delivered). */
  private route(t: TopicRow, m: StoredMessage): Routed | undefined {
    if (m.MessageDeduplicationId !== undefined && t.fifo) {
      const key = `${t.arn}\n${m.MessageDeduplicationId}`;
      // A duplicate of a publish in the same group commit, or of one committed in the last 5 minutes.
      const seen = this.uncommitted.get(key) ?? this.store.duplicateOf(t.arn, m.MessageDeduplicationId, this.clock.now());
      if (seen !== undefined) {
        m.MessageId = seen.messageId;
        m.SequenceNumber = seen.sequenceNumber;
        return undefined;
      }
      this.uncommitted.set(key, { messageId: m.MessageId, sequenceNumber: m.SequenceNumber! });
    }
    const subscriptions: string[] = [];
    let filteredOut: string[] | undefined;
    for (const r of this.routesOf(t.arn)) {
      if (r.filter === undefined || r.filter(m)) subscriptions.push(r.arn);
      else (filteredOut ??= []).push(r.arn);
    }
    return { message: m, subscriptions, filteredOut };
  }

  private routesOf(topicArn: string) {
    let routes = this.routes.get(topicArn);
    if (routes === undefined) {
      routes = this.store
        .subscriptions(topicArn)
        .filter((s) => !s.pending)
        .map((s) => ({ arn: s.arn, filter: compileFilterPolicy(s.attributes.FilterPolicy, s.attributes.FilterPolicyScope as FilterPolicyScope | undefined, true) }));
      this.routes.set(topicArn, routes);
    }
    return routes;
  }
}

/** `MessageStructure: json`: an object of per-protocol strings with a `default` (SNS API Publish). */
function parseStructured(text: string): Record<string, string> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw snsErrors.invalidParameter("Message Structure - JSON message body failed to parse");
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw snsErrors.invalidParameter("Message Structure - JSON message body failed to parse");
  // Keys whose values are not strings are ignored.
  const out = Object.fromEntries(Object.entries(json).filter(([, v]) => typeof v === "string")) as Record<string, string>;
  if (out.default === undefined) throw snsErrors.invalidParameter("Message Structure - No default entry in JSON message body");
  return out;
}
