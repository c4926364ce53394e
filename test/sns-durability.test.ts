import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CreateTopicCommand, PublishBatchCommand, PublishCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { startLambdaSim } from "./support/lambda-sim-process.ts";
import { HAS_PYTHON } from "./support/python.ts";
import { until } from "./support/until.ts";

const client = (endpoint: string) => new SNSClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });

/**
 * An HTTP endpoint that confirms its subscription and hands each notification's message to
 * `answer`, which answers it (or keeps it to answer later). Resolves with its URL and server.
 */
async function httpSubscriber(answer: (message: string, res: ServerResponse) => void): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    let text = "";
    req.on("data", (c) => (text += c));
    req.on("end", async () => {
      const body = JSON.parse(text);
      if (body.Type === "SubscriptionConfirmation") {
        await fetch(body.SubscribeURL);
        return void res.writeHead(200).end();
      }
      answer(body.Message, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

describe("SNS durability", () => {
  it("delivers messages accepted but not yet delivered after a SIGKILL and restart", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "lambda-sim-sns-crash-"));
    // An HTTP subscriber that confirms, then fails every notification until `healthy`.
    let healthy = false;
    const failed = new Set<string>();
    const delivered = new Set<string>();
    const { url, server } = await httpSubscriber((message, res) => {
      (healthy ? delivered : failed).add(message);
      res.writeHead(healthy ? 200 : 500).end();
    });
    try {
      const first = await startLambdaSim(["--state", stateDir]);
      let sns = client(first.endpoint);
      const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "durable" }));
      const sub = await sns.send(new SubscribeCommand({ TopicArn, Protocol: "http", Endpoint: url, ReturnSubscriptionArn: true }));
      await until(async () => !(await fetch(`${first.endpoint}/_sim/state`).then((r) => r.text())).includes('"pending":true'));
      expect(sub.SubscriptionArn).toMatch(/^arn:aws:sns:/);
      await sns.send(new PublishBatchCommand({ TopicArn, PublishBatchRequestEntries: Array.from({ length: 10 }, (_, i) => ({ Id: `m${i}`, Message: `m${i}` })) }));
      // Every message has had its first attempt fail: the next retry is 20 s of service time away.
      await until(() => failed.size === 10);
      await first.kill();
      sns.destroy();

      healthy = true;
      // 100x faster: the pending 20-second retries come due within a fifth of a second.
      const second = await startLambdaSim(["--state", stateDir, "--time-scale", "100"]);
      await until(() => delivered.size === 10, 30_000);
      expect([...delivered].sort()).toEqual(Array.from({ length: 10 }, (_, i) => `m${i}`).sort());
      await second.kill();
    } finally {
      server.close();
      rmSync(stateDir, { recursive: true, force: true, maxRetries: 5 });
    }
    // Two `lambda-sim start` processes: on a CPU-starved machine each start alone took 15-25 s.
  }, 120_000);

  it("keeps a delivery that fails while the simulator stops gracefully, and delivers it after the restart (not dead-lettered, not dropped)", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "lambda-sim-sns-stop-"));
    // An HTTP subscriber that holds the first notification until told to answer 503; then healthy.
    let held: ((status: number) => void) | undefined;
    const delivered: string[] = [];
    const { url, server } = await httpSubscriber((message, res) => {
      if (delivered.length === 0 && held === undefined) return void (held = (status) => res.writeHead(status).end());
      delivered.push(message);
      res.writeHead(200).end();
    });
    const credentials = { accessKeyId: "x", secretAccessKey: "x" };
    try {
      const first = await startLambdaSim(["--state", stateDir]);
      const sns = client(first.endpoint);
      const sqs = new SQSClient({ endpoint: first.endpoint, region: "us-east-1", credentials });
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "sub-dlq" }));
      const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
      const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "stopping" }));
      await sns.send(new SubscribeCommand({ TopicArn, Protocol: "http", Endpoint: url, Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes!.QueueArn }) } }));
      await until(async () => !(await fetch(`${first.endpoint}/_sim/state`).then((r) => r.text())).includes('"pending":true'));
      await sns.send(new PublishCommand({ TopicArn, Message: "m1" }));
      await until(() => held !== undefined);
      sns.destroy();
      sqs.destroy();

      // Ctrl-C while the delivery is in flight; it fails (the endpoint going away with the shutdown) once stopping has begun.
      const exited = new Promise<number | null>((r) => first.child.once("exit", (code) => r(code)));
      first.child.kill("SIGTERM");
      await until(() => first.output().includes("SIGTERM: stopping"));
      held!(503);
      expect(await exited).toBe(0);

      const second = await startLambdaSim(["--state", stateDir]);
      await until(() => delivered.length > 0);
      expect(delivered).toEqual(["m1"]);
      const dlq = new SQSClient({ endpoint: second.endpoint, region: "us-east-1", credentials });
      expect((await dlq.send(new ReceiveMessageCommand({ QueueUrl: `${second.endpoint}/000000000000/sub-dlq`, WaitTimeSeconds: 0 }))).Messages ?? []).toEqual([]);
      dlq.destroy();
      await second.kill();
    } finally {
      server.close();
      rmSync(stateDir, { recursive: true, force: true, maxRetries: 5 });
    }
  }, 120_000);

  it("still recognises a FIFO topic's duplicate after a SIGKILL and restart within the 5-minute window", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "lambda-sim-sns-dedup-"));
    try {
      const first = await startLambdaSim(["--state", stateDir]);
      let sns = client(first.endpoint);
      const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "orders.fifo", Attributes: { FifoTopic: "true" } }));
      const original = await sns.send(new PublishCommand({ TopicArn, Message: "order 1", MessageGroupId: "g", MessageDeduplicationId: "order-1" }));
      await first.kill();
      sns.destroy();

      // A producer retrying its publish after the simulator restarted: the same id within 5 minutes.
      const second = await startLambdaSim(["--state", stateDir]);
      sns = client(second.endpoint);
      const retried = await sns.send(new PublishCommand({ TopicArn, Message: "order 1", MessageGroupId: "g", MessageDeduplicationId: "order-1" }));
      expect(retried).toMatchObject({ MessageId: original.MessageId, SequenceNumber: original.SequenceNumber });
      const fresh = await sns.send(new PublishCommand({ TopicArn, Message: "order 2", MessageGroupId: "g", MessageDeduplicationId: "order-2" }));
      expect(fresh.MessageId).not.toBe(original.MessageId);
      expect(BigInt(fresh.SequenceNumber!)).toBeGreaterThan(BigInt(original.SequenceNumber!));
      sns.destroy();
      await second.kill();
    } finally {
      rmSync(stateDir, { recursive: true, force: true, maxRetries: 5 });
    }
  }, 120_000);
});

// boto3 is installed system-wide (Debian python3-boto3), where a python3 has it.
const BOTO3 = HAS_PYTHON ? ["python3", "/usr/bin/python3"].find((p) => spawnSync(p, ["-c", "import boto3"], { stdio: "ignore" }).status === 0) : undefined;

describe.skipIf(BOTO3 === undefined)(BOTO3 === undefined ? "SNS with boto3 (skipped: no python3 here has boto3)" : "SNS with boto3", () => {
  it("creates a topic, subscribes a queue with raw delivery and publishes with attributes", async () => {
    const sim = await startLambdaSim(["--in-memory"]);
    try {
      const script = `
import boto3, json, sys
kw = dict(endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
sns, sqs = boto3.client("sns", **kw), boto3.client("sqs", **kw)
url = sqs.create_queue(QueueName="py")["QueueUrl"]
arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
topic = sns.create_topic(Name="py-topic", Tags=[{"Key": "team", "Value": "a"}])["TopicArn"]
sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
sns.publish(TopicArn=topic, Message="hello", MessageAttributes={"n": {"DataType": "Number", "StringValue": "7"}})
try:
    sns.get_topic_attributes(TopicArn=topic + "x")
except sns.exceptions.NotFoundException as e:
    missing = e.response["Error"]["Code"]
msgs = []
for _ in range(100):
    msgs += sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"], WaitTimeSeconds=1).get("Messages", [])
    if msgs: break
print(json.dumps({"body": msgs[0]["Body"], "attrs": msgs[0]["MessageAttributes"], "missing": missing, "tags": sns.list_tags_for_resource(ResourceArn=topic)["Tags"]}))
`;
      const out = spawnSync(BOTO3!, ["-c", script, sim.endpoint], { encoding: "utf8", timeout: 60_000 });
      expect(out.status, out.stderr).toBe(0);
      expect(JSON.parse(out.stdout)).toEqual({ body: "hello", attrs: { n: { DataType: "Number", StringValue: "7" } }, missing: "NotFound", tags: [{ Key: "team", Value: "a" }] });
    } finally {
      await sim.kill();
    }
  }, 90_000);
});
