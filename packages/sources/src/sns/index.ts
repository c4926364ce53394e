import { expandShortName, isAwsError, loadMigrations, registerShortName, SimError, traceHeaderOf, namesInTable, type Operation, type Source, type SourceContext } from "@lambda-sim/core";
import { deadLetterArn, DeliveryWorker } from "./delivery-worker.ts";
import { PublishOperations } from "./publish-operations.ts";
import { SnsStore, type SubscriptionRow } from "./sns-store.ts";
import { registerSnsProtocol } from "./sns-protocol.ts";
import { SubscriptionOperations } from "./subscription-operations.ts";
import { subscriptionAttributes, topicAttributes, topicConfigSchema, type TopicConfig } from "./topic-config.ts";
import { TopicActivity } from "./topic-activity.ts";
import { TopicOperations } from "./topic-operations.ts";

// `sns:NAME` in lambda-sim.yaml (destinations, DLQs, schedule targets).
registerShortName("sns", (name, region, accountId) => `arn:aws:sns:${region}:${accountId}:${name}`);

/**
 * The SNS source (DESIGN.md `Source`): topics and subscriptions in SQLite on SNS's query protocol,
 * Publish/PublishBatch into a durable outbox, delivery to Lambda (asynchronous invocations), SQS
 * and HTTP/HTTPS endpoints with SNS's retries and redrive, and the `sns:` target for destinations.
 */
export const snsSource: Source<TopicConfig> = {
  name: "sns",
  configKey: "topics",
  configSchema: topicConfigSchema,
  migrations: loadMigrations("sns", new URL("./migrations/", import.meta.url)),
  namesInState: (store) => ({ topic: namesInTable(store, "sns_topics") }),
  start(ctx, config) {
    const store = new SnsStore(ctx.store);
    const ids = ctx.rng.stream("sns-ids");
    const topics = new TopicOperations(store, ctx.clock, ctx);
    const subs = new SubscriptionOperations(store, topics, ctx.clock, ids, ctx.accountId);
    // Subscriptions as deliveries read them, kept until a subscription changes.
    const known = new Map<string, SubscriptionRow | undefined>();
    const subscription = (arn: string) => (known.has(arn) ? known.get(arn) : known.set(arn, store.subscription(arn)).get(arn));
    const commits = ctx.store.commits;
    const activity = new TopicActivity(ctx.telemetry);
    const worker = new DeliveryWorker(store, commits, ctx.clock, ctx, { endpoint: ctx.endpoint, publicEndpoint: ctx.publicEndpoint, region: ctx.region }, subscription, activity);
    const publish = new PublishOperations(store, commits, topics, ctx.clock, ids, (routed) => {
      for (const r of routed) activity.report({ type: "sns.published", topicArn: r.message.TopicArn, messageId: r.message.MessageId, deliveries: r.subscriptions.length, filteredOut: r.filteredOut });
      worker.published();
    });
    subs.onChange = () => {
      known.clear();
      publish.invalidate();
    };
    subs.onPending = (s) => worker.confirm(s);
    const ops: Record<string, Operation> = {
      CreateTopic: (i) => topics.createTopic(i),
      DeleteTopic: (i) => {
        topics.deleteTopic(i);
        subs.onChange();
      },
      ListTopics: (i) => topics.listTopics(i),
      GetTopicAttributes: (i) => topics.getTopicAttributes(i),
      SetTopicAttributes: (i) => topics.setTopicAttributes(i),
      TagResource: (i) => topics.tagResource(i),
      UntagResource: (i) => topics.untagResource(i),
      ListTagsForResource: (i) => topics.listTagsForResource(i),
      Subscribe: (i) => subs.subscribe(i),
      ConfirmSubscription: (i) => subs.confirmSubscription(i),
      Unsubscribe: (i) => subs.unsubscribe(i),
      ListSubscriptions: (i) => subs.listSubscriptions(i),
      ListSubscriptionsByTopic: (i) => subs.listSubscriptionsByTopic(i),
      GetSubscriptionAttributes: (i) => subs.getSubscriptionAttributes(i),
      SetSubscriptionAttributes: (i) => subs.setSubscriptionAttributes(i),
      // The publisher's trace goes with every delivery (a function publishing to its own topic: recursive loops).
      Publish: (i, c) => publish.publish(i, traceHeaderOf(c.headers)),
      PublishBatch: (i, c) => publish.publishBatch(i, traceHeaderOf(c.headers)),
    };
    registerSnsProtocol(ctx, ops);
    declareTopics(ctx, topics, subs, config ?? {});
    // Async destinations and dead-letter queues publish to topics through this (DESIGN.md `Target`).
    ctx.registerTarget("sns", {
      deliver: async (arn, body, attributes) => {
        await publish.publish({ TopicArn: arn, Message: body, MessageAttributes: attributes });
      },
    });
    // With what each topic and subscription did, for the dashboard (counts since the simulator started).
    ctx.addStateView("topics", () =>
      store.topics().map((t) => ({
        name: t.name,
        arn: t.arn,
        fifo: t.fifo,
        ...activity.topic(t.arn),
        subscriptions: store.subscriptions(t.arn).map((s) => ({
          arn: s.arn,
          protocol: s.protocol,
          endpoint: s.endpoint,
          pending: s.pending,
          filterPolicy: s.attributes.FilterPolicy !== undefined && s.attributes.FilterPolicy !== "",
          rawMessageDelivery: s.attributes.RawMessageDelivery === "true",
          deadLetterArn: deadLetterArn(s),
          ...activity.subscription(s.arn),
        })),
      })),
    );
    // Deliveries accepted and not yet settled (delivered, dead-lettered or dropped), per topic.
    ctx.addSimRoute("/_sim/topics/:name", ({ name }) => {
      const t = topics.resolve(topics.arnOf(name!));
      return { topicArn: t.arn, pendingDeliveries: store.pendingDeliveries(t.arn), subscriptions: store.subscriptions(t.arn).map((s) => ({ subscriptionArn: s.arn, protocol: s.protocol, endpoint: s.endpoint, pending: s.pending })) };
    });
    // Deliveries accepted before a restart are due now.
    worker.wake();
    return {
      stop: async () => {
        commits.flush(); // publishes read before the stop are answered, as committed
        await worker.stop();
      },
    };
  },
};

/**
 * Topics from lambda-sim.yaml: created when missing (attributes as the file says), each declared
 * subscription made unless the topic already has it for that endpoint.
 */
function declareTopics(ctx: SourceContext, topics: TopicOperations, subs: SubscriptionOperations, config: TopicConfig): void {
  const expand = (ref: string) => expandShortName(ref, ctx.region, ctx.accountId);
  try {
    for (const [name, t] of Object.entries(config)) {
      const { TopicArn } = topics.createTopicOrUpdate(name, topicAttributes(t), Object.entries(t.tags ?? {}).map(([Key, Value]) => ({ Key, Value })));
      for (const s of t.subscriptions ?? []) {
        const endpoint = s.protocol === "lambda" || s.protocol === "sqs" ? expand(s.endpoint) : s.endpoint;
        subs.subscribeOrUpdate({ TopicArn, Protocol: s.protocol, Endpoint: endpoint, Attributes: subscriptionAttributes(s, expand) });
      }
    }
  } catch (e) {
    if (isAwsError(e)) throw new SimError("ERR_CONFIG", `topics: ${e.message}`);
    throw e;
  }
}
