import { TemplateError } from "./intrinsics.ts";
import { GENERATED } from "./sam-generated-queues.ts";
import type { TemplateStack } from "./template-stack.ts";
import { bool, defined, tagMap, type Translation } from "./translation.ts";

type Props = Record<string, unknown>;

/**
 * `AWS::SNS::Topic` as lambda-sim.yaml's `topics:` entry, its inline `Subscription` list included
 * (CloudFormation AWS::SNS::Topic). A FIFO topic's generated name ends in `.fifo`, as
 * CloudFormation makes it.
 */
export function snsTopic(t: Translation, stack: TemplateStack, id: string, p: Props): void {
  const base = ["Resources", id, "Properties"];
  const me = stack.identity(id, base);
  const inline = Array.isArray(p.Subscription) ? (p.Subscription as Props[]).map((s) => subscription(s.Protocol, s.Endpoint, {})) : [];
  const existing = t.config.topics[me.name];
  // Subscriptions declared before the topic come after its inline ones: their origins move along.
  for (const o of t.origins) if (o.native[0] === "topics" && o.native[1] === me.name && o.native[2] === "subscriptions" && typeof o.native[3] === "number") o.native = [...o.native.slice(0, 3), o.native[3] + inline.length];
  t.config.topics[me.name] = defined({
    fifoTopic: bool(p.FifoTopic),
    contentBasedDeduplication: bool(p.ContentBasedDeduplication),
    displayName: p.DisplayName,
    deliveryPolicy: p.DeliveryPolicy,
    tags: tagMap(p.Tags),
    // Subscriptions declared before the topic (AWS::SNS::Subscription, SNS events) are kept.
    subscriptions: [...inline, ...(existing?.subscriptions ?? [])],
  });
  t.origins.push({ native: ["topics", me.name], template: base, keys: { subscriptions: "Subscription" } });
  const createdFor = stack.resources[id]!.Metadata?.[GENERATED];
  t.said(id, `topic ${me.name}${inline.length > 0 ? ` (${inline.length} subscription${inline.length === 1 ? "" : "s"})` : ""}${createdFor === undefined ? "" : ` (created by SAM for ${String(createdFor)})`}`);
}

/** `AWS::SNS::Subscription`: a subscription of the topic its TopicArn names. */
export function snsSubscription(t: Translation, id: string, p: Props): void {
  const at = ["Resources", id, "Properties"];
  const redrive = typeof p.RedrivePolicy === "string" ? JSON.parse(p.RedrivePolicy) : p.RedrivePolicy;
  const entry = subscription(p.Protocol, p.Endpoint, {
    rawMessageDelivery: bool(p.RawMessageDelivery),
    filterPolicy: p.FilterPolicy,
    filterPolicyScope: p.FilterPolicyScope,
    redrivePolicy: redrive === undefined ? undefined : { deadLetterTargetArn: (redrive as Props).deadLetterTargetArn },
    deliveryPolicy: p.DeliveryPolicy,
  });
  addSubscription(t, p.TopicArn, entry, at, "TopicArn");
  t.said(id, `subscription ${String(p.Protocol)} ${String(p.Endpoint)} → ${topicName(p.TopicArn)}`);
}

/**
 * Adds a subscription, written at `at` (its `topicKey` naming the topic), to the topic `topicArn`
 * names, declaring the topic if the template has not yet. Its settings' errors are said at `at`,
 * not at the topic's lines (review23 M6).
 */
export function addSubscription(t: Translation, topicArn: unknown, entry: Record<string, unknown>, at: (string | number)[], topicKey: string): void {
  if (typeof topicArn !== "string" || !/^arn:aws:sns:[^:]*:\d*:[^:]+$/.test(topicArn)) throw new TemplateError([...at, topicKey], `expected a topic ARN (!Ref a topic), got ${JSON.stringify(topicArn)}`);
  const name = topicName(topicArn);
  const topic = (t.config.topics[name] ??= {});
  const index = (topic.subscriptions ??= []).push(entry) - 1;
  t.origins.push({ native: ["topics", name, "subscriptions", index], template: at });
}

function subscription(protocol: unknown, endpoint: unknown, extra: Props): Record<string, unknown> {
  return defined({ protocol, endpoint, ...extra });
}

function topicName(arn: unknown): string {
  return String(arn).split(":").at(-1)!;
}
