// bench/fanout/sns (the SNS half of issue 19's fan-out benchmark): Publish to a topic with 3 Lambda
// subscribers and 1 queue, beside SQS SendMessage on the same simulator in the same run.
//
//   node bench/fanout/sns.ts [--quick]
//
// A simulator in its own process with a state directory (WAL, synchronous=NORMAL). 16 keep-alive
// callers send N Publish calls (query protocol, as the SDKs send them): accepted/s counts answers,
// each message and its four pending deliveries stored in SQLite before the answer. Delivered/s is
// N messages over the time from the first Publish until every delivery has settled (the topic's
// outbox empty) and every asynchronous invocation it made has run (the async queue empty): 4N
// deliveries, 3N of them function runs. The functions are `model` ones (1 ms, no process), so the
// figure is SNS's and Lambda's async path, not process start-up. The reference: the same callers
// sending N SendMessage calls (SQS JSON protocol) to a queue on the same simulator.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSimulator } from "../support.ts";

const quick = process.argv.includes("--quick");
const N = quick ? 5_000 : 20_000;
const CALLERS = 16;
const agent = new Agent({ keepAlive: true, maxSockets: CALLERS });
const TOPIC = "arn:aws:sns:us-east-1:000000000000:orders";

function post(port: number, headers: Record<string, string>, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path: "/", method: "POST", agent, headers: { ...headers, "Content-Length": Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks).toString()) : reject(new Error(`${res.statusCode} ${Buffer.concat(chunks)}`))));
    });
    req.on("error", reject);
    req.end(body);
  });
}

const publish = (port: number, i: number) =>
  // Routed by the SigV4 credential scope's service, as a signed SDK request is (not verified without --auth).
  post(port, { "Content-Type": "application/x-www-form-urlencoded", Authorization: "AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/sns/aws4_request, SignedHeaders=host, Signature=0" }, new URLSearchParams({ Action: "Publish", Version: "2010-03-31", TopicArn: TOPIC, Message: `{"order":${i},"total":${i % 500}}`, "MessageAttributes.entry.1.Name": "kind", "MessageAttributes.entry.1.Value.DataType": "String", "MessageAttributes.entry.1.Value.StringValue": "order" }).toString());

const sendMessage = (port: number, i: number) =>
  post(port, { "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AmazonSQS.SendMessage" }, JSON.stringify({ QueueUrl: `http://127.0.0.1:${port}/000000000000/reference`, MessageBody: `{"order":${i},"total":${i % 500}}` }));

/** N calls from CALLERS concurrent callers: calls per second. */
async function rate(call: (i: number) => Promise<unknown>): Promise<{ perSecond: number; started: number }> {
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: CALLERS }, async () => {
    while (next < N) await call(next++);
  }));
  return { perSecond: (N / (performance.now() - started)) * 1000, started };
}

async function settled(port: number): Promise<void> {
  for (;;) {
    const topic = (await (await fetch(`http://127.0.0.1:${port}/_sim/topics/orders`)).json()) as { pendingDeliveries: number };
    const state = (await (await fetch(`http://127.0.0.1:${port}/_sim/state`)).json()) as { asyncEvents: number };
    if (topic.pendingDeliveries === 0 && state.asyncEvents === 0) return;
    await new Promise((r) => setTimeout(r, 25));
  }
}

const dir = mkdtempSync(join(tmpdir(), "lambda-sim-bench-fanout-"));
const config = join(dir, "lambda-sim.yaml");
const model = "{ runtime: model, model: { durationMs: 1 } }";
writeFileSync(config, [
  "functions:",
  `  billing: ${model}`,
  `  shipping: ${model}`,
  `  analytics: ${model}`,
  "queues:",
  "  audit:",
  "  reference:",
  "topics:",
  "  orders:",
  "    subscriptions:",
  "      - { protocol: lambda, endpoint: lambda:billing }",
  "      - { protocol: lambda, endpoint: lambda:shipping }",
  "      - { protocol: lambda, endpoint: lambda:analytics }",
  "      - { protocol: sqs, endpoint: sqs:audit, rawMessageDelivery: true }",
  "",
].join("\n"));
const sim = await startSimulator([], ["--state", join(dir, "state"), "--config", config]);
try {
  // Warm-up: the code paths, the statement caches, the keep-alive sockets.
  for (let i = 0; i < 200; i++) await Promise.all([publish(sim.port, i), sendMessage(sim.port, i)]);
  await settled(sim.port);

  const sqs = await rate((i) => sendMessage(sim.port, i));
  const sns = await rate((i) => publish(sim.port, i));
  await settled(sim.port);
  const delivered = (N / (performance.now() - sns.started)) * 1000;

  console.log(`bench/fanout/sns: ${N} messages, ${CALLERS} callers, durable state directory`);
  console.log(`  Publish (3 Lambda + 1 SQS subscribers)  accepted   ${sns.perSecond.toFixed(0).padStart(7)} messages/s   (goal 5,000)`);
  console.log(`  Publish, end to end                     delivered  ${delivered.toFixed(0).padStart(7)} messages/s   (${(delivered * 4).toFixed(0)} deliveries/s, ${(delivered * 3).toFixed(0)} function runs/s)`);
  console.log(`  reference: SQS SendMessage              accepted   ${sqs.perSecond.toFixed(0).padStart(7)} messages/s   (same simulator, same run)`);
} finally {
  sim.child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
}
