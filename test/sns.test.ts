import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { InvokeCommand, PutFunctionEventInvokeConfigCommand, LambdaClient, UpdateFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import { CreateQueueCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient, type Message } from "@aws-sdk/client-sqs";
import {
  CreateTopicCommand,
  GetSubscriptionAttributesCommand,
  GetTopicAttributesCommand,
  InvalidParameterException,
  ListSubscriptionsByTopicCommand,
  NotFoundException,
  PublishBatchCommand,
  PublishCommand,
  SetSubscriptionAttributesCommand,
  SNSClient,
  SubscribeCommand,
  TooManyEntriesInBatchRequestException,
} from "@aws-sdk/client-sns";
import { snsSource, sqsSource } from "@lambda-sim/sources";
import { startTestSimulator, TelemetryRecorder, type TestSimulator } from "@lambda-sim/core/testing";
import type { FunctionDefinition } from "@lambda-sim/core";
import { until } from "./support/until.ts";

// SNS end to end (issue 19): topics on SNS's query protocol with the real SDK; deliveries read back
// from the functions and queues that receive them.

const codeDir = fileURLToPath(new URL("./fixtures/functions/sns-subscribers/", import.meta.url));
const recorder = (functionName: string): FunctionDefinition => ({ functionName, runtime: "nodejs24.x", handler: "index.record", codeDir, timeout: 10 });
const ACCOUNT = "000000000000";
const queueArn = (name: string) => `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`;
const fnArn = (name: string) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`;

let t: TestSimulator | undefined;
let sns: SNSClient;
let sqs: SQSClient;
let events: TelemetryRecorder;
const servers: Server[] = [];

afterEach(async () => {
  sns?.destroy();
  sqs?.destroy();
  events?.dispose();
  for (const s of servers.splice(0)) s.close();
  await t?.close();
  t = undefined;
});

async function start(functions: FunctionDefinition[] = [], timeScale = 1) {
  t = await startTestSimulator({ functions, sources: [sqsSource, snsSource], timeScale });
  events = new TelemetryRecorder(t.sim.telemetry);
  sns = new SNSClient(t.clientConfig);
  sqs = new SQSClient(t.clientConfig);
}

async function queue(name: string, attributes?: Record<string, string>): Promise<string> {
  return (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl!;
}

/** Every message `queue` receives within `ms` until `count` have come (wall time; the service clock may run faster). */
async function messages(name: string, count: number, ms = 20_000): Promise<Message[]> {
  const QueueUrl = `${t!.endpoint}/${ACCOUNT}/${name}`;
  const out: Message[] = [];
  await until(async () => {
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ["All"], AttributeNames: ["All"], VisibilityTimeout: 600 }));
    out.push(...(got.Messages ?? []));
    // Deleted once read, as a consumer does: a FIFO queue holds back the rest of a group while one of its messages is in flight.
    if (got.Messages?.length) await sqs.send(new DeleteMessageBatchCommand({ QueueUrl, Entries: got.Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
    return out.length >= count;
  }, ms);
  return out;
}

/** A local HTTP endpoint that confirms its subscription and answers notifications with `status()`. */
async function endpoint(status: () => number) {
  const got: { type: string; body: Record<string, unknown> | string; headers: Record<string, unknown> }[] = [];
  const server = createServer((req, res) => {
    let text = "";
    req.on("data", (c) => (text += c));
    req.on("end", async () => {
      const type = String(req.headers["x-amz-sns-message-type"]);
      const body = req.headers["x-amz-sns-rawdelivery"] === "true" ? text : JSON.parse(text);
      got.push({ type, body, headers: req.headers });
      // The handshake: the endpoint visits the SubscribeURL it was sent.
      if (type === "SubscriptionConfirmation") await fetch((body as { SubscribeURL: string }).SubscribeURL);
      res.writeHead(type === "SubscriptionConfirmation" ? 200 : status()).end();
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, got };
}

describe("SNS topics", () => {
  it("keeps delivering other subscriptions while an HTTP endpoint never answers (fuzz19 F13)", async () => {
    await start();
    await queue("prompt");
    // Confirms its subscription, then holds every notification open (until the test ends).
    const held: import("node:http").ServerResponse[] = [];
    const server = createServer((req, res) => {
      let text = "";
      req.on("data", (c) => (text += c));
      req.on("end", async () => {
        if (req.headers["x-amz-sns-message-type"] !== "SubscriptionConfirmation") return void held.push(res);
        await fetch((JSON.parse(text) as { SubscribeURL: string }).SubscribeURL);
        res.writeHead(200).end();
      });
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const hung = (await sns.send(new CreateTopicCommand({ Name: "hung" }))).TopicArn!;
    const fine = (await sns.send(new CreateTopicCommand({ Name: "fine" }))).TopicArn!;
    await sns.send(new SubscribeCommand({ TopicArn: hung, Protocol: "http", Endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook` }));
    await sns.send(new SubscribeCommand({ TopicArn: fine, Protocol: "sqs", Endpoint: queueArn("prompt") }));
    await until(async () => (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: hung }))).Subscriptions?.[0]?.SubscriptionArn?.startsWith("arn:") === true);
    // More notifications than the simulator delivers at once (64).
    for (let i = 0; i < 100; i++) await sns.send(new PublishCommand({ TopicArn: hung, Message: `stuck ${i}` }));
    await until(() => held.length >= 5);
    await sns.send(new PublishCommand({ TopicArn: fine, Message: "through" }));
    // Inside the endpoint's 15 s timeout: the other topic's delivery did not wait for a slot (10 s: a loaded CI machine took more than 5).
    const got = await messages("prompt", 1, 10_000);
    expect(JSON.parse(got[0]!.Body!).Message).toBe("through");
    for (const res of held) res.destroy();
  }, 60_000);

  it("fans a publish out to two functions and a raw-delivery queue, filter policies letting through and dropping", async () => {
    await start([recorder("billing"), recorder("shipping")]);
    for (const q of ["billing-got", "shipping-got", "audit", "envelopes"]) await queue(q);
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "orders" }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: "lambda", Endpoint: fnArn("billing") }));
    // shipping only wants orders over 100: attribute policy.
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: "lambda", Endpoint: fnArn("shipping"), Attributes: { FilterPolicy: JSON.stringify({ total: [{ numeric: [">", 100] }] }) } }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: queueArn("audit"), Attributes: { RawMessageDelivery: "true" } }));
    // envelopes wants only kind=order in the body: body policy.
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: queueArn("envelopes"), Attributes: { FilterPolicyScope: "MessageBody", FilterPolicy: JSON.stringify({ kind: ["order"] }) } }));

    const small = await sns.send(new PublishCommand({ TopicArn, Subject: "small", Message: JSON.stringify({ kind: "refund" }), MessageAttributes: { total: { DataType: "Number", StringValue: "20" }, origin: { DataType: "String", StringValue: "web" } } }));
    const big = await sns.send(new PublishCommand({ TopicArn, Message: JSON.stringify({ kind: "order" }), MessageAttributes: { total: { DataType: "Number", StringValue: "250" } } }));

    const billing = (await messages("billing-got", 2)).map((m) => JSON.parse(m.Body!));
    const first = billing.find((e) => e.Records[0].Sns.MessageId === small.MessageId);
    expect(first.Records).toHaveLength(1);
    expect(first.Records[0]).toMatchObject({ EventSource: "aws:sns", EventVersion: "1.0", EventSubscriptionArn: expect.stringMatching(new RegExp(`^${TopicArn}:`)) });
    expect(first.Records[0].Sns).toMatchObject({
      Type: "Notification",
      MessageId: small.MessageId,
      TopicArn,
      Subject: "small",
      Message: JSON.stringify({ kind: "refund" }),
      Timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      SignatureVersion: "1",
      // The form of an RSA-2048 signature in base64 (newuser13: it was a 44-character digest).
      Signature: expect.stringMatching(/^[A-Za-z0-9+/]{342}==$/),
      SigningCertUrl: expect.stringMatching(/^https:\/\/sns\.us-east-1\.amazonaws\.com\/.*\.pem$/),
      UnsubscribeUrl: expect.stringContaining("Action=Unsubscribe"),
      MessageAttributes: { total: { Type: "Number", Value: "20" }, origin: { Type: "String", Value: "web" } },
    });
    expect(billing.find((e) => e.Records[0].Sns.MessageId === big.MessageId).Records[0].Sns.Subject).toBeNull();

    // Raw delivery: the bare message, its attributes as SQS message attributes.
    const audit = await messages("audit", 2);
    const rawSmall = audit.find((m) => m.Body === JSON.stringify({ kind: "refund" }))!;
    expect(rawSmall.MessageAttributes).toMatchObject({ total: { DataType: "Number", StringValue: "20" }, origin: { DataType: "String", StringValue: "web" } });

    // The filtered subscribers got only the big order; the message that arrives after it proves the absence.
    const shipping = (await messages("shipping-got", 1)).map((m) => JSON.parse(m.Body!));
    expect(shipping.map((e) => e.Records[0].Sns.MessageId)).toEqual([big.MessageId]);
    const envelopes = await messages("envelopes", 1);
    expect(envelopes).toHaveLength(1);
    expect(JSON.parse(envelopes[0]!.Body!)).toMatchObject({ Type: "Notification", MessageId: big.MessageId, TopicArn, Message: JSON.stringify({ kind: "order" }), MessageAttributes: { total: { Type: "Number", Value: "250" } } });
    await sns.send(new PublishCommand({ TopicArn, Message: "sentinel", MessageAttributes: { total: { DataType: "Number", StringValue: "101" } } }));
    expect(JSON.parse((await messages("shipping-got", 1))[0]!.Body!).Records[0].Sns.Message).toBe("sentinel");
  }, 60_000);

  it("keeps a FIFO topic's group and drops a duplicate within the deduplication window", async () => {
    await start();
    await queue("ledger.fifo", { FifoQueue: "true" });
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "ledger.fifo", Attributes: { FifoTopic: "true", ContentBasedDeduplication: "true" } }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: queueArn("ledger.fifo"), Attributes: { RawMessageDelivery: "true" } }));
    await expect(sns.send(new PublishCommand({ TopicArn, Message: "no group" }))).rejects.toThrow("Invalid parameter: The MessageGroupId parameter is required for FIFO topics");
    const a = await sns.send(new PublishCommand({ TopicArn, Message: "one", MessageGroupId: "acct-1" }));
    const again = await sns.send(new PublishCommand({ TopicArn, Message: "one", MessageGroupId: "acct-1" }));
    expect(again.MessageId).toBe(a.MessageId);
    await sns.send(new PublishBatchCommand({ TopicArn, PublishBatchRequestEntries: [{ Id: "b", Message: "two", MessageGroupId: "acct-1" }, { Id: "c", Message: "three", MessageGroupId: "acct-1" }] }));
    const got = await messages("ledger.fifo", 3);
    expect(got.map((m) => m.Body)).toEqual(["one", "two", "three"]);
    expect(got.every((m) => m.Attributes?.MessageGroupId === "acct-1")).toBe(true);
  }, 30_000);

  it("holds a FIFO group behind a delivery waiting to be retried, so the queue still gets it in order", async () => {
    await start();
    await queue("orders.fifo", { FifoQueue: "true" });
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "orders.fifo", Attributes: { FifoTopic: "true", ContentBasedDeduplication: "true" } }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: queueArn("orders.fifo"), Attributes: { RawMessageDelivery: "true" } }));
    // The queue fails the first delivery only; SNS retries it (a server-side failure).
    const fault = await fetch(`${t!.endpoint}/_sim/faults`, { method: "POST", body: JSON.stringify({ kind: "delivery-failure", target: "sqs:orders.fifo", nth: 1 }) });
    expect(fault.status).toBeLessThan(300);
    // One batch: the three are due together, so nothing but the group's hold keeps two and three back.
    await sns.send(new PublishBatchCommand({ TopicArn, PublishBatchRequestEntries: ["one", "two", "three"].map((m) => ({ Id: m, Message: m, MessageGroupId: "acct-1" })) }));
    const got = await messages("orders.fifo", 3);
    expect(got.map((m) => m.Body)).toEqual(["one", "two", "three"]);
    expect(events.of("sns.delivery-failed")).toEqual([expect.objectContaining({ attempt: 1, error: "injected delivery failure", retryInMs: 0 })]);
  }, 30_000);

  it("confirms an HTTP endpoint by its SubscribeURL, retries a failing one per the default policy, then sends to the subscription's DLQ", async () => {
    // 1000×: the default policy's three 20-second retries take 60 ms of wall time.
    await start([], 1000);
    await queue("hook-dlq");
    const hook = await endpoint(() => 503);
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "alerts" }));
    const sub = await sns.send(new SubscribeCommand({ TopicArn, Protocol: "http", Endpoint: hook.url, Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: queueArn("hook-dlq") }) } }));
    expect(sub.SubscriptionArn).toBe("pending confirmation");
    await until(async () => (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }))).Subscriptions?.[0]?.SubscriptionArn !== "PendingConfirmation");
    const [{ SubscriptionArn }] = (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }))).Subscriptions!;
    expect((await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }))).Attributes).toMatchObject({ PendingConfirmation: "false", Protocol: "http", Endpoint: hook.url });
    const confirmation = hook.got[0]!;
    expect(confirmation.body).toMatchObject({ Type: "SubscriptionConfirmation", TopicArn, Token: expect.any(String), SubscribeURL: expect.stringContaining("Action=ConfirmSubscription") });

    const { MessageId } = await sns.send(new PublishCommand({ TopicArn, Message: "disk full" }));
    const [dead] = await messages("hook-dlq", 1);
    expect(JSON.parse(dead!.Body!)).toMatchObject({ Type: "Notification", MessageId, Message: "disk full" });
    const attempts = hook.got.filter((g) => g.type === "Notification");
    // The first attempt and three retries (SNS's default HTTP delivery policy).
    expect(attempts).toHaveLength(4);
    expect(attempts[0]!.headers).toMatchObject({ "x-amz-sns-message-id": MessageId, "x-amz-sns-topic-arn": TopicArn, "x-amz-sns-subscription-arn": SubscriptionArn });
    expect(events.of("sns.delivery-failed").map((e) => e.retryInMs)).toEqual([20_000, 20_000, 20_000, undefined]);
  }, 30_000);

  it("sends per-protocol messages, dead-letters a delivery to a missing function without retrying, and unsubscribes by the UnsubscribeURL", async () => {
    await start([recorder("reader")]);
    for (const q of ["reader-got", "plain", "ghost-dlq", "wrapped"]) await queue(q);
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "structured" }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: "lambda", Endpoint: fnArn("reader") }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: queueArn("plain"), Attributes: { RawMessageDelivery: "true" } }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: "lambda", Endpoint: fnArn("ghost"), Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: queueArn("ghost-dlq") }) } }));
    const { MessageId } = await sns.send(new PublishCommand({ TopicArn, MessageStructure: "json", Message: JSON.stringify({ default: "for everyone", lambda: "for functions", sqs: "for queues" }) }));

    expect(JSON.parse((await messages("reader-got", 1))[0]!.Body!).Records[0].Sns.Message).toBe("for functions");
    const [plain] = await messages("plain", 1);
    expect(plain!.Body).toBe("for queues");
    // The function does not exist: a client-side error, so no retry before the DLQ.
    const [dead] = await messages("ghost-dlq", 1);
    expect(JSON.parse(dead!.Body!)).toMatchObject({ Type: "Notification", MessageId, Message: "for functions" });
    expect(events.of("sns.delivery-failed")).toEqual([expect.objectContaining({ attempt: 1, deadLetterArn: queueArn("ghost-dlq"), dropped: false, error: expect.stringContaining("ResourceNotFoundException") })]);

    // What a subscriber does with the link every notification carries.
    const { UnsubscribeURL } = JSON.parse((await (async () => {
      await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: queueArn("wrapped") }));
      await sns.send(new PublishCommand({ TopicArn, Message: "envelope" }));
      return (await messages("wrapped", 1))[0]!.Body!;
    })()));
    expect((await fetch(UnsubscribeURL)).status).toBe(200);
    const left = (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }))).Subscriptions!;
    expect(left.map((s) => `${s.Protocol} ${s.Endpoint}`).sort()).toEqual([`lambda ${fnArn("ghost")}`, `lambda ${fnArn("reader")}`, `sqs ${queueArn("plain")}`]);
  }, 60_000);

  it("delivers an async function's failure record to a topic destination", async () => {
    await start([{ functionName: "flaky", runtime: "nodejs24.x", handler: "index.fails", codeDir, timeout: 5 }], 600);
    await queue("failures");
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "failed-invocations" }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: queueArn("failures") }));
    const lambda = new LambdaClient({ ...t!.clientConfig, maxAttempts: 1 });
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "flaky", MaximumRetryAttempts: 0, DestinationConfig: { OnFailure: { Destination: TopicArn } } }));
    await t!.sim.invoker.invoke({ functionName: "flaky", payload: Buffer.from('{"n":1}'), invocationType: "Event" });
    const [m] = await messages("failures", 1);
    const record = JSON.parse(JSON.parse(m!.Body!).Message);
    expect(record).toMatchObject({ requestContext: { condition: "RetriesExhausted", functionArn: expect.stringContaining("flaky") }, requestPayload: { n: 1 } });
    lambda.destroy();
  }, 30_000);

  it("takes a function's dead letters on a topic: the event as the message, RequestID, ErrorCode and ErrorMessage as its attributes", async () => {
    await start([{ functionName: "flaky", runtime: "nodejs24.x", handler: "index.fails", codeDir, timeout: 5 }]);
    await queue("dead-letters");
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "flaky-dlq" }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: queueArn("dead-letters") }));
    const lambda = new LambdaClient({ ...t!.clientConfig, maxAttempts: 1 });
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "flaky", DeadLetterConfig: { TargetArn: TopicArn } }));
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "flaky", MaximumRetryAttempts: 0 }));
    const invoked = await lambda.send(new InvokeCommand({ FunctionName: "flaky", InvocationType: "Event", Payload: Buffer.from('{"order":7}') }));
    const requestId = invoked.$metadata.requestId;
    const [m] = await messages("dead-letters", 1);
    const envelope = JSON.parse(m!.Body!);
    // The DLQ message is the event unchanged; the attributes are Lambda's (Lambda "Dead-letter queues"),
    // here as the SNS message's MessageAttributes. ErrorCode is the invoke's status, a Number.
    expect(JSON.parse(envelope.Message)).toEqual({ order: 7 });
    expect(envelope.MessageAttributes).toEqual({
      RequestID: { Type: "String", Value: requestId },
      ErrorCode: { Type: "Number", Value: "200" },
      ErrorMessage: { Type: "String", Value: 'fails: {"order":7}' },
    });
    lambda.destroy();
  }, 30_000);

  it("answers SNS's errors in its query XML shape", async () => {
    await start();
    const missing = `arn:aws:sns:us-east-1:${ACCOUNT}:nope`;
    const notFound = await sns.send(new GetTopicAttributesCommand({ TopicArn: missing })).catch((e) => e);
    expect(notFound).toBeInstanceOf(NotFoundException);
    expect(notFound.message).toBe("Topic does not exist");
    expect(notFound.$metadata.httpStatusCode).toBe(404);
    const bad = await sns.send(new CreateTopicCommand({ Name: "has space" })).catch((e) => e);
    expect(bad).toBeInstanceOf(InvalidParameterException);
    expect(bad.message).toBe("Invalid parameter: Topic Name");
    // Attribute values AWS refuses (newuser12 N1-8).
    for (const Attributes of [{ FifoTopic: "maybe" }, { Policy: "{bad" }] as Record<string, string>[]) {
      expect(await sns.send(new CreateTopicCommand({ Name: "attrs", Attributes })).catch((e) => e)).toBeInstanceOf(InvalidParameterException);
    }
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "t" }));
    const tooMany = await sns.send(new PublishBatchCommand({ TopicArn, PublishBatchRequestEntries: Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, Message: "x" })) })).catch((e) => e);
    expect(tooMany).toBeInstanceOf(TooManyEntriesInBatchRequestException);
    const protocol = await sns.send(new SubscribeCommand({ TopicArn, Protocol: "carrier-pigeon", Endpoint: "x" })).catch((e) => e);
    expect(protocol.message).toBe("Invalid parameter: Amazon SNS does not support this protocol string: carrier-pigeon");
    const attrs = (await sns.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes!;
    expect(attrs).toMatchObject({ TopicArn, Owner: ACCOUNT, SubscriptionsConfirmed: "0", SubscriptionsPending: "0", DisplayName: "" });
    expect(JSON.parse(attrs.EffectiveDeliveryPolicy!).http.defaultHealthyRetryPolicy.numRetries).toBe(3);
    // The queue ARN round trip: a queue subscription is confirmed at once.
    await queue("q");
    const { SubscriptionArn } = await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: queueArn("q") }));
    expect(SubscriptionArn).toMatch(new RegExp(`^${TopicArn}:[0-9a-f-]{36}$`));
    expect((await sqs.send(new GetQueueAttributesCommand({ QueueUrl: `${t!.endpoint}/${ACCOUNT}/q`, AttributeNames: ["QueueArn"] }))).Attributes!.QueueArn).toBe(queueArn("q"));
    // A filter policy SNS refuses, worded per operation as AWS words it: "Attributes Reason: " in
    // Subscribe only, the reason without EventBridge's "Event pattern is not valid" (filter-policy.ts).
    const sixKeys = JSON.stringify({ a: ["1"], b: ["1"], c: ["1"], d: ["1"], e: ["1"], f: ["1"] });
    const subscribe = (FilterPolicy: string) => sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: queueArn("q"), Attributes: { FilterPolicy } })).catch((e) => e);
    const set = (AttributeValue: string) => sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName: "FilterPolicy", AttributeValue })).catch((e) => e);
    const nested = JSON.stringify({ object: { key: [{ prefix: "auto-" }] } });
    const operator = JSON.stringify({ key: [{ "wrong-operator": true }] });
    expect([(await subscribe(sixKeys)).message, (await subscribe(operator)).message, (await subscribe(nested)).message]).toEqual([
      "Invalid parameter: Attributes Reason: FilterPolicy: Filter policy can not have more than 5 keys",
      "Invalid parameter: Attributes Reason: FilterPolicy: Unrecognized match type wrong-operator",
      "Invalid parameter: Attributes Reason: Filter policy scope MessageAttributes does not support nested filter policy",
    ]);
    expect([(await set(sixKeys)).message, (await set(operator)).message, (await set(nested)).message]).toEqual([
      "Invalid parameter: FilterPolicy: Filter policy can not have more than 5 keys",
      "Invalid parameter: FilterPolicy: Unrecognized match type wrong-operator",
      "Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy",
    ]);
    // Raw delivery is for queues and HTTP endpoints: a Lambda subscription refuses it, at Subscribe and after (newuser13 N13-10).
    const fn = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:f`;
    const raw = await sns.send(new SubscribeCommand({ TopicArn, Protocol: "lambda", Endpoint: fn, Attributes: { RawMessageDelivery: "true" } })).catch((e) => e);
    expect([raw.name, raw.message]).toEqual(["InvalidParameterException", "Invalid parameter: Attributes Reason: Delivery protocol [lambda] does not support raw message delivery."]);
    const sub = await sns.send(new SubscribeCommand({ TopicArn, Protocol: "lambda", Endpoint: fn }));
    const later = await sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: sub.SubscriptionArn, AttributeName: "RawMessageDelivery", AttributeValue: "true" })).catch((e) => e);
    expect([later.name, later.message]).toEqual(["InvalidParameterException", "Invalid parameter: Delivery protocol [lambda] does not support raw message delivery."]);
  });
});
