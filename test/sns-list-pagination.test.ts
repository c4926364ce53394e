import { beforeEach, describe, expect, it } from "vitest";
import { CreateTopicCommand, DeleteTopicCommand, ListSubscriptionsByTopicCommand, ListTopicsCommand, SNSClient, SubscribeCommand, paginateListSubscriptions, paginateListTopics } from "@aws-sdk/client-sns";
import { snsSource, sqsSource } from "@lambda-sim/sources";
import { perTestSimulator } from "./support/per-test-simulator.ts";
import { HAS_BOTO3, runBoto3 } from "./support/boto3-script.ts";

// F5 (newuser7): ListTopics' token named the last topic returned but had to still exist, so the
// usual paginate-and-delete of 121 topics deleted 100 and then failed `Invalid parameter:
// NextToken` on the token SNS had just handed out.
const sims = perTestSimulator({ sources: [sqsSource, snsSource] });
let sns: SNSClient;

const topicArn = (name: string) => `arn:aws:sns:us-east-1:000000000000:${name}`;

async function createTopics(prefix: string, n: number): Promise<string[]> {
  const names = Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(3, "0")}`);
  for (const Name of names) await sns.send(new CreateTopicCommand({ Name }));
  return names;
}

async function subscribe(topic: string, n: number): Promise<string[]> {
  const arns: string[] = [];
  for (let i = 0; i < n; i++) {
    const out = await sns.send(new SubscribeCommand({ TopicArn: topicArn(topic), Protocol: "sqs", Endpoint: `arn:aws:sqs:us-east-1:000000000000:q-${i}` }));
    arns.push(out.SubscriptionArn!);
  }
  return arns;
}

async function allTopics(): Promise<string[]> {
  const arns: string[] = [];
  for await (const p of paginateListTopics({ client: sns }, {})) arns.push(...(p.Topics ?? []).map((x) => x.TopicArn!));
  return arns;
}

describe("SNS list pagination", () => {
  beforeEach(async () => {
    sns = new SNSClient({ ...(await sims.start()).clientConfig, maxAttempts: 1 });
    return () => sns.destroy();
  });

  it.skipIf(!HAS_BOTO3)("boto3 paginators deleting each page delete all 121 topics and all 105 subscriptions of a topic in one pass (skipped without boto3)", async () => {
    await createTopics("sweep", 121);
    await sns.send(new CreateTopicCommand({ Name: "fan" }));
    await subscribe("fan", 105);
    const r = await runBoto3(sims.current.endpoint, [
      "import os, boto3",
      "s = boto3.client('sns', endpoint_url=os.environ['ENDPOINT'])",
      "pages = deleted = 0",
      "for p in s.get_paginator('list_subscriptions_by_topic').paginate(TopicArn='" + topicArn("fan") + "'):",
      "    pages += 1",
      "    for x in p['Subscriptions']:",
      "        s.unsubscribe(SubscriptionArn=x['SubscriptionArn']); deleted += 1",
      "print(pages, deleted)",
      "pages = deleted = 0",
      "for p in s.get_paginator('list_topics').paginate():",
      "    pages += 1",
      "    for x in p['Topics']:",
      "        if ':sweep-' in x['TopicArn']:",
      "            s.delete_topic(TopicArn=x['TopicArn']); deleted += 1",
      "print(pages, deleted)",
    ]);
    expect(r.stderr).toBe("");
    // 100 a page (SNS API reference): two pages each.
    expect(r.stdout.trim().split("\n")).toEqual(["2 105", "2 121"]);
    expect((await allTopics()).filter((a) => a.includes(":sweep-"))).toEqual([]);
    expect((await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn("fan") }))).Subscriptions).toEqual([]);
  });

  it("the JS SDK's paginators list every topic and subscription once, 100 a page, while the first page is deleted", async () => {
    const names = await createTopics("js", 130);
    await sns.send(new CreateTopicCommand({ Name: "fan2" }));
    const subs = await subscribe("fan2", 102);
    const seen: string[] = [];
    const sizes: number[] = [];
    for await (const p of paginateListTopics({ client: sns }, {})) {
      const page = (p.Topics ?? []).map((x) => x.TopicArn!);
      sizes.push(page.length);
      seen.push(...page);
      // DeleteTopic of each js- topic of the first page: the token still leads on.
      if (sizes.length === 1) for (const TopicArn of page.filter((a) => a.includes(":js-"))) await sns.send(new DeleteTopicCommand({ TopicArn }));
    }
    expect(sizes[0]).toBe(100);
    expect(seen.filter((a) => a.includes(":js-"))).toEqual(names.map(topicArn));
    const listed: string[] = [];
    for await (const p of paginateListSubscriptions({ client: sns }, {})) listed.push(...(p.Subscriptions ?? []).filter((x) => x.TopicArn === topicArn("fan2")).map((x) => x.SubscriptionArn!));
    // Each once (oldest first; those made within one millisecond in ARN order, so not always as made).
    expect([...listed].sort()).toEqual([...subs].sort());
    expect(new Set(listed).size).toBe(listed.length);
  });

  it("a NextToken not handed out is InvalidParameter: NextToken", async () => {
    for (const NextToken of ["garbage", "MTAw"]) {
      await expect(sns.send(new ListTopicsCommand({ NextToken }))).rejects.toMatchObject({ name: "InvalidParameterException", message: "Invalid parameter: NextToken" });
    }
  });
});
