import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kinesisSource, schedulesSource, sqsSource } from "@lambda-sim/sources";
import { startTestSimulator, type TestSimulator } from "@lambda-sim/core/testing";

// A body that is valid JSON but not an object (`null`, `[]`, `5`) is a client error on every
// protocol: a 400 SerializationException, never a 500 InternalFailure.

const codeDir = fileURLToPath(new URL("./fixtures/functions/async/", import.meta.url));
const auth = (service: string) => `AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`;
let t: TestSimulator;

beforeAll(async () => {
  t = await startTestSimulator({ functions: [{ functionName: "f", runtime: "nodejs24.x", handler: "index.succeeds", codeDir }], sources: [sqsSource, kinesisSource, schedulesSource] });
});
afterAll(() => t.close());

const requests: { name: string; method: string; path: string; headers: Record<string, string> }[] = [
  { name: "Kinesis (JSON 1.1)", method: "POST", path: "/", headers: { "x-amz-target": "Kinesis_20131202.CreateStream", "content-type": "application/x-amz-json-1.1", authorization: auth("kinesis") } },
  { name: "EventBridge (JSON 1.1)", method: "POST", path: "/", headers: { "x-amz-target": "AWSEvents.PutRule", "content-type": "application/x-amz-json-1.1", authorization: auth("events") } },
  { name: "SQS (JSON 1.0)", method: "POST", path: "/", headers: { "x-amz-target": "AmazonSQS.CreateQueue", "content-type": "application/x-amz-json-1.0", authorization: auth("sqs") } },
  { name: "Scheduler (REST-JSON)", method: "POST", path: "/schedules/s", headers: { "content-type": "application/json", authorization: auth("scheduler") } },
  { name: "Lambda EventInvokeConfig (REST-JSON)", method: "PUT", path: "/2019-09-25/functions/f/event-invoke-config", headers: { "content-type": "application/json", authorization: auth("lambda") } },
];

describe("request bodies that are JSON but not an object", () => {
  for (const r of requests) {
    it(`${r.name}: null, an array and a number are 400 SerializationException`, async () => {
      for (const body of ["null", "[]", "5"]) {
        const res = await fetch(t.endpoint + r.path, { method: r.method, headers: r.headers, body });
        const text = await res.text();
        expect({ body, status: res.status }).toEqual({ body, status: 400 });
        expect(text + String(res.headers.get("x-amzn-errortype"))).toContain("SerializationException");
      }
    });
  }
});

describe("members of the wrong type", () => {
  const kinesis = (op: string) => ({ "x-amz-target": `Kinesis_20131202.${op}`, "content-type": "application/x-amz-json-1.1", authorization: auth("kinesis") });
  const events = (op: string) => ({ "x-amz-target": `AWSEvents.${op}`, "content-type": "application/x-amz-json-1.1", authorization: auth("events") });
  const rest = (service: string) => ({ "content-type": "application/json", authorization: auth(service) });
  const target = (extra: string) => `{"ScheduleExpression":"rate(5 minutes)","FlexibleTimeWindow":{"Mode":"OFF"},"Target":{"Arn":"arn:aws:lambda:us-east-1:000000000000:function:f","RoleArn":"arn:aws:iam::000000000000:role/r"${extra}}}`;

  it("are 400s, never a 500, and store nothing", async () => {
    const send = async (method: string, path: string, headers: Record<string, string>, body: string) => {
      const res = await fetch(t.endpoint + path, { method, headers, body: method === "GET" ? undefined : body });
      return { status: res.status, text: await res.text() };
    };
    expect((await send("POST", "/", kinesis("CreateStream"), '{"StreamName":"s","ShardCount":1}')).status).toBe(200);
    expect((await send("POST", "/", events("PutRule"), '{"Name":"r","ScheduleExpression":"rate(5 minutes)"}')).status).toBe(200);
    const bad: [string, string, Record<string, string>, string][] = [
      ["POST", "/", kinesis("PutRecords"), '{"StreamName":"s","Records":[null]}'],
      ["POST", "/", events("PutTargets"), '{"Rule":"r","Targets":[null]}'],
      ["POST", "/", events("PutTargets"), '{"Rule":"r","Targets":{"Id":"a"}}'],
      ["POST", "/2015-03-31/event-source-mappings/", rest("lambda"), '{"FunctionName":5,"EventSourceArn":"arn:aws:kinesis:us-east-1:000000000000:stream/s","StartingPosition":"LATEST"}'],
      ["POST", "/schedules/a", rest("scheduler"), '{"ScheduleExpression":"rate(5 minutes)","FlexibleTimeWindow":{"Mode":"OFF"},"Target":7}'],
      ["POST", "/schedules/b", rest("scheduler"), target(',"Input":{"a":1}')],
      ["POST", "/schedules/c", rest("scheduler"), target(',"RetryPolicy":"x"')],
      ["POST", "/schedules/d", rest("scheduler"), target(',"DeadLetterConfig":"y"')],
    ];
    for (const [method, path, headers, body] of bad) {
      const out = await send(method, path, headers, body);
      expect({ body, status: out.status }).toEqual({ body, status: 400 });
    }
    expect(JSON.parse((await send("GET", "/schedules", rest("scheduler"), "")).text).Schedules).toEqual([]);
  });
});
