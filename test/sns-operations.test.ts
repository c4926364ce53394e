import { afterEach, describe, expect, it } from "vitest";
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import {
  CreateTopicCommand,
  GetTopicAttributesCommand,
  ListTagsForResourceCommand,
  PublishBatchCommand,
  PublishCommand,
  SetTopicAttributesCommand,
  SNSClient,
  SubscribeCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-sns";
import { snsSource, sqsSource } from "@lambda-sim/sources";
import { startTestSimulator, type TestSimulator } from "@lambda-sim/core/testing";
import { until } from "./support/until.ts";

// SNS operations and limits with the real SDK (issue 19): SetTopicAttributes, tags, and Publish /
// PublishBatch refusals, each with the code and message AWS answers.

const ACCOUNT = "000000000000";

let t: TestSimulator | undefined;
let sns: SNSClient;
let sqs: SQSClient;

afterEach(async () => {
  sns?.destroy();
  sqs?.destroy();
  await t?.close();
  t = undefined;
});

async function start() {
  t = await startTestSimulator({ sources: [sqsSource, snsSource] });
  sns = new SNSClient(t.clientConfig);
  sqs = new SQSClient(t.clientConfig);
}

const topic = async (Name: string, Attributes?: Record<string, string>) => (await sns.send(new CreateTopicCommand({ Name, Attributes }))).TopicArn!;

describe("SNS operations", () => {
  it("sets a topic's attributes and refuses the ones that are fixed or do not apply", async () => {
    await start();
    const TopicArn = await topic("orders");
    await sns.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: "DisplayName", AttributeValue: "Orders" }));
    const attrs = (await sns.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes!;
    expect(attrs.DisplayName).toBe("Orders");
    // FifoTopic is set at creation only (SNS API SetTopicAttributes does not list it).
    await expect(sns.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: "FifoTopic", AttributeValue: "true" }))).rejects.toMatchObject({ name: "InvalidParameterException", message: "Invalid parameter: AttributeName" });
    await expect(sns.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: "ContentBasedDeduplication", AttributeValue: "true" }))).rejects.toMatchObject({ name: "InvalidParameterException" });
    await expect(sns.send(new SetTopicAttributesCommand({ TopicArn: `${TopicArn}-gone`, AttributeName: "DisplayName", AttributeValue: "x" }))).rejects.toMatchObject({ name: "NotFoundException", message: "Topic does not exist" });
  });

  it("tags and untags a topic, up to 50 tags", async () => {
    await start();
    const ResourceArn = await topic("tagged");
    await sns.send(new TagResourceCommand({ ResourceArn, Tags: [{ Key: "team", Value: "billing" }, { Key: "env", Value: "dev" }] }));
    await sns.send(new TagResourceCommand({ ResourceArn, Tags: [{ Key: "env", Value: "prod" }] }));
    await sns.send(new UntagResourceCommand({ ResourceArn, TagKeys: ["team"] }));
    expect((await sns.send(new ListTagsForResourceCommand({ ResourceArn }))).Tags).toEqual([{ Key: "env", Value: "prod" }]);
    // 49 more make 50, the most a topic can have (SNS quotas); the 51st is refused and nothing is applied.
    await sns.send(new TagResourceCommand({ ResourceArn, Tags: Array.from({ length: 49 }, (_, i) => ({ Key: `k${i}`, Value: "v" })) }));
    await expect(sns.send(new TagResourceCommand({ ResourceArn, Tags: [{ Key: "one-too-many", Value: "v" }] }))).rejects.toMatchObject({ name: "TagLimitExceededException", message: "Could not complete request: tag quota of per resource exceeded" });
    expect((await sns.send(new ListTagsForResourceCommand({ ResourceArn }))).Tags).toHaveLength(50);
    await expect(sns.send(new TagResourceCommand({ ResourceArn: `${ResourceArn}-gone`, Tags: [{ Key: "a", Value: "b" }] }))).rejects.toMatchObject({ name: "ResourceNotFoundException", message: "Resource does not exist" });
  });

  it("refuses a message over 256 KiB, a batch over 256 KiB in all, repeated entry ids, and a FIFO batch with an entry lacking its group", async () => {
    await start();
    const TopicArn = await topic("limits");
    // 256 KiB = 262,144 bytes, message and attributes together (SNS quotas).
    await sns.send(new PublishCommand({ TopicArn, Message: "x".repeat(262_144) }));
    await expect(sns.send(new PublishCommand({ TopicArn, Message: "x".repeat(262_145) }))).rejects.toMatchObject({ name: "InvalidParameterException", message: "Invalid parameter: Message too long" });
    const half = "x".repeat(131_073);
    await expect(sns.send(new PublishBatchCommand({ TopicArn, PublishBatchRequestEntries: [{ Id: "a", Message: half }, { Id: "b", Message: half }] }))).rejects.toMatchObject({
      name: "BatchRequestTooLongException",
      message: "The length of all the messages put together is more than the limit.",
    });
    await expect(sns.send(new PublishBatchCommand({ TopicArn, PublishBatchRequestEntries: [{ Id: "a", Message: "1" }, { Id: "a", Message: "2" }] }))).rejects.toMatchObject({
      name: "BatchEntryIdsNotDistinctException",
      message: "Two or more batch entries in the request have the same Id.",
    });

    // One entry without MessageGroupId refuses the whole batch: its good entry is not delivered either.
    const QueueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: "limits.fifo", Attributes: { FifoQueue: "true" } }))).QueueUrl!;
    const FifoArn = await topic("limits.fifo", { FifoTopic: "true", ContentBasedDeduplication: "true" });
    await sns.send(new SubscribeCommand({ TopicArn: FifoArn, Protocol: "sqs", Endpoint: `arn:aws:sqs:us-east-1:${ACCOUNT}:limits.fifo` }));
    await expect(sns.send(new PublishBatchCommand({ TopicArn: FifoArn, PublishBatchRequestEntries: [{ Id: "good", Message: "1", MessageGroupId: "g" }, { Id: "bad", Message: "2" }] }))).rejects.toMatchObject({
      name: "InvalidParameterException",
      message: "Invalid parameter: The MessageGroupId parameter is required for FIFO topics",
    });
    const ok = await sns.send(new PublishBatchCommand({ TopicArn: FifoArn, PublishBatchRequestEntries: [{ Id: "good", Message: "3", MessageGroupId: "g" }] }));
    expect(ok).toMatchObject({ Successful: [{ Id: "good" }], Failed: [] });
    // SNS delivers after answering. In the group's order, a stored "1" would come before "3".
    let first: string | undefined;
    await until(async () => {
      first = (await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }))).Messages?.[0]?.Body;
      return first !== undefined;
    }, 10_000);
    expect(JSON.parse(first!).Message).toBe("3");
  }, 30_000);
});
