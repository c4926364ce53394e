import { listPage, type Clock, type ListPosition } from "@lambda-sim/core";
import { snsErrors } from "./sns-errors.ts";
import type { SnsStore, TopicRow } from "./sns-store.ts";

// Topic names: 1-256 ASCII letters, digits, hyphens and underscores; FIFO ones end in .fifo (SNS API CreateTopic).
const NAME = /^[A-Za-z0-9_-]{1,256}$/;
const FIFO_NAME = /^[A-Za-z0-9_-]{1,251}\.fifo$/;

/** Attributes CreateTopic and SetTopicAttributes take (SNS API, "Attributes" of CreateTopic). */
const SETTABLE = new Set([
  "DeliveryPolicy", "DisplayName", "FifoTopic", "Policy", "SignatureVersion", "TracingConfig", "KmsMasterKeyId",
  "ArchivePolicy", "ContentBasedDeduplication", "FifoThroughputScope", "DataProtectionPolicy",
  ...["Application", "Firehose", "HTTP", "Lambda", "SQS"].flatMap((p) => [`${p}SuccessFeedbackRoleArn`, `${p}SuccessFeedbackSampleRate`, `${p}FailureFeedbackRoleArn`]),
]);

/** AWS's default HTTP delivery policy, as GetTopicAttributes shows it (EffectiveDeliveryPolicy). */
export const DEFAULT_EFFECTIVE_DELIVERY_POLICY = JSON.stringify({
  http: {
    defaultHealthyRetryPolicy: { minDelayTarget: 20, maxDelayTarget: 20, numRetries: 3, numMaxDelayRetries: 0, numNoDelayRetries: 0, numMinDelayRetries: 0, backoffFunction: "linear" },
    disableSubscriptionOverrides: false,
    defaultRequestPolicy: { headerContentType: "text/plain; charset=UTF-8" },
  },
});

export const MAX_TAGS = 50;

type Tags = { Key: string; Value: string }[];

/** CreateTopic, DeleteTopic, ListTopics, Get/SetTopicAttributes and tags (SNS API reference). */
export class TopicOperations {
  private readonly store: SnsStore;
  private readonly clock: Clock;
  private readonly region: string;
  private readonly accountId: string;

  constructor(store: SnsStore, clock: Clock, where: { region: string; accountId: string }) {
    this.store = store;
    this.clock = clock;
    this.region = where.region;
    this.accountId = where.accountId;
  }

  arnOf(name: string): string {
    return `arn:aws:sns:${this.region}:${this.accountId}:${name}`;
  }

  /** The topic an ARN names; a malformed or foreign ARN is InvalidParameter, a missing topic NotFound. */
  resolve(arn: unknown, parameter = "TopicArn"): TopicRow {
    if (typeof arn !== "string" || !arn.startsWith(`arn:aws:sns:${this.region}:`) || arn.split(":").length !== 6) throw snsErrors.invalidParameter(parameter);
    const t = this.store.topic(arn);
    if (t === undefined) throw snsErrors.topicNotFound();
    return t;
  }

  createTopic(i: { Name?: string; Attributes?: Record<string, string>; Tags?: Tags; DataProtectionPolicy?: string }): { TopicArn: string } {
    const name = i.Name ?? "";
    const attributes: Record<string, string> = { ...(i.Attributes ?? {}) };
    if (i.DataProtectionPolicy !== undefined) attributes.DataProtectionPolicy = i.DataProtectionPolicy;
    for (const k of Object.keys(attributes)) if (!SETTABLE.has(k)) throw snsErrors.invalidParameter(`Attributes Reason: Unknown attribute ${k}`);
    // True or false only, and a Policy that is JSON (AWS: InvalidParameter; its exact wording for
    // these is unrecorded, ours follows its other attribute reasons; newuser12 N1-8).
    if (attributes.FifoTopic !== undefined && !/^(true|false)$/i.test(attributes.FifoTopic)) throw snsErrors.invalidParameter(`Attributes Reason: FifoTopic: Invalid value [${attributes.FifoTopic}]: expected true or false`);
    for (const k of ["Policy", "DeliveryPolicy"] as const) if (attributes[k]) parseJson(attributes[k], k);
    const fifo = attributes.FifoTopic?.toLowerCase() === "true";
    if (fifo && !FIFO_NAME.test(name)) {
      throw snsErrors.invalidParameter("Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.");
    }
    if (!fifo && !NAME.test(name)) throw snsErrors.invalidParameter("Topic Name");
    if (!fifo && attributes.ContentBasedDeduplication !== undefined && attributes.ContentBasedDeduplication.toLowerCase() === "true") {
      throw snsErrors.invalidParameter("Attributes Reason: ContentBasedDeduplication: Content-based deduplication can only be set for FIFO topics");
    }
    if (fifo) attributes.FifoTopic = "true";
    const arn = this.arnOf(name);
    const existing = this.store.topic(arn);
    if (existing !== undefined) {
      // CreateTopic is idempotent for the same attributes and tags (SNS API CreateTopic).
      for (const [k, v] of Object.entries(attributes)) if (existing.attributes[k] !== v) throw snsErrors.invalidParameter("Attributes Reason: Topic already exists with different attributes");
      for (const t of i.Tags ?? []) if (!existing.tags.some((e) => e.Key === t.Key && e.Value === t.Value)) throw snsErrors.invalidParameter("Tags Reason: Topic already exists with different tags");
      return { TopicArn: arn };
    }
    const tags = checkTags(i.Tags ?? []);
    this.store.createTopic({ arn, name, attributes, tags, createdAt: this.clock.now() });
    return { TopicArn: arn };
  }

  /** lambda-sim.yaml's topics: created, or brought to the file's attributes and tags (the file is authoritative). */
  createTopicOrUpdate(name: string, attributes: Record<string, string>, tags: Tags): { TopicArn: string } {
    const existing = this.store.topic(this.arnOf(name));
    if (existing === undefined) return this.createTopic({ Name: name, Attributes: attributes, Tags: tags });
    const { FifoTopic: _fixed, ...settable } = attributes;
    for (const [k, v] of Object.entries(settable)) if (existing.attributes[k] !== v) this.setTopicAttributes({ TopicArn: existing.arn, AttributeName: k, AttributeValue: v });
    if (tags.length > 0) this.tagResource({ ResourceArn: existing.arn, Tags: tags });
    return { TopicArn: existing.arn };
  }

  deleteTopic(i: { TopicArn?: string }): void {
    // Deleting a topic that does not exist succeeds (SNS API DeleteTopic: idempotent).
    if (typeof i.TopicArn !== "string" || !i.TopicArn.startsWith("arn:aws:sns:")) throw snsErrors.invalidParameter("TopicArn");
    this.store.deleteTopic(i.TopicArn);
  }

  listTopics(i: { NextToken?: string }): { Topics: { TopicArn: string }[]; NextToken?: string } {
    // In ARN order (the store's), 100 a page.
    return page(this.store.topics().map((t) => ({ TopicArn: t.arn })), "ListTopics", i.NextToken, (t) => [t.TopicArn], (items, next) => ({ Topics: items, NextToken: next }));
  }

  getTopicAttributes(i: { TopicArn?: string }): { Attributes: Record<string, string> } {
    const t = this.resolve(i.TopicArn);
    const subs = this.store.subscriptions(t.arn);
    return {
      Attributes: {
        Policy: defaultPolicy(t.arn, this.accountId),
        Owner: this.accountId,
        SubscriptionsPending: String(subs.filter((s) => s.pending).length),
        TopicArn: t.arn,
        EffectiveDeliveryPolicy: t.attributes.DeliveryPolicy ?? DEFAULT_EFFECTIVE_DELIVERY_POLICY,
        SubscriptionsConfirmed: String(subs.filter((s) => !s.pending).length),
        DisplayName: "",
        SubscriptionsDeleted: "0",
        ...(t.fifo ? { FifoTopic: "true", ContentBasedDeduplication: "false" } : {}),
        ...t.attributes,
      },
    };
  }

  setTopicAttributes(i: { TopicArn?: string; AttributeName?: string; AttributeValue?: string }): void {
    const t = this.resolve(i.TopicArn);
    const name = i.AttributeName ?? "";
    // FifoTopic is fixed at creation (SNS API SetTopicAttributes lists the rest).
    if (!SETTABLE.has(name) || name === "FifoTopic") throw snsErrors.invalidParameter("AttributeName");
    if (name === "ContentBasedDeduplication" && !t.fifo) throw snsErrors.invalidParameter("ContentBasedDeduplication Reason: Content-based deduplication can only be set for FIFO topics");
    if ((name === "DeliveryPolicy" || name === "Policy") && i.AttributeValue) parseJson(i.AttributeValue, name);
    this.store.setTopicAttributes(t.arn, { ...t.attributes, [name]: i.AttributeValue ?? "" });
  }

  tagResource(i: { ResourceArn?: string; Tags?: Tags }): Record<string, never> {
    const t = this.taggable(i.ResourceArn);
    const merged = new Map(t.tags.map((e) => [e.Key, e.Value]));
    for (const e of checkTags(i.Tags ?? [])) merged.set(e.Key, e.Value);
    if (merged.size > MAX_TAGS) throw snsErrors.tagLimitExceeded();
    this.store.setTags(t.arn, [...merged].map(([Key, Value]) => ({ Key, Value })));
    return {};
  }

  untagResource(i: { ResourceArn?: string; TagKeys?: string[] }): Record<string, never> {
    const t = this.taggable(i.ResourceArn);
    const drop = new Set(i.TagKeys ?? []);
    this.store.setTags(t.arn, t.tags.filter((e) => !drop.has(e.Key)));
    return {};
  }

  listTagsForResource(i: { ResourceArn?: string }): { Tags: Tags } {
    return { Tags: this.taggable(i.ResourceArn).tags };
  }

  private taggable(arn: string | undefined): TopicRow {
    const t = typeof arn === "string" ? this.store.topic(arn) : undefined;
    if (t === undefined) throw snsErrors.resourceNotFound();
    return t;
  }
}

function checkTags(tags: Tags): Tags {
  if (new Set(tags.map((t) => t.Key)).size < tags.length) throw snsErrors.invalidParameter("Duplicated keys are not allowed.");
  if (tags.length > MAX_TAGS) throw snsErrors.tagLimitExceeded();
  return tags;
}

export function parseJson(text: string, name: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw snsErrors.invalidParameter(`${name}: failed to parse JSON.`);
  }
}

/** ListTopics, ListSubscriptions and ListSubscriptionsByTopic: "Each call returns a limited list of [items], up to 100" (SNS API reference). */
const PAGE = 100;

/**
 * One page of `items` after `token`, 100 at a time. The token names the position of the last item
 * returned (core listPage), so it stays valid when that item or any before it is deleted: the
 * usual "list a page, delete it, continue" cleanup no longer fails on the token SNS just handed
 * out. A token not handed out is `InvalidParameter: Invalid parameter: NextToken` (AWS's answer
 * to one is unrecorded: our choice, the code the model lists for these operations).
 */
export function page<T, R>(items: T[], listing: string, token: string | undefined, position: (t: T) => ListPosition, out: (items: T[], next: string | undefined) => R): R {
  const p = listPage(items, { listing, position, count: PAGE, token, invalidToken: () => snsErrors.invalidParameter("NextToken") });
  return out(p.items, p.next);
}

/** The policy every new topic has (AWS's `__default_policy_ID`, as GetTopicAttributes shows it). */
function defaultPolicy(arn: string, accountId: string): string {
  return JSON.stringify({
    Version: "2008-10-17",
    Id: "__default_policy_ID",
    Statement: [{
      Sid: "__default_statement_ID",
      Effect: "Allow",
      Principal: { AWS: "*" },
      Action: ["SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission", "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish"],
      Resource: arn,
      Condition: { StringEquals: { "AWS:SourceOwner": accountId } },
    }],
  });
}
