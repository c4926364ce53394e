import { arnAccount, listPage, type Clock } from "@lambda-sim/core";
import { defaultAttributes, parseRedrivePolicy, READ_ONLY_ATTRIBUTES, validateAttributes } from "./queue-attributes.ts";
import type { QueueRow, QueueStore } from "./queue-store.ts";
import { sqsErrors } from "./sqs-errors.ts";

const STANDARD_NAME = /^[a-zA-Z0-9_-]{1,80}$/;
const FIFO_NAME = /^[a-zA-Z0-9_-]{1,75}\.fifo$/;
/** PurgeQueue may run once per 60 s per queue (aws-facts §7). */
const PURGE_INTERVAL_MS = 60_000;

/**
 * Queue-level SQS operations (CreateQueue, GetQueueUrl, ListQueues, attributes, tags, purge,
 * delete), protocol-agnostic: inputs and outputs are the API shapes, errors are AwsErrors.
 */
export class QueueOperations {
  /** Told when a purge or a queue's deletion takes its messages, in flight ones included (MessageOperations.removed). */
  onRemoved: (queue: string) => void = () => {};
  private readonly store: QueueStore;
  private readonly clock: Clock;
  private readonly urlBase: string;
  private readonly arnBase: string;
  private readonly accountId: string;
  /** `sqs: { deletedQueueCooldownSeconds }` in ms (AWS: 60 s); 0: off. */
  private readonly cooldownMs: number;
  /**
   * When each recently deleted queue was deleted (service time), for QueueDeletedRecently. Kept
   * in memory (our choice): a restart forgets it, so a declared queue is made again at start.
   */
  private readonly deletedAt = new Map<string, number>();

  constructor(store: QueueStore, clock: Clock, opts: { endpoint: string; region: string; accountId: string; deletedQueueCooldownSeconds?: number }) {
    this.store = store;
    this.clock = clock;
    this.cooldownMs = (opts.deletedQueueCooldownSeconds ?? 60) * 1000;
    this.urlBase = `${opts.endpoint}/${opts.accountId}/`;
    this.arnBase = `arn:aws:sqs:${opts.region}:${opts.accountId}:`;
    this.accountId = opts.accountId;
  }

  url(name: string): string {
    return this.urlBase + name;
  }

  arn(name: string): string {
    return this.arnBase + name;
  }

  /** The queue a QueueUrl (or a bare name, or an ARN) refers to. */
  resolve(queueUrl: string | undefined): QueueRow {
    if (queueUrl === undefined || queueUrl === "") throw sqsErrors.missingParameter("QueueUrl");
    const name = queueUrl.slice(queueUrl.lastIndexOf(queueUrl.startsWith("arn:") ? ":" : "/") + 1);
    // Another account's queue is not this account's, whatever its name (newuser10 N1-2: a
    // production account id in a URL passed locally and failed on AWS). A bare name, and a URL on
    // another host (sqs.REGION.amazonaws.com, LocalStack's forms), still find it.
    const account = queueUrl.startsWith("arn:") ? arnAccount(queueUrl) : /\/(\d{12})\/[^/]+$/.exec(queueUrl)?.[1];
    if (account !== undefined && account !== this.accountId) throw sqsErrors.queueDoesNotExist();
    const q = this.store.getQueue(name);
    if (q === undefined) throw sqsErrors.queueDoesNotExist();
    return q;
  }

  /** The queue behind a dead-letter target ARN. */
  byArn(arn: string): QueueRow | undefined {
    return arn.startsWith(this.arnBase) ? this.store.getQueue(arn.slice(this.arnBase.length)) : undefined;
  }

  /**
   * A redrive target must exist when the policy is set: AWS refuses it otherwise ("Value {...} for
   * parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.", InvalidParameterValue:
   * serverless/serverless#5215), rather than leave a poison message redelivered for ever. It must
   * also be of the source's type, FIFO or standard (SQS DG sqs-dead-letter-queues): a standard
   * queue's message moved to a FIFO queue would sit there with no group.
   */
  private checkDeadLetterTarget(policy: string | undefined, fifo: boolean): void {
    const target = parseRedrivePolicy(policy)?.deadLetterTargetArn;
    if (target === undefined) return;
    const dlq = this.byArn(target);
    if (dlq === undefined) throw sqsErrors.invalidValue(policy, "RedrivePolicy", "Dead letter target does not exist.");
    // AWS's reason, its two full stops included (byu-oit/handel#253).
    if (dlq.fifo !== fifo) throw sqsErrors.invalidValue(policy, "RedrivePolicy", "Dead-letter queue must be same type of queue as the source..");
  }

  createQueue(input: { QueueName?: string; Attributes?: Record<string, string>; tags?: Record<string, string> }): { QueueUrl: string } {
    const name = input.QueueName;
    if (name === undefined || name === "") throw sqsErrors.missingParameter("QueueName");
    const fifo = input.Attributes?.FifoQueue === "true";
    if (fifo ? !FIFO_NAME.test(name) : !STANDARD_NAME.test(name)) {
      throw sqsErrors.invalidParameterValue(
        fifo
          ? "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length."
          : "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length",
      );
    }
    const attributes = { ...defaultAttributes(fifo), ...validateAttributes(input.Attributes, fifo, true) };
    this.checkDeadLetterTarget(attributes.RedrivePolicy, fifo);
    const existing = this.store.getQueue(name);
    if (existing !== undefined) {
      // Same name and same attributes: CreateQueue is idempotent.
      const differing = Object.keys(input.Attributes ?? {}).filter((k) => existing.attributes[k] !== attributes[k]);
      if (differing.length > 0) throw sqsErrors.queueNameExists(differing.join(", "));
      return { QueueUrl: this.url(name) };
    }
    const now = this.clock.now();
    // "You must wait 60 seconds after deleting a queue before you can create another with the same name" (aws-facts §7).
    const deleted = this.deletedAt.get(name);
    if (deleted !== undefined && now - deleted < this.cooldownMs) throw sqsErrors.queueDeletedRecently(this.cooldownMs / 1000);
    this.deletedAt.delete(name);
    this.store.createQueue({ name, fifo, attributes, tags: input.tags ?? {}, createdAt: now, modifiedAt: now });
    return { QueueUrl: this.url(name) };
  }

  /** For declared queues: create, or bring an existing queue's attributes in line. */
  createQueueOrUpdate(name: string, attributes: Record<string, string>, tags: Record<string, string> | undefined): { QueueUrl: string } {
    const existing = this.store.getQueue(name);
    if (existing === undefined) return this.createQueue({ QueueName: name, Attributes: attributes, tags });
    const { FifoQueue: _fifo, ...settable } = attributes;
    this.setQueueAttributes({ QueueUrl: name, Attributes: settable });
    if (tags !== undefined) this.store.setTags(name, tags);
    return { QueueUrl: this.url(name) };
  }

  getQueueUrl(input: { QueueName?: string }): { QueueUrl: string } {
    if (!input.QueueName) throw sqsErrors.missingParameter("QueueName");
    if (this.store.getQueue(input.QueueName) === undefined) throw sqsErrors.queueDoesNotExist();
    return { QueueUrl: this.url(input.QueueName) };
  }

  listQueues(input: { QueueNamePrefix?: string; MaxResults?: number; NextToken?: string }): { QueueUrls?: string[]; NextToken?: string } {
    const names = this.store.listQueues().map((q) => q.name).filter((n) => n.startsWith(input.QueueNamePrefix ?? ""));
    const p = pageOfQueues(names, "ListQueues", input);
    const out: { QueueUrls?: string[]; NextToken?: string } = {};
    if (p.items.length > 0) out.QueueUrls = p.items.map((n) => this.url(n));
    if (p.next !== undefined) out.NextToken = p.next;
    return out;
  }

  deleteQueue(input: { QueueUrl?: string }): Record<string, never> {
    const { name } = this.resolve(input.QueueUrl);
    this.store.deleteQueue(name);
    if (this.cooldownMs > 0) this.forgetOldDeletions().set(name, this.clock.now());
    this.onRemoved(name);
    return {};
  }

  /** The deletions still within the cooldown (the map stays as small as the deletes of a minute). */
  private forgetOldDeletions(): Map<string, number> {
    const now = this.clock.now();
    for (const [name, at] of this.deletedAt) if (now - at >= this.cooldownMs) this.deletedAt.delete(name);
    return this.deletedAt;
  }

  getQueueAttributes(input: { QueueUrl?: string; AttributeNames?: string[] }): { Attributes?: Record<string, string> } {
    const q = this.resolve(input.QueueUrl);
    const now = this.clock.now();
    const counts = this.store.counts(q.name, now);
    const all: Record<string, string> = {
      ...q.attributes,
      QueueArn: this.arn(q.name),
      ApproximateNumberOfMessages: String(counts.visible),
      ApproximateNumberOfMessagesNotVisible: String(counts.inflight),
      ApproximateNumberOfMessagesDelayed: String(counts.delayed),
      CreatedTimestamp: String(Math.floor(q.createdAt / 1000)),
      LastModifiedTimestamp: String(Math.floor(q.modifiedAt / 1000)),
    };
    const wanted = input.AttributeNames ?? [];
    if (wanted.length === 0) return {};
    if (wanted.includes("All")) return { Attributes: all };
    const out: Record<string, string> = {};
    for (const name of wanted) {
      if (!(name in all) && !READ_ONLY_ATTRIBUTES.includes(name) && !isKnownAttribute(name)) throw sqsErrors.invalidAttributeName(name);
      if (all[name] !== undefined) out[name] = all[name];
    }
    return Object.keys(out).length > 0 ? { Attributes: out } : {};
  }

  setQueueAttributes(input: { QueueUrl?: string; Attributes?: Record<string, string> }): Record<string, never> {
    const q = this.resolve(input.QueueUrl);
    const given = validateAttributes(input.Attributes, q.fifo, false);
    this.checkDeadLetterTarget(given.RedrivePolicy, q.fifo);
    const attributes = { ...q.attributes, ...given };
    if (attributes.RedrivePolicy === "") delete attributes.RedrivePolicy;
    this.store.setAttributes(q.name, attributes, this.clock.now());
    return {};
  }

  purgeQueue(input: { QueueUrl?: string }): Record<string, never> {
    const q = this.resolve(input.QueueUrl);
    const now = this.clock.now();
    if (q.lastPurgeAt !== null && now - q.lastPurgeAt < PURGE_INTERVAL_MS) throw sqsErrors.purgeInProgress(q.name);
    this.store.purge(q.name, now);
    this.onRemoved(q.name);
    return {};
  }

  tagQueue(input: { QueueUrl?: string; Tags?: Record<string, string> }): Record<string, never> {
    const q = this.resolve(input.QueueUrl);
    this.store.setTags(q.name, { ...q.tags, ...input.Tags });
    return {};
  }

  untagQueue(input: { QueueUrl?: string; TagKeys?: string[] }): Record<string, never> {
    const q = this.resolve(input.QueueUrl);
    const tags = { ...q.tags };
    for (const k of input.TagKeys ?? []) delete tags[k];
    this.store.setTags(q.name, tags);
    return {};
  }

  listQueueTags(input: { QueueUrl?: string }): { Tags?: Record<string, string> } {
    const q = this.resolve(input.QueueUrl);
    return Object.keys(q.tags).length > 0 ? { Tags: q.tags } : {};
  }

  listDeadLetterSourceQueues(input: { QueueUrl?: string; MaxResults?: number; NextToken?: string }): { queueUrls: string[]; NextToken?: string } {
    const dlq = this.resolve(input.QueueUrl);
    const arn = this.arn(dlq.name);
    const sources = this.store.listQueues().filter((q) => parseRedrivePolicy(q.attributes.RedrivePolicy)?.deadLetterTargetArn === arn);
    const p = pageOfQueues(sources.map((q) => q.name), `ListDeadLetterSourceQueues ${dlq.name}`, input);
    return p.next === undefined ? { queueUrls: p.items.map((n) => this.url(n)) } : { queueUrls: p.items.map((n) => this.url(n)), NextToken: p.next };
  }
}

/** ListQueues and ListDeadLetterSourceQueues: "Value range is 1 to 1000" (API reference, MaxResults). */
const MAX_RESULTS = 1000;

/**
 * One page of queue names, by name. Without MaxResults, up to 1,000 and no NextToken ("You must
 * set MaxResults to receive a value for NextToken in the response", API reference). The token
 * names the last queue returned (core listPage), so deleting the queues of a page while paging
 * skips none. AWS's answers to a MaxResults out of range and to a NextToken it did not hand out
 * are unrecorded: our choice, InvalidParameterValue in SQS's usual wording.
 */
function pageOfQueues(names: string[], listing: string, input: { MaxResults?: number; NextToken?: string }): { items: string[]; next?: string } {
  const max = input.MaxResults;
  if (max !== undefined && (!Number.isInteger(max) || max < 1 || max > MAX_RESULTS)) throw sqsErrors.invalidValue(max, "MaxResults", `Must be between 1 and ${MAX_RESULTS}.`);
  const p = listPage(names, {
    listing,
    position: (n) => [n],
    count: max ?? MAX_RESULTS,
    token: input.NextToken,
    invalidToken: () => sqsErrors.invalidValue(input.NextToken, "NextToken", "Invalid NextToken value."),
  });
  return max === undefined ? { items: p.items } : p;
}

function isKnownAttribute(name: string): boolean {
  return ["Policy", "RedrivePolicy", "RedriveAllowPolicy", "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds", "SqsManagedSseEnabled", "FifoQueue", "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit"].includes(name);
}
