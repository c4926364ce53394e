import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { CreateStreamCommand, KinesisClient } from "@aws-sdk/client-kinesis";
import { kinesisSource, schedulesSource, sqsSource } from "@lambda-sim/sources";
import { startTestSimulator, type TestSimulator } from "@lambda-sim/core/testing";

// Inputs checked against AWS's own models (botocore service-2.json), answered as each protocol
// answers them: JSON `__type` (SQS also `x-amzn-query-error`), query/XML `<Code>`, REST-JSON
// `x-amzn-ErrorType`; the member named as the service names it (Smithy: `records.1.member`).

const codeDir = fileURLToPath(new URL("./fixtures/functions/async/", import.meta.url));
const auth = (service: string) => `AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`;
let t: TestSimulator;
let queueUrl: string;

beforeAll(async () => {
  t = await startTestSimulator({ functions: [{ functionName: "f", runtime: "nodejs24.x", handler: "index.succeeds", codeDir }], sources: [sqsSource, kinesisSource, schedulesSource] });
  queueUrl = `${t.endpoint}/000000000000/checked`;
  await json("sqs", "AmazonSQS.CreateQueue", "1.0", { QueueName: "checked" });
  await json("kinesis", "Kinesis_20131202.CreateStream", "1.1", { StreamName: "s", ShardCount: 1 });
});
afterAll(() => t.close());

async function json(service: string, target: string, version: string, body: unknown) {
  const res = await fetch(t.endpoint, { method: "POST", headers: { authorization: auth(service), "x-amz-target": target, "content-type": `application/x-amz-json-${version}` }, body: JSON.stringify(body) });
  const out = (await res.json()) as { __type?: string; message?: string };
  return { status: res.status, code: out.__type, message: out.message, queryError: res.headers.get("x-amzn-query-error") };
}

async function rest(service: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(t.endpoint + path, { method, headers: { authorization: auth(service), "content-type": "application/json", ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
  const out = (await res.json()) as { message?: string; Message?: string };
  return { status: res.status, code: res.headers.get("x-amzn-errortype"), message: out.message ?? out.Message };
}

async function query(params: string) {
  const res = await fetch(t.endpoint, { method: "POST", headers: { authorization: auth("sqs"), "content-type": "application/x-www-form-urlencoded" }, body: params });
  const xml = await res.text();
  return { status: res.status, code: /<Code>([^<]*)<\/Code>/.exec(xml)?.[1], message: /<Message>([^<]*)<\/Message>/.exec(xml)?.[1] };
}

const v = (detail: string) => `1 validation error detected: ${detail}`;

describe("AWS JSON 1.1 (Kinesis, EventBridge): ValidationException and SerializationException", () => {
  it.each([
    ["an empty stream name", "kinesis", "Kinesis_20131202.CreateStream", { StreamName: "", ShardCount: 1 }, "ValidationException", v("Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1")],
    ["a stream name outside the pattern", "kinesis", "Kinesis_20131202.CreateStream", { StreamName: "a b", ShardCount: 1 }, "ValidationException", v("Value 'a b' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+")],
    ["no Data", "kinesis", "Kinesis_20131202.PutRecord", { StreamName: "s", PartitionKey: "k" }, "ValidationException", v("Value null at 'data' failed to satisfy constraint: Member must not be null")],
    ["a null record", "kinesis", "Kinesis_20131202.PutRecords", { StreamName: "s", Records: [null] }, "ValidationException", v("Value null at 'records.1.member' failed to satisfy constraint: Member must not be null")],
    ["an iterator type outside the enum", "kinesis", "Kinesis_20131202.GetShardIterator", { StreamName: "s", ShardId: "shardId-000000000000", ShardIteratorType: "NEWEST" }, "ValidationException", v("Value 'NEWEST' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set: [AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER, TRIM_HORIZON, LATEST, AT_TIMESTAMP]")],
    ["a string for an integer", "kinesis", "Kinesis_20131202.CreateStream", { StreamName: "t", ShardCount: "1" }, "SerializationException", "STRING_VALUE cannot be converted to Integer"],
    ["two violations at once", "kinesis", "Kinesis_20131202.CreateStream", { StreamName: "", ShardCount: 0 }, "ValidationException", "2 validation errors detected: Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1; Value '0' at 'shardCount' failed to satisfy constraint: Member must have value greater than or equal to 1"],
    ["a rule name outside the pattern", "events", "AWSEvents.PutRule", { Name: "no spaces", ScheduleExpression: "rate(5 minutes)" }, "ValidationException", v("Value 'no spaces' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+")],
    ["a list where a structure goes", "events", "AWSEvents.PutTargets", { Rule: "r", Targets: [[]] }, "SerializationException", "Start of list found where not expected"],
  ])("%s", async (_what, service, target, body, code, message) => {
    expect(await json(service, target, "1.1", body)).toEqual({ status: 400, code, message, queryError: null });
  });

  it("the SDK raises the modelled exception by name", async () => {
    const kinesis = new KinesisClient(t.clientConfig);
    await expect(kinesis.send(new CreateStreamCommand({ StreamName: "x".repeat(129), ShardCount: 1 }))).rejects.toMatchObject({ name: "ValidationException", $metadata: { httpStatusCode: 400 } });
    kinesis.destroy();
  });
});

describe("SQS over AWS JSON 1.0 and the query protocol: legacy codes for both", () => {
  it.each([
    ["no QueueUrl", { MessageBody: "x" }, "com.amazonaws.sqs#MissingRequiredParameterException", "MissingParameter;Sender", "The request must contain the parameter QueueUrl."],
    ["a string for DelaySeconds", { QueueUrl: "checked", MessageBody: "x", DelaySeconds: "9" }, "com.amazon.coral.service#InvalidParameterValueException", "InvalidParameterValue;Sender", "Value 9 for parameter DelaySeconds is invalid. Reason: STRING_VALUE cannot be converted to Integer."],
    ["a number for MessageBody", { QueueUrl: "checked", MessageBody: 5 }, "com.amazon.coral.service#InvalidParameterValueException", "InvalidParameterValue;Sender", "Value 5 for parameter MessageBody is invalid. Reason: NUMBER_VALUE cannot be converted to String."],
    ["a number for an attribute", { QueueUrl: "checked", MessageBody: "x", MessageAttributes: { k: 5 } }, "com.amazon.coral.service#InvalidParameterValueException", "InvalidParameterValue;Sender", "Value 5 for parameter MessageAttributes.k is invalid. Reason: NUMBER_VALUE cannot be converted to a structure."],
    ["a lone surrogate in the body", { QueueUrl: "checked", MessageBody: "a\ud800b" }, "com.amazonaws.sqs#InvalidMessageContents", "InvalidMessageContents;Sender", "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF"],
  ])("SendMessage with %s", async (_what, body, code, queryError, message) => {
    expect(await json("sqs", "AmazonSQS.SendMessage", "1.0", body)).toEqual({ status: 400, code, message, queryError });
  });

  it.each([
    ["a null entry", [null], "Value null for parameter Entries.1 is invalid. Reason: Member must not be null."],
    ["a string for the entries", "x", "Value x for parameter Entries is invalid. Reason: STRING_VALUE cannot be converted to a list."],
    ["a number for an Id", [{ Id: 5, MessageBody: "x" }], "Value 5 for parameter Entries.1.Id is invalid. Reason: NUMBER_VALUE cannot be converted to String."],
    // Issue 12: accepted without a word before the model checks.
    ["a number for an entry's MessageAttributes", [{ Id: "a", MessageBody: "x", MessageAttributes: 5 }], "Value 5 for parameter Entries.1.MessageAttributes is invalid. Reason: NUMBER_VALUE cannot be converted to a map."],
  ])("SendMessageBatch with %s", async (_what, entries, message) => {
    expect(await json("sqs", "AmazonSQS.SendMessageBatch", "1.0", { QueueUrl: "checked", Entries: entries })).toMatchObject({ status: 400, queryError: "InvalidParameterValue;Sender", message });
  });

  it("bytes that are not UTF-8 are InvalidMessageContents, and nothing is stored", async () => {
    const body = Buffer.concat([Buffer.from(`{"QueueUrl":"${queueUrl}","MessageBody":"a`), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    const res = await fetch(t.endpoint, { method: "POST", headers: { authorization: auth("sqs"), "x-amz-target": "AmazonSQS.SendMessage", "content-type": "application/x-amz-json-1.0" }, body });
    expect({ status: res.status, queryError: res.headers.get("x-amzn-query-error") }).toEqual({ status: 400, queryError: "InvalidMessageContents;Sender" });
    expect(await (await fetch(`${t.endpoint}/_sim/queues/checked/messages`)).json()).toEqual([]);
  });

  it.each([
    ["no MessageBody", `Action=SendMessage&QueueUrl=${encodeURIComponent("http://x/000000000000/checked")}`, "MissingParameter", "The request must contain the parameter MessageBody."],
    ["a word for DelaySeconds", "Action=SendMessage&QueueUrl=checked&MessageBody=x&DelaySeconds=soon", "InvalidParameterValue", "Value soon for parameter DelaySeconds is invalid. Reason: STRING_VALUE cannot be converted to Integer."],
    ["an unknown action", "Action=SendMessages&QueueUrl=checked", "InvalidAction", "The action SendMessages is not valid for this endpoint."],
  ])("query protocol, SendMessage with %s", async (_what, params, code, message) => {
    expect(await query(params)).toEqual({ status: 400, code, message });
  });

  it("the SDK raises the legacy code's exception", async () => {
    const sqs = new SQSClient(t.clientConfig);
    await expect(sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "a\ud800" }))).rejects.toMatchObject({ name: "InvalidMessageContents", $metadata: { httpStatusCode: 400 } });
    sqs.destroy();
  });
});

describe("REST-JSON (Lambda, Scheduler): path, query, header and body members alike", () => {
  const FUNCTION_NAME = "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST(\\.PUBLISHED)?|[a-zA-Z0-9-_]+))?";
  it.each([
    ["invalid percent-encoding in the path", "lambda", "POST", "/2015-03-31/functions/%C3%28/invocations", {}, {}, v(`Value '\ufffd(' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${FUNCTION_NAME}`)],
    ["an invocation type outside the enum", "lambda", "POST", "/2015-03-31/functions/f/invocations", {}, { "x-amz-invocation-type": "Later" }, v("Value 'Later' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]")],
    ["a negative reserved concurrency", "lambda", "PUT", "/2017-10-31/functions/f/concurrency", { ReservedConcurrentExecutions: -1 }, {}, v("Value '-1' at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must have value greater than or equal to 0")],
    ["a schedule name that is not UTF-8", "scheduler", "PUT", "/schedules/%ff%fe", { ScheduleExpression: "rate(1 minute)", FlexibleTimeWindow: { Mode: "OFF" }, Target: { Arn: "arn:aws:lambda:us-east-1:000000000000:function:f", RoleArn: "arn:aws:iam::000000000000:role/r" } }, {}, v("Value '\ufffd\ufffd' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[0-9a-zA-Z-_.]+$")],
    ["a flexible-window mode outside the enum", "scheduler", "POST", "/schedules/s", { ScheduleExpression: "rate(1 minute)", FlexibleTimeWindow: { Mode: "SOMETIMES" }, Target: { Arn: "arn:aws:lambda:us-east-1:000000000000:function:f", RoleArn: "arn:aws:iam::000000000000:role/r" } }, {}, v("Value 'SOMETIMES' at 'flexibleTimeWindow.mode' failed to satisfy constraint: Member must satisfy enum value set: [OFF, FLEXIBLE]")],
  ])("%s", async (_what, service, method, path, body, headers, message) => {
    expect(await rest(service, method, path, body, headers)).toEqual({ status: 400, code: "ValidationException", message });
  });
});

describe("SQS query protocol: percent-escapes that are not UTF-8", () => {
  it("are InvalidMessageContents, and nothing is stored", async () => {
    expect(await query("Action=SendMessage&QueueUrl=checked&MessageBody=a%ff%fe")).toEqual({
      status: 400,
      code: "InvalidMessageContents",
      message: "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF",
    });
    expect(await (await fetch(`${t.endpoint}/_sim/queues/checked/messages`)).json()).toEqual([]);
  });
});
