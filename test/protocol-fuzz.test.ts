import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cloudwatchLogsSource, cloudwatchMetricsSource, eventsSource, kinesisSource, schedulesSource, snsSource, sqsSource } from "@lambda-sim/sources";
import { startTestSimulator, type TestSimulator } from "@lambda-sim/core/testing";
import { BAD_SEGMENTS, BAD_VALUES, inputMembers, models, mutate, pick, queryParams, sampleValue, seeded } from "./support/model-requests.ts";

// Issue 12: a seeded stream of malformed requests across every protocol and operation (AWS JSON
// 1.0 and 1.1, query/XML, REST-JSON). A malformed request is the caller's fault: never a 5xx,
// always the error code where the protocol puts it, and the server keeps what it had accepted.

const SEED = 12;
const ROUNDS = 8;
const codeDir = fileURLToPath(new URL("./fixtures/functions/async/", import.meta.url));
const auth = (service: string) => `AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`;
const KEEP = "fuzz-keep";
let t: TestSimulator;

beforeAll(async () => {
  t = await startTestSimulator({ functions: [{ functionName: "f", runtime: "nodejs24.x", handler: "index.succeeds", codeDir }], sources: [sqsSource, kinesisSource, schedulesSource, eventsSource, snsSource, cloudwatchLogsSource, cloudwatchMetricsSource] });
});
afterAll(() => t.close());

type Protocol = "json" | "sqs-json" | "query" | "rest";
interface Request {
  protocol: Protocol;
  what: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

const JSON_SERVICES = [
  { service: "sqs", prefix: "AmazonSQS", version: "1.0", protocol: "sqs-json" as const, model: models.sqs },
  { service: "kinesis", prefix: "Kinesis_20131202", version: "1.1", protocol: "json" as const, model: models.kinesis },
  { service: "events", prefix: "AWSEvents", version: "1.1", protocol: "json" as const, model: models.events },
  { service: "logs", prefix: "Logs_20140328", version: "1.1", protocol: "json" as const, model: models.logs },
  { service: "monitoring", prefix: "GraniteServiceVersion20100801", version: "1.0", protocol: "sqs-json" as const, model: models.cloudwatch },
];
const REST_SERVICES = [
  { service: "lambda", model: models.lambda },
  { service: "scheduler", model: models.scheduler },
];

/** The operations lambda-sim serves: the model's, less those answering UnknownOperationException. */
const served = new Set<string>();

function jsonRequests(rnd: () => number): Request[] {
  const out: Request[] = [];
  for (const s of JSON_SERVICES) {
    const headers = (op: string) => ({ "x-amz-target": `${s.prefix}.${op}`, "content-type": `application/x-amz-json-${s.version}`, authorization: auth(s.service) });
    for (const op of Object.keys(s.model.operations).filter((o) => served.has(`${s.service} ${o}`))) {
      const sample = aimed(s.service, sampleValue(s.model, s.model.operations[op]!.input ?? "", 0) ?? {});
      const text = JSON.stringify(sample);
      const base = { protocol: s.protocol, method: "POST", path: "/", headers: headers(op) };
      out.push({ ...base, what: `${s.service} ${op} mutated`, body: JSON.stringify(mutate(rnd, sample)) });
      out.push({ ...base, what: `${s.service} ${op} member swapped`, body: JSON.stringify(swapMember(rnd, s.model, op, sample)) });
      out.push({ ...base, what: `${s.service} ${op} truncated`, body: text.slice(0, Math.floor(rnd() * text.length)) });
      out.push({ ...base, what: `${s.service} ${op} not UTF-8`, body: Buffer.concat([Buffer.from('{"QueueUrl":"'), Buffer.from([0xff, 0xfe, 0xc3, 0x28]), Buffer.from('","MessageBody":"\xff"}')]) });
    }
    out.push({ protocol: s.protocol, what: `${s.service} unknown operation`, method: "POST", path: "/", headers: headers("NoSuchOperation"), body: "{}" });
  }
  return out;
}

/**
 * Points a sample's ARNs at the expendable resources named `z` (the samples' own strings), so
 * mutated requests get past "not found" into the operations: a topic, a bus with a rule.
 */
function aimed(service: string, sample: unknown): unknown {
  const arns: Record<string, Record<string, string>> = {
    sns: { TopicArn: "arn:aws:sns:us-east-1:000000000000:z", ResourceArn: "arn:aws:sns:us-east-1:000000000000:z" },
    events: { ResourceARN: "arn:aws:events:us-east-1:000000000000:rule/z/z", EventBusName: "z" },
  };
  if (typeof sample !== "object" || sample === null || Array.isArray(sample)) return sample;
  const out = { ...(sample as Record<string, unknown>) };
  for (const [k, v] of Object.entries(arns[service] ?? {})) if (k in out) out[k] = v;
  return out;
}

/** Sets one top-level member (required or not) to a bad value. */
function swapMember(rnd: () => number, model: (typeof models)["sqs"], op: string, sample: unknown): unknown {
  const members = inputMembers(model, op);
  if (members.length === 0) return { Unknown: pick(rnd, BAD_VALUES) };
  return { ...(sample as object), [pick(rnd, members).name]: pick(rnd, BAD_VALUES), UnknownMember: 1 };
}

function restRequests(rnd: () => number): Request[] {
  const out: Request[] = [];
  for (const s of REST_SERVICES) {
    for (const [op, m] of Object.entries(s.model.operations).filter(([o]) => served.has(`${s.service} ${o}`))) {
      const hasBody = m.http!.method !== "GET" && m.http!.method !== "DELETE";
      for (const variant of hasBody ? ["bad path", "bad member", "truncated", "not UTF-8"] : ["bad path", "bad member"]) {
        const sample = (sampleValue(s.model, m.input ?? "", 0) ?? {}) as Record<string, unknown>;
        const body: Record<string, unknown> = {};
        const query = new URLSearchParams();
        const headers: Record<string, string> = { "content-type": "application/json", authorization: auth(s.service) };
        const [uri, fixedQuery] = m.http!.requestUri.split("?");
        let path = uri!;
        const members = inputMembers(s.model, op);
        const target = variant === "bad member" && members.length > 0 ? pick(rnd, members).name : undefined;
        for (const mem of members) {
          const bad = mem.name === target;
          const value = bad ? pick(rnd, BAD_VALUES) : sample[mem.name];
          if (mem.location === "uri") {
            const seg = variant === "bad path" ? pick(rnd, BAD_SEGMENTS) : encodeURIComponent(String(value ?? "z").toWellFormed());
            path = path.replace(new RegExp(`\\{${mem.locationName}\\+?\\}`), seg);
          } else if (mem.location === "querystring") {
            if (value !== undefined) query.set(mem.locationName!, String(value));
          } else if (mem.location === "header") {
            if (value !== undefined) headers[mem.locationName!.toLowerCase()] = String(value).replace(/[^\x20-\x7e]/g, "?");
          } else if (mem.location === undefined && value !== undefined) {
            body[mem.name] = value;
          }
        }
        const qs = [fixedQuery, query.toString()].filter((x) => x).join("&");
        out.push({ protocol: "rest", what: `${s.service} ${op} ${variant}`, method: m.http!.method, path: path.replace(/\{\w+\+?\}/g, "z") + (qs ? `?${qs}` : ""), headers, body: hasBody ? restBody(rnd, variant, body) : undefined });
      }
    }
  }
  out.push({ protocol: "rest", what: "lambda invoke %C3%28", method: "POST", path: "/2015-03-31/functions/%C3%28/invocations", headers: { authorization: auth("lambda") }, body: "{}" });
  out.push({ protocol: "rest", what: "scheduler %ff%fe", method: "PUT", path: "/schedules/%ff%fe", headers: { authorization: auth("scheduler"), "content-type": "application/json" }, body: "{}" });
  return out;
}

/** A REST body as the variant has it: whole, cut at a random point, or with bytes that are not UTF-8 in a string. */
function restBody(rnd: () => number, variant: string, body: Record<string, unknown>): string | Buffer {
  const text = JSON.stringify(body);
  if (variant === "truncated") return text.slice(0, Math.floor(rnd() * text.length));
  if (variant !== "not UTF-8") return text;
  const strings = Object.keys(body).filter((k) => typeof body[k] === "string");
  const [before, after] = JSON.stringify({ ...body, [strings.length > 0 ? pick(rnd, strings) : "Description"]: "\u0001" }).split("\\u0001");
  return Buffer.concat([Buffer.from(before!), NOT_UTF8, Buffer.from(after!)]);
}

const NOT_UTF8 = Buffer.from([0xff, 0xfe, 0xc3, 0x28]);
const QUERY_VALUES = ["abc", "-1", "99999999999", "", "%ff%fe", "%C3%28", "true", "1e400", "%", "x%zz", "0"];
const QUERY_SERVICES = [
  {
    service: "sqs",
    model: models.sqs,
    paths: ["/", "/000000000000/z"],
    extra: ["Attribute.1.Name", "Attribute.1.Value", "AttributeName.1", "SendMessageBatchRequestEntry.1.Id", "SendMessageBatchRequestEntry.1.MessageBody", "MessageAttribute.1.Name", "MessageAttribute.1.Value.DataType", "Entries.1", "Tag.1.Key"],
  },
  {
    service: "sns",
    model: models.sns,
    paths: ["/"],
    extra: ["Attributes.entry.1.key", "Attributes.entry.1.value", "MessageAttributes.entry.1.Name", "MessageAttributes.entry.1.Value.DataType", "MessageAttributes.entry.1.Value.StringValue", "PublishBatchRequestEntries.member.1.Id", "PublishBatchRequestEntries.member.1.Message", "Tags.member.1.Key", "TagKeys.member.1", "MessageStructure"],
  },
];

function queryRequests(rnd: () => number): Request[] {
  const out: Request[] = [];
  for (const s of QUERY_SERVICES) {
    const headers = { "content-type": "application/x-www-form-urlencoded", authorization: auth(s.service) };
    const push = (what: string, path: string, body: string | Buffer) => out.push({ protocol: "query", what: `${s.service} query ${what}`, method: "POST", path, headers, body });
    const form = (params: [string, string][]) => params.map(([k, v]) => `${k}=${v}`).join("&");
    for (const op of [...Object.keys(s.model.operations), "NoSuchAction"]) {
      // Parameter names from the model with odd values, some of them escapes that are not UTF-8.
      const names = inputMembers(s.model, op).map((m) => m.locationName ?? m.name);
      for (const [i, path] of s.paths.entries()) {
        push(`${op} names #${i}`, path, form([["Action", op], ...[...names, pick(rnd, s.extra), pick(rnd, s.extra)].map((n): [string, string] => [n, pick(rnd, QUERY_VALUES)])]));
      }
      // A plausible input as an SDK would write it, one member made wrong; then the same form cut short, and with raw bytes that are not UTF-8.
      const input = s.model.operations[op]?.input;
      const sample = input === undefined ? {} : aimed(s.service, sampleValue(s.model, input, 0));
      const good = form([["Action", op], ...(input === undefined ? [] : queryParams(s.model, input, sample).map(([k, v]): [string, string] => [k, encodeURIComponent(v.toWellFormed())]))]);
      const bad: [string, string][] = [["Action", op], ...(input === undefined ? [] : queryParams(s.model, input, mutate(rnd, sample)).map(([k, v]): [string, string] => [k, encodeURIComponent(v.toWellFormed())]))];
      if (bad.length > 1 && rnd() < 0.5) bad[1 + Math.floor(rnd() * (bad.length - 1))]![1] = pick(rnd, QUERY_VALUES);
      const path = pick(rnd, s.paths);
      push(`${op} mutated`, path, form(bad));
      push(`${op} truncated`, path, good.slice(0, Math.floor(rnd() * good.length)));
      push(`${op} not UTF-8`, path, Buffer.concat([Buffer.from(`${good}&${pick(rnd, [...names, "x"])}=`), NOT_UTF8]));
    }
  }
  return out;
}

/** One well-formed-looking request per modelled operation, to learn which ones are served. */
async function probeServedOperations(): Promise<void> {
  for (const s of JSON_SERVICES) {
    for (const op of Object.keys(s.model.operations)) {
      const res = await fetch(t.endpoint, { method: "POST", headers: { "x-amz-target": `${s.prefix}.${op}`, "content-type": `application/x-amz-json-${s.version}`, authorization: auth(s.service) }, body: "{}" });
      if (!(await res.text()).includes("UnknownOperationException")) served.add(`${s.service} ${op}`);
    }
  }
  for (const s of REST_SERVICES) {
    for (const [op, m] of Object.entries(s.model.operations)) {
      const path = m.http!.requestUri.replace(/\{\w+\+?\}/g, "z");
      const res = await fetch(t.endpoint + path, { method: m.http!.method, headers: { authorization: auth(s.service), "content-type": "application/json" }, body: m.http!.method === "GET" || m.http!.method === "DELETE" ? undefined : "{}" });
      if (res.headers.get("x-amzn-errortype") !== "UnknownOperationException") served.add(`${s.service} ${op}`);
    }
  }
}

async function send(r: Request): Promise<string | undefined> {
  const res = await fetch(t.endpoint + r.path, { method: r.method, headers: r.headers, body: r.body });
  const text = await res.text();
  const why = (problem: string) => `${r.what}: ${problem} (${res.status} ${text.slice(0, 200)})`;
  if (res.status >= 500) return why("a 5xx");
  if (res.status < 400) return undefined;
  // REST-JSON puts the code in x-amzn-ErrorType; the JSON protocols put it in __type, even when they send the header too (Kinesis does).
  if (res.headers.get("x-amzn-errortype") !== null && r.protocol === "rest") return undefined;
  switch (r.protocol) {
    case "sqs-json":
    case "json":
      if (r.protocol === "sqs-json" && !/^[\w.]+;(Sender|Receiver)$/.test(res.headers.get("x-amzn-query-error") ?? "")) return why("no x-amzn-query-error");
      try {
        return typeof JSON.parse(text).__type === "string" ? undefined : why("no __type");
      } catch {
        return why("not JSON");
      }
    case "query":
      return /<Code>[^<]+<\/Code>/.test(text) ? undefined : why("no <Code>");
    case "rest":
      return why("no x-amzn-ErrorType");
  }
}

describe("a seeded stream of malformed requests across every protocol and operation", () => {
  it("gets AWS-shaped 4xx answers, never a 5xx, and the server keeps what it accepted", async () => {
    const post = (target: string, body: unknown, version = "1.0") =>
      fetch(t.endpoint, { method: "POST", headers: { "x-amz-target": target, "content-type": `application/x-amz-json-${version}` }, body: JSON.stringify(body) });
    expect((await post("AmazonSQS.CreateQueue", { QueueName: KEEP })).status).toBe(200);
    expect((await post("Kinesis_20131202.CreateStream", { StreamName: KEEP, ShardCount: 1 }, "1.1")).status).toBe(200);
    const queueUrl = `${t.endpoint}/000000000000/${KEEP}`;
    const sns = (params: Record<string, string>) => fetch(t.endpoint, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", authorization: auth("sns") }, body: new URLSearchParams(params).toString() });
    const functionArn = "arn:aws:lambda:us-east-1:000000000000:function:f";
    // Kept: a topic with its subscription, a bus with a rule and its target (never named by the fuzz).
    expect((await sns({ Action: "CreateTopic", Name: KEEP })).status).toBe(200);
    expect((await sns({ Action: "Subscribe", TopicArn: `arn:aws:sns:us-east-1:000000000000:${KEEP}`, Protocol: "lambda", Endpoint: functionArn })).status).toBe(200);
    expect((await post("AWSEvents.CreateEventBus", { Name: KEEP }, "1.1")).status).toBe(200);
    expect((await post("AWSEvents.PutRule", { Name: KEEP, EventBusName: KEEP, EventPattern: '{"source":["keep"]}' }, "1.1")).status).toBe(200);
    expect((await post("AWSEvents.PutTargets", { Rule: KEEP, EventBusName: KEEP, Targets: [{ Id: "f", Arn: functionArn }] }, "1.1")).status).toBe(200);
    // Expendable, for the fuzz to reach: topic z and bus z with rule z, delivering to queue z.
    expect((await post("AmazonSQS.CreateQueue", { QueueName: "z" })).status).toBe(200);
    const sink = "arn:aws:sqs:us-east-1:000000000000:z";
    expect((await sns({ Action: "CreateTopic", Name: "z" })).status).toBe(200);
    expect((await sns({ Action: "Subscribe", TopicArn: "arn:aws:sns:us-east-1:000000000000:z", Protocol: "sqs", Endpoint: sink })).status).toBe(200);
    expect((await post("AWSEvents.CreateEventBus", { Name: "z" }, "1.1")).status).toBe(200);
    expect((await post("AWSEvents.PutRule", { Name: "z", EventBusName: "z", EventPattern: '{"source":[{"prefix":""}]}' }, "1.1")).status).toBe(200);
    expect((await post("AWSEvents.PutTargets", { Rule: "z", EventBusName: "z", Targets: [{ Id: "q", Arn: sink }] }, "1.1")).status).toBe(200);
    for (let i = 0; i < 10; i++) {
      expect((await post("AmazonSQS.SendMessage", { QueueUrl: queueUrl, MessageBody: `kept ${i}` })).status).toBe(200);
      expect((await post("Kinesis_20131202.PutRecord", { StreamName: KEEP, PartitionKey: "k", Data: Buffer.from(`kept ${i}`).toString("base64") }, "1.1")).status).toBe(200);
    }

    await probeServedOperations();
    expect(served.size).toBeGreaterThan(80);
    const rnd = seeded(SEED);
    const requests: Request[] = [];
    for (let round = 0; round < ROUNDS; round++) requests.push(...jsonRequests(rnd), ...restRequests(rnd), ...queryRequests(rnd));
    expect(requests.length).toBeGreaterThan(2000);
    const problems: string[] = [];
    // A few at a time, as SDK callers would send them.
    for (let i = 0; i < requests.length; i += 4) {
      const answers = await Promise.all(requests.slice(i, i + 4).map(send));
      for (const a of answers) if (a !== undefined) problems.push(a);
    }
    expect(problems.slice(0, 20)).toEqual([]);

    expect((await fetch(`${t.endpoint}/_sim/health`)).status).toBe(200);
    const messages = (await (await fetch(`${t.endpoint}/_sim/queues/${KEEP}/messages`)).json()) as { body: string }[];
    expect(messages.map((m) => m.body).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `kept ${i}`));
    const records = (await (await fetch(`${t.endpoint}/_sim/streams/${KEEP}/records`)).json()) as unknown[];
    expect(records).toHaveLength(10);
    const topic = (await (await fetch(`${t.endpoint}/_sim/topics/${KEEP}`)).json()) as { subscriptions: { endpoint: string }[] };
    expect(topic.subscriptions.map((s) => s.endpoint)).toEqual([functionArn]);
    const targets = (await (await post("AWSEvents.ListTargetsByRule", { Rule: KEEP, EventBusName: KEEP }, "1.1")).json()) as { Targets: { Arn: string }[] };
    expect(targets.Targets.map((x) => x.Arn)).toEqual([functionArn]);
  }, 120_000);
});
