import { TemplateError } from "./intrinsics.ts";
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
  t.said(id, `topic ${me.name}${inline.length > 0 ? ` (${inline.length} subscription${inline.length === 1 ? "" : "s"})` : ""}`);
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
  addSubscription(t, p.TopicArn, entry, [...at, "TopicArn"]);
  t.said(id, `subscription ${String(p.Protocol)} ${String(p.Endpoint)} → ${topicName(p.TopicArn)}`);
}

/** Adds a subscription to the topic `topicArn` names, declaring the topic if the template has not yet. */
export function addSubscription(t: Translation, topicArn: unknown, entry: Record<string, unknown>, at: (string | number)[]): void {
  if (typeof topicArn !== "string" || !/^arn:aws:sns:[^:]*:\d*:[^:]+$/.test(topicArn)) throw new TemplateError(at, `expected a topic ARN (!Ref a topic), got ${JSON.stringify(topicArn)}`);
  const name = topicName(topicArn);
  const topic = (t.config.topics[name] ??= {});
  (topic.subscriptions ??= []).push(entry);
}

function subscription(protocol: unknown, endpoint: unknown, extra: Props): Record<string, unknown> {
  return defined({ protocol, endpoint, ...extra });
}

function topicName(arn: unknown): string {
  return String(arn).split(":").at(-1)!;
}
