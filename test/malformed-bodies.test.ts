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
