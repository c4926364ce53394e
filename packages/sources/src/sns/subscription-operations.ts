import type { Clock, RandomStream } from "@lambda-sim/core";
import { compileFilterPolicy, type FilterPolicyScope } from "./filter-policy.ts";
import { snsErrors } from "./sns-errors.ts";
import type { SnsStore, SubscriptionRow } from "./sns-store.ts";
import { DEFAULT_EFFECTIVE_DELIVERY_POLICY, page, parseJson, type TopicOperations } from "./topic-operations.ts";

/** The protocols that take RawMessageDelivery (SNS: sqs, http/https and firehose; lambda-sim delivers the first three). */
const RAW_DELIVERY: ReadonlySet<string> = new Set(["sqs", "http", "https", "firehose"]);

/** Protocols SNS has (SNS API Subscribe); lambda-sim delivers to the first four. */
const DELIVERED = new Set(["lambda", "sqs", "http", "https"]);
const KNOWN = new Set([...DELIVERED, "email", "email-json", "sms", "application", "firehose"]);
/** Subscription attributes Subscribe and SetSubscriptionAttributes take (SNS API). */
const SETTABLE = new Set(["DeliveryPolicy", "FilterPolicy", "FilterPolicyScope", "RawMessageDelivery", "RedrivePolicy", "SubscriptionRoleArn", "ReplayPolicy"]);

export interface SubscribeInput {
  TopicArn?: string;
  Protocol?: string;
  Endpoint?: string;
  Attributes?: Record<string, string>;
  ReturnSubscriptionArn?: boolean;
}

/**
 * Subscribe, ConfirmSubscription, Unsubscribe, ListSubscriptions(ByTopic) and the subscription
 * attributes (SNS API reference). Lambda and SQS subscriptions are confirmed at once; HTTP/HTTPS
 * ones stay pending until the endpoint confirms the token it was sent (`onPending`).
 */
export class SubscriptionOperations {
  private readonly store: SnsStore;
  private readonly topics: TopicOperations;
  private readonly clock: Clock;
  private readonly ids: RandomStream;
  private readonly accountId: string;
  /** Called after every change that alters where messages go. */
  onChange: () => void = () => {};
  /** Called for a new HTTP/HTTPS subscription: send it the SubscriptionConfirmation. */
  onPending: (s: SubscriptionRow) => void = () => {};

  constructor(store: SnsStore, topics: TopicOperations, clock: Clock, ids: RandomStream, accountId: string) {
    this.store = store;
    this.topics = topics;
    this.clock = clock;
    this.ids = ids;
    this.accountId = accountId;
  }

  subscribe(i: SubscribeInput): { SubscriptionArn: string } {
    const t = this.topics.resolve(i.TopicArn);
    const protocol = i.Protocol ?? "";
    if (!KNOWN.has(protocol)) throw snsErrors.invalidParameter(`Amazon SNS does not support this protocol string: ${protocol}`);
    if (!DELIVERED.has(protocol)) throw snsErrors.invalidParameter(`Protocol Reason: lambda-sim does not deliver to ${protocol} endpoints`);
    const endpoint = i.Endpoint ?? "";
    if (endpoint === "") throw snsErrors.invalidParameter("Endpoint");
    if ((protocol === "http" || protocol === "https") && !endpoint.startsWith(`${protocol}://`)) throw snsErrors.invalidParameter("Endpoint must match the specified protocol");
    if (protocol === "sqs" && !/^arn:aws:sqs:[^:]+:\d{12}:[^:]+$/.test(endpoint)) throw snsErrors.invalidParameter("SQS endpoint ARN");
    if (protocol === "lambda" && !/^arn:aws:lambda:[^:]+:\d{12}:function:[^:]+(:[^:]+)?$/.test(endpoint)) throw snsErrors.invalidParameter("Lambda endpoint ARN");
    if (protocol === "sqs" && endpoint.endsWith(".fifo") && !t.fifo) throw snsErrors.invalidParameter("Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics");
    // FIFO topics deliver to SQS queues only (SNS FIFO topics); AWS's wording here is unconfirmed (chosen).
    if (t.fifo && protocol !== "sqs") throw snsErrors.invalidParameter(`Invalid protocol type: ${protocol} Reason: FIFO topics support only SQS subscriptions`);
    const attributes = this.checked(i.Attributes ?? {}, t.arn, protocol, endpoint, "Attributes Reason: ");
    // Subscribe is idempotent per topic and endpoint, unless the attributes differ (SNS API Subscribe).
    const existing = this.store.subscriptions(t.arn).find((s) => s.protocol === protocol && s.endpoint === endpoint);
    if (existing !== undefined) {
      for (const [k, v] of Object.entries(attributes)) if (existing.attributes[k] !== v) throw snsErrors.invalidParameter("Attributes Reason: Subscription already exists with different attributes");
      if (!existing.pending) return { SubscriptionArn: existing.arn };
      // Subscribing a pending endpoint again sends its confirmation again.
      this.onPending(existing);
      return { SubscriptionArn: i.ReturnSubscriptionArn ? existing.arn : "pending confirmation" };
    }
    const pending = protocol === "http" || protocol === "https";
    const s: SubscriptionRow = { arn: `${t.arn}:${this.ids.uuid()}`, topicArn: t.arn, protocol, endpoint, attributes, token: this.ids.hex(144), pending };
    this.store.subscribe(s, this.clock.now());
    this.onChange();
    if (pending) {
      this.onPending(s);
      if (!i.ReturnSubscriptionArn) return { SubscriptionArn: "pending confirmation" };
    }
    return { SubscriptionArn: s.arn };
  }

  /** lambda-sim.yaml's subscriptions: made, or brought to the file's attributes (the file is authoritative). */
  subscribeOrUpdate(i: Required<Pick<SubscribeInput, "TopicArn" | "Protocol" | "Endpoint" | "Attributes">>): void {
    const existing = this.store.subscriptions(i.TopicArn).find((s) => s.protocol === i.Protocol && s.endpoint === i.Endpoint);
    if (existing === undefined) return void this.subscribe(i);
    for (const [k, v] of Object.entries(i.Attributes)) {
      if (existing.attributes[k] !== v) this.setSubscriptionAttributes({ SubscriptionArn: existing.arn, AttributeName: k, AttributeValue: v });
    }
  }

  confirmSubscription(i: { TopicArn?: string; Token?: string }): { SubscriptionArn: string } {
    const s = typeof i.Token === "string" ? this.store.subscriptionByToken(i.Token) : undefined;
    if (s === undefined) throw snsErrors.invalidParameter("Token");
    if (s.topicArn !== i.TopicArn) throw snsErrors.invalidParameter("Topic");
    // Confirming twice answers the same ARN (idempotent).
    if (s.pending) {
      this.store.confirm(s.arn);
      this.onChange();
    }
    return { SubscriptionArn: s.arn };
  }

  unsubscribe(i: { SubscriptionArn?: string }): void {
    const arn = i.SubscriptionArn ?? "";
    const parts = arn.split(":").length;
    if (parts < 6) throw snsErrors.invalidParameter(`SubscriptionArn Reason: An ARN must have at least 6 elements, not ${parts}`);
    if (parts === 6) throw snsErrors.invalidParameter("SubscriptionId");
    // Unsubscribing twice is not an error (idempotent).
    this.store.unsubscribe(arn);
    this.onChange();
  }

  listSubscriptions(i: { NextToken?: string }) {
    return this.list(this.store.subscriptions(), "ListSubscriptions", i.NextToken);
  }

  listSubscriptionsByTopic(i: { TopicArn?: string; NextToken?: string }) {
    const t = this.topics.resolve(i.TopicArn);
    return this.list(this.store.subscriptions(t.arn), `ListSubscriptionsByTopic ${t.arn}`, i.NextToken);
  }

  getSubscriptionAttributes(i: { SubscriptionArn?: string }): { Attributes: Record<string, string> } {
    const s = this.resolve(i.SubscriptionArn);
    const http = s.protocol === "http" || s.protocol === "https";
    const a = s.attributes;
    return {
      Attributes: {
        Owner: this.accountId,
        RawMessageDelivery: "false",
        TopicArn: s.topicArn,
        Endpoint: s.endpoint,
        Protocol: s.protocol,
        PendingConfirmation: String(s.pending),
        ConfirmationWasAuthenticated: String(!s.pending),
        SubscriptionArn: s.arn,
        SubscriptionPrincipal: `arn:aws:iam::${this.accountId}:user/lambda-sim`,
        ...(http ? { EffectiveDeliveryPolicy: a.DeliveryPolicy ?? this.store.topic(s.topicArn)?.attributes.DeliveryPolicy ?? DEFAULT_EFFECTIVE_DELIVERY_POLICY } : {}),
        ...(a.FilterPolicy ? { FilterPolicyScope: "MessageAttributes" } : {}),
        ...a,
      },
    };
  }

  setSubscriptionAttributes(i: { SubscriptionArn?: string; AttributeName?: string; AttributeValue?: string }): void {
    const s = this.resolve(i.SubscriptionArn);
    const name = i.AttributeName ?? "";
    const next = { ...s.attributes, ...this.checked({ [name]: i.AttributeValue ?? "" }, s.topicArn, s.protocol, s.endpoint, "", s.attributes) };
    if (next[name] === "") delete next[name];
    this.store.setSubscriptionAttributes(s.arn, next);
    this.onChange();
  }

  resolve(arn: string | undefined): SubscriptionRow {
    const s = arn === undefined ? undefined : this.store.subscription(arn);
    if (s === undefined) throw snsErrors.subscriptionNotFound();
    return s;
  }

  /** Oldest first (the store's order: creation, then ARN), 100 a page. */
  private list(subs: SubscriptionRow[], listing: string, token: string | undefined) {
    const rows = subs.map((s) => ({ SubscriptionArn: s.pending ? "PendingConfirmation" : s.arn, Owner: this.accountId, Protocol: s.protocol, Endpoint: s.endpoint, TopicArn: s.topicArn, key: [s.createdAt ?? 0, s.arn] as const }));
    return page(rows, listing, token, (r) => r.key, (items, next) => ({ Subscriptions: items.map(({ key: _k, ...r }) => r), NextToken: next }));
  }

  /** Checks attributes with SNS's wording (`prefix` is "Attributes Reason: " inside Subscribe). */
  private checked(attributes: Record<string, string>, topicArn: string, protocol: string, endpoint: string, prefix: string, current: Record<string, string> = {}): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(attributes)) {
      if (!SETTABLE.has(name)) throw snsErrors.invalidParameter(`${prefix}AttributeName`);
      if (name === "RawMessageDelivery") {
        if (!/^(true|false)$/i.test(value)) throw snsErrors.invalidParameter(`${prefix}RawMessageDelivery: Invalid value [${value}]. Must be true or false.`);
        // Raw delivery is for SQS, HTTP/S and Firehose endpoints (SNS "Amazon SNS raw message delivery"); a
        // lambda subscription refuses it (newuser13 N13-10). Setting it false is left alone (our choice).
        if (value.toLowerCase() === "true" && !RAW_DELIVERY.has(protocol)) throw snsErrors.invalidParameter(`${prefix}Delivery protocol [${protocol}] does not support raw message delivery.`);
        out[name] = value.toLowerCase();
        continue;
      }
      if (name === "FilterPolicyScope" && value !== "MessageAttributes" && value !== "MessageBody") {
        throw snsErrors.invalidParameter(`${prefix}FilterPolicyScope: Invalid value [${value}]. Please use either MessageBody or MessageAttributes`);
      }
      if (name === "RedrivePolicy" && value !== "") {
        const dlq = (parseJson(value, `${prefix}RedrivePolicy`) as { deadLetterTargetArn?: unknown } | null)?.deadLetterTargetArn;
        if (typeof dlq !== "string" || !/^arn:aws:sqs:[^:]+:\d{12}:[^:]+$/.test(dlq)) throw snsErrors.invalidParameter(`${prefix}RedrivePolicy: deadLetterTargetArn is an invalid arn`);
        if (topicArn.endsWith(".fifo") && endpoint.endsWith(".fifo") && !dlq.endsWith(".fifo")) throw snsErrors.invalidParameter(`${prefix}RedrivePolicy: must use a FIFO queue as DLQ for a FIFO Subscription to a FIFO Topic.`);
      }
      if (name === "DeliveryPolicy" && value !== "") parseJson(value, `${prefix}DeliveryPolicy`);
      out[name] = value;
    }
    // The policy is checked for the scope it will have, whichever of the two changes.
    const policy = out.FilterPolicy ?? current.FilterPolicy;
    if (policy) {
      parseJson(policy, `${prefix}FilterPolicy`);
      compileFilterPolicy(policy, (out.FilterPolicyScope ?? current.FilterPolicyScope) as FilterPolicyScope | undefined, false, prefix);
    }
    return out;
  }
}
