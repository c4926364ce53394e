import { z } from "zod";
import { compileFilterPolicy } from "./filter-policy.ts";

const json = z.union([z.string(), z.record(z.string(), z.unknown())], { error: "expected a JSON object, inline or as a string" });
const asText = (v: string | Record<string, unknown> | undefined) => (v === undefined ? undefined : typeof v === "string" ? v : JSON.stringify(v));

const subscriptionSchema = z.strictObject({
  protocol: z.enum(["lambda", "sqs", "http", "https"], { error: "expected lambda, sqs, http or https" }),
  /** `lambda:NAME`, `sqs:NAME`, an ARN, or an http(s) URL. */
  endpoint: z.string({ error: "expected lambda:NAME, sqs:NAME, an ARN or a URL" }),
  rawMessageDelivery: z.boolean({ error: "expected true or false" }).optional(),
  filterPolicy: json.optional(),
  filterPolicyScope: z.enum(["MessageAttributes", "MessageBody"], { error: "expected MessageAttributes or MessageBody" }).optional(),
  redrivePolicy: z.strictObject({ deadLetterTargetArn: z.string({ error: "expected sqs:NAME or a queue ARN" }) }).optional(),
  deliveryPolicy: json.optional(),
}).superRefine((sub, ctx) => {
  // Checked with the file's line (and a template's), as Subscribe would refuse it (newuser13 N13-3: it failed at start with neither).
  if (sub.filterPolicy === undefined) return;
  try {
    compileFilterPolicy(asText(sub.filterPolicy), sub.filterPolicyScope);
  } catch (e) {
    ctx.addIssue({ code: "custom", path: ["filterPolicy"], input: sub.filterPolicy, message: `expected a filter policy SNS accepts (${(e as Error).message.replace(/^Invalid parameter: (FilterPolicy: )?/, "")})` });
  }
});

/**
 * `topics:` in lambda-sim.yaml: CreateTopic's attributes in lowerCamelCase and the topic's
 * subscriptions with Subscribe's attributes. Endpoints and dead-letter queues may be written as
 * short names (`lambda:NAME`, `sqs:NAME`).
 */
export const topicConfigSchema = z.record(
  z.string().regex(/^[A-Za-z0-9_-]{1,256}$|^[A-Za-z0-9_-]{1,251}\.fifo$/, { error: "expected a topic name: letters, digits, - and _, 1-256 long, FIFO names ending in .fifo" }),
  z
    .strictObject({
      fifoTopic: z.boolean({ error: "expected true or false" }).optional(),
      contentBasedDeduplication: z.boolean({ error: "expected true or false" }).optional(),
      displayName: z.string().optional(),
      deliveryPolicy: json.optional(),
      tags: z.record(z.string(), z.string(), { error: "expected a map of tag names to values" }).optional(),
      subscriptions: z.array(subscriptionSchema, { error: "expected a list of subscriptions" }).optional(),
    })
    .nullable()
    .transform((t) => t ?? {}),
  { error: "expected a map of topic names to topic settings" },
);

export type TopicConfig = z.output<typeof topicConfigSchema>;
type SubscriptionConfig = z.output<typeof subscriptionSchema>;

/** CreateTopic's Attributes of one declared topic. */
export function topicAttributes(t: TopicConfig[string]): Record<string, string> {
  const out: Record<string, string> = {};
  if (t.fifoTopic !== undefined) out.FifoTopic = String(t.fifoTopic);
  if (t.contentBasedDeduplication !== undefined) out.ContentBasedDeduplication = String(t.contentBasedDeduplication);
  if (t.displayName !== undefined) out.DisplayName = t.displayName;
  const delivery = asText(t.deliveryPolicy);
  if (delivery !== undefined) out.DeliveryPolicy = delivery;
  return out;
}

/** Subscribe's Attributes of one declared subscription (`sqs:NAME` resolved by `expand`). */
export function subscriptionAttributes(s: SubscriptionConfig, expand: (ref: string) => string): Record<string, string> {
  const out: Record<string, string> = {};
  if (s.rawMessageDelivery !== undefined) out.RawMessageDelivery = String(s.rawMessageDelivery);
  const filter = asText(s.filterPolicy);
  if (filter !== undefined) out.FilterPolicy = filter;
  if (s.filterPolicyScope !== undefined) out.FilterPolicyScope = s.filterPolicyScope;
  if (s.redrivePolicy !== undefined) out.RedrivePolicy = JSON.stringify({ deadLetterTargetArn: expand(s.redrivePolicy.deadLetterTargetArn) });
  const delivery = asText(s.deliveryPolicy);
  if (delivery !== undefined) out.DeliveryPolicy = delivery;
  return out;
}
