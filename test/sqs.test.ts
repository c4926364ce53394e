import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListMessageMoveTasksCommand,
  StartMessageMoveTaskCommand,
  PurgeQueueCommand,
  PurgeQueueInProgress,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { VirtualClock } from "@lambda-sim/core";
import { sqsSource } from "@lambda-sim/sources";
import { startTestSimulator, type TestSimulator } from "@lambda-sim/core/testing";
import { until } from "./support/until.ts";

let t: TestSimulator;
let sqs: SQSClient;
let clock: VirtualClock;

beforeEach(async () => {
  clock = new VirtualClock(Date.UTC(2026, 0, 1));
  t = await startTestSimulator({ clock, sources: [sqsSource] });
  sqs = new SQSClient(t.clientConfig);
});

afterEach(async () => {
  sqs.destroy();
  await t.close();
});

/** The receive just sent is parked on the Clock (its long-poll timer is set), not still in flight. */
function longPollWaiting(): Promise<void> {
  return until(() => clock.pendingTimers().some((timer) => timer.label.startsWith("sqs.long-poll:")));
}

async function queue(name: string, attributes: Record<string, string> = {}): Promise<string> {
  return (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl!;
}

describe("SQS over the JSON protocol with the AWS SDK", () => {
  it("sends, receives with attributes and MD5s the SDK verifies, and deletes", async () => {
    const url = await queue("orders");
    expect(url).toBe(`${t.endpoint}/000000000000/orders`);
    const sent = await sqs.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: "hello", MessageAttributes: { kind: { DataType: "String", StringValue: "greeting" } } }),
    );
    expect(sent.MD5OfMessageBody).toBe("5d41402abc4b2a76b9719d911017c592");
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MessageSystemAttributeNames: ["All"], MessageAttributeNames: ["All"] }));
    expect(got.Messages).toHaveLength(1);
    const m = got.Messages![0]!;
    expect(m).toMatchObject({ MessageId: sent.MessageId, Body: "hello", MessageAttributes: { kind: { DataType: "String", StringValue: "greeting" } } });
    expect(m.Attributes).toMatchObject({ ApproximateReceiveCount: "1", SentTimestamp: String(Date.UTC(2026, 0, 1)) });
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] }));
    expect(attrs.Attributes).toMatchObject({ ApproximateNumberOfMessages: "0", ApproximateNumberOfMessagesNotVisible: "0", VisibilityTimeout: "30", MaximumMessageSize: "1048576" });
  });

  it("hides a received message for its visibility timeout, then delivers it again with a new receipt handle", async () => {
    const url = await queue("vis", { VisibilityTimeout: "60" });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "x" }));
    const first = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages![0]!;
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages).toBeUndefined();
    await clock.advanceBy(60_000);
    const again = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MessageSystemAttributeNames: ["ApproximateReceiveCount"] }))).Messages![0]!;
    expect(again.MessageId).toBe(first.MessageId);
    expect(again.ReceiptHandle).not.toBe(first.ReceiptHandle);
    expect(again.Attributes?.ApproximateReceiveCount).toBe("2");
    await expect(sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: again.ReceiptHandle, VisibilityTimeout: 0 }))).resolves.toBeDefined();
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages).toHaveLength(1);
  });

  it("long-polls on the Clock: a receive waiting 20 s returns the message sent meanwhile", async () => {
    const url = await queue("poll");
    const waiting = sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 }));
    await longPollWaiting();
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "late" }));
    expect((await waiting).Messages?.[0]?.Body).toBe("late");
    const started = clock.now();
    let done = false;
    const empty = sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 })).finally(() => (done = true));
    await longPollWaiting();
    await clock.advanceBy(19_999);
    expect(done).toBe(false);
    await clock.advanceBy(1);
    expect((await empty).Messages).toBeUndefined();
    expect(clock.now() - started).toBe(20_000);
  });

  it("moves a message to the dead-letter queue once it was received maxReceiveCount times", async () => {
    const dlq = await queue("dlq");
    const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ["QueueArn"] }))).Attributes!.QueueArn!;
    const url = await queue("work", { VisibilityTimeout: "1", RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }) });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "poison" }));
    for (let i = 0; i < 2; i++) {
      expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages).toHaveLength(1);
      await clock.advanceBy(1_000);
    }
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages).toBeUndefined();
    const moved = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq, VisibilityTimeout: 0, MessageSystemAttributeNames: ["DeadLetterQueueSourceArn"] }));
    expect(moved.Messages?.[0]?.Body).toBe("poison");
    // The queue it came from, as SQS names it on a redriven message (walk39).
    expect(moved.Messages?.[0]?.Attributes).toEqual({ DeadLetterQueueSourceArn: "arn:aws:sqs:us-east-1:000000000000:work" });
    // Redrive from the DLQ back to the queue it came from.
    await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn }));
    const tasks = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }));
    expect(tasks.Results?.[0]).toMatchObject({ Status: "COMPLETED", ApproximateNumberOfMessagesMoved: 1 });
    const back = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MessageSystemAttributeNames: ["ApproximateReceiveCount"] }));
    expect(back.Messages?.[0]).toMatchObject({ Body: "poison", Attributes: { ApproximateReceiveCount: "1" } });
    const notDlq = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: `arn:aws:sqs:us-east-1:000000000000:work` })).catch((e: unknown) => e);
    expect((notDlq as Error).message).toBe("Source queue must be configured as a Dead Letter Queue.");
  });

  it("refuses a RedrivePolicy whose dead-letter target does not exist, at CreateQueue and SetQueueAttributes, as AWS does", async () => {
    const policy = JSON.stringify({ deadLetterTargetArn: "arn:aws:sqs:us-east-1:000000000000:job-dlq", maxReceiveCount: 3 });
    const refusal = (e: unknown) => ({ name: (e as Error).name, message: (e as Error).message, code: (e as { Code?: string }).Code });
    const expected = { name: "InvalidParameterValue", message: `Value ${policy} for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.`, code: "InvalidParameterValue" };
    expect(refusal(await queue("jobs", { RedrivePolicy: policy }).catch((e: unknown) => e))).toEqual(expected);
    await expect(sqs.send(new GetQueueUrlCommand({ QueueName: "jobs" }))).rejects.toBeInstanceOf(QueueDoesNotExist);
    const url = await queue("jobs");
    expect(refusal(await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { RedrivePolicy: policy } })).catch((e: unknown) => e))).toEqual(expected);
    expect((await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["RedrivePolicy"] }))).Attributes).toBeUndefined();
    // Once the target exists, the same policy is taken.
    await queue("job-dlq");
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { RedrivePolicy: policy } }));
    expect((await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["RedrivePolicy"] }))).Attributes?.RedrivePolicy).toBe(policy);
  });

  it("refuses a dead-letter queue of the other type (FIFO or standard), at CreateQueue and SetQueueAttributes, as AWS does", async () => {
    const refusal = (e: unknown) => ({ name: (e as Error).name, message: (e as Error).message, code: (e as { Code?: string }).Code });
    const refused = (policy: string) => ({ name: "InvalidParameterValue", message: `Value ${policy} for parameter RedrivePolicy is invalid. Reason: Dead-letter queue must be same type of queue as the source..`, code: "InvalidParameterValue" });
    await queue("dlq.fifo", { FifoQueue: "true" });
    await queue("dlq");
    const toFifo = JSON.stringify({ deadLetterTargetArn: "arn:aws:sqs:us-east-1:000000000000:dlq.fifo", maxReceiveCount: 3 });
    const toStandard = JSON.stringify({ deadLetterTargetArn: "arn:aws:sqs:us-east-1:000000000000:dlq", maxReceiveCount: 3 });
    // A standard queue with a FIFO DLQ, and a FIFO queue with a standard one.
    expect(refusal(await queue("std", { RedrivePolicy: toFifo }).catch((e: unknown) => e))).toEqual(refused(toFifo));
    expect(refusal(await queue("jobs.fifo", { FifoQueue: "true", RedrivePolicy: toStandard }).catch((e: unknown) => e))).toEqual(refused(toStandard));
    await expect(sqs.send(new GetQueueUrlCommand({ QueueName: "std" }))).rejects.toBeInstanceOf(QueueDoesNotExist);
    const std = await queue("std");
    const fifo = await queue("jobs.fifo", { FifoQueue: "true" });
    expect(refusal(await sqs.send(new SetQueueAttributesCommand({ QueueUrl: std, Attributes: { RedrivePolicy: toFifo } })).catch((e: unknown) => e))).toEqual(refused(toFifo));
    expect(refusal(await sqs.send(new SetQueueAttributesCommand({ QueueUrl: fifo, Attributes: { RedrivePolicy: toStandard } })).catch((e: unknown) => e))).toEqual(refused(toStandard));
    expect((await sqs.send(new GetQueueAttributesCommand({ QueueUrl: std, AttributeNames: ["RedrivePolicy"] }))).Attributes).toBeUndefined();
    // Each type's own kind of DLQ is taken.
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: std, Attributes: { RedrivePolicy: toStandard } }));
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: fifo, Attributes: { RedrivePolicy: toFifo } }));
    expect((await sqs.send(new GetQueueAttributesCommand({ QueueUrl: fifo, AttributeNames: ["RedrivePolicy"] }))).Attributes?.RedrivePolicy).toBe(toFifo);
  });

  it("keeps FIFO order per group, blocks a group while a message is in flight, and deduplicates for 5 minutes", async () => {
    const url = await queue("jobs.fifo", { FifoQueue: "true", ContentBasedDeduplication: "true" });
    for (const body of ["a1", "a2", "b1"]) await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageGroupId: body[0] }));
    const dup = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "a1", MessageGroupId: "a" }));
    const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 1 }));
    expect(first.Messages?.[0]?.Body).toBe("a1");
    expect(first.Messages?.[0]?.MessageId).toBe(dup.MessageId);
    // Group a is blocked while a1 is in flight; b1 is free.
    const second = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    expect(second.Messages?.map((m) => m.Body)).toEqual(["b1"]);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first.Messages![0]!.ReceiptHandle }));
    const third = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    expect(third.Messages?.map((m) => m.Body)).toEqual(["a2"]);
  });

  it("reports batch entries and AWS's errors", async () => {
    const url = await queue("batch");
    const sent = await sqs.send(
      new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: "ok", MessageBody: "1" }, { Id: "late", MessageBody: "2", DelaySeconds: 901 }] }),
    );
    expect(sent.Successful?.map((e) => e.Id)).toEqual(["ok"]);
    expect(sent.Failed?.[0]).toMatchObject({ Id: "late", SenderFault: true, Code: "InvalidParameterValue" });
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    const deleted = await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: got.Messages!.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })) }));
    expect(deleted.Successful).toHaveLength(1);
    await expect(sqs.send(new GetQueueUrlCommand({ QueueName: "missing" }))).rejects.toBeInstanceOf(QueueDoesNotExist);
    await sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
    const err = await sqs.send(new PurgeQueueCommand({ QueueUrl: url })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PurgeQueueInProgress);
    expect((err as Error).message).toBe("Only one PurgeQueue operation on batch is allowed every 60 seconds.");
  });

  it("finds a queue by its URL on another host or by its bare name, but not under another account's id (newuser10 N1-2)", async () => {
    const url = await queue("accounts");
    for (const QueueUrl of ["https://sqs.us-east-1.amazonaws.com/000000000000/accounts", "accounts"]) {
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: QueueUrl }));
    }
    const other = await sqs.send(new SendMessageCommand({ QueueUrl: url.replace("/000000000000/", "/111111111111/"), MessageBody: "x" })).catch((e: unknown) => e);
    expect(other).toBeInstanceOf(QueueDoesNotExist);
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    expect(got.Messages).toHaveLength(2);
  });

  it("names each batch operation's own entries when a batch is empty, and ends a wrong kind's reason with one period (review17 R3, R5)", async () => {
    const url = await queue("empty-batches");
    const empty = async (command: DeleteMessageBatchCommand | SendMessageBatchCommand | ChangeMessageVisibilityBatchCommand) => (await sqs.send(command as never).catch((e: Error) => e)) as Error;
    expect((await empty(new SendMessageBatchCommand({ QueueUrl: url, Entries: [] }))).message).toBe("There should be at least one SendMessageBatchRequestEntry in the request.");
    expect((await empty(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: [] }))).message).toBe("There should be at least one DeleteMessageBatchRequestEntry in the request.");
    expect((await empty(new ChangeMessageVisibilityBatchCommand({ QueueUrl: url, Entries: [] }))).message).toBe("There should be at least one ChangeMessageVisibilityBatchRequestEntry in the request.");
    const res = await fetch(t.endpoint, { method: "POST", headers: { "x-amz-target": "AmazonSQS.SendMessage", "content-type": "application/x-amz-json-1.0" }, body: JSON.stringify({ QueueUrl: url, MessageBody: { a: 1 } }) });
    expect(((await res.json()) as { message: string }).message).toMatch(/Reason: Start of structure or map found where not expected\.$/);
  });
});

describe("SQS over the query protocol (older SDKs and CLIs)", () => {
  async function query(params: Record<string, string>, path = "/"): Promise<{ status: number; xml: string }> {
    const res = await fetch(`${t.endpoint}${path}`, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Authorization: "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=0",
      },
      body: new URLSearchParams({ Version: "2012-11-05", ...params }),
    });
    return { status: res.status, xml: await res.text() };
  }

  it("creates, sends with attributes, receives and deletes, answering XML", async () => {
    const created = await query({ Action: "CreateQueue", QueueName: "legacy", "Attribute.1.Name": "VisibilityTimeout", "Attribute.1.Value": "45" });
    expect(created.xml).toContain(`<CreateQueueResult><QueueUrl>${t.endpoint}/000000000000/legacy</QueueUrl></CreateQueueResult>`);
    const sent = await query(
      { Action: "SendMessage", MessageBody: "hi <there>", "MessageAttribute.1.Name": "k", "MessageAttribute.1.Value.DataType": "String", "MessageAttribute.1.Value.StringValue": "v" },
      "/000000000000/legacy",
    );
    // In the model's member order, as AWS's own example answer has it (SendMessage API reference).
    expect(sent.xml).toMatch(/<SendMessageResult><MD5OfMessageBody>[0-9a-f]{32}<\/MD5OfMessageBody><MD5OfMessageAttributes>[0-9a-f]{32}<\/MD5OfMessageAttributes><MessageId>[0-9a-f-]{36}<\/MessageId><\/SendMessageResult>/);
    const got = await query({ Action: "ReceiveMessage", QueueUrl: `${t.endpoint}/000000000000/legacy`, "AttributeName.1": "All", "MessageAttributeName.1": "All" });
    expect(got.xml).toContain("<Body>hi &lt;there&gt;</Body>");
    expect(got.xml).toContain("<Attribute><Name>ApproximateReceiveCount</Name><Value>1</Value></Attribute>");
    expect(got.xml).toContain("<MessageAttribute><Name>k</Name><Value><StringValue>v</StringValue><DataType>String</DataType></Value></MessageAttribute>");
    const handle = /<ReceiptHandle>([^<]+)<\/ReceiptHandle>/.exec(got.xml)![1]!;
    const deleted = await query({ Action: "DeleteMessage", QueueUrl: `${t.endpoint}/000000000000/legacy`, ReceiptHandle: handle });
    expect(deleted.xml).toMatch(/^<\?xml version="1.0"\?><DeleteMessageResponse [^>]+><ResponseMetadata><RequestId>/);
  });

  it("answers errors with the legacy code and the query protocol's wording", async () => {
    const r = await query({ Action: "GetQueueUrl", QueueName: "nope" });
    expect(r.status).toBe(400);
    expect(r.xml).toContain("<Error><Type>Sender</Type><Code>AWS.SimpleQueueService.NonExistentQueue</Code><Message>The specified queue does not exist for this wsdl version.</Message>");
  });

  it("takes a queue from the request's path, and not another account's (review22 R22-4)", async () => {
    await query({ Action: "CreateQueue", QueueName: "pathq" });
    expect((await query({ Action: "SendMessage", MessageBody: "hi" }, "/000000000000/pathq")).status).toBe(200);
    const other = await query({ Action: "SendMessage", MessageBody: "hi" }, "/111111111111/pathq");
    expect(other.status).toBe(400);
    expect(other.xml).toContain("<Code>AWS.SimpleQueueService.NonExistentQueue</Code>");
  });
});
