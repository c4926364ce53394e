import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { AwsError } from "../errors/aws-error.ts";
import { SeededRng } from "../random/seeded-rng.ts";
import { AwsRouter } from "./aws-router.ts";
import { validationMessage } from "./input-validator.ts";
import type { ServiceModel } from "./service-model.ts";
import type { ProtocolErrors } from "./service-spec.ts";

// Adding a service is registering its operations: the router names no service, and a JSON 1.1
// service (CloudWatch Logs-like) or a query/XML one gets parsing, model checks and errors for free.

let server: Server | undefined;
afterEach(() => server?.close());

async function serve(setup: (router: AwsRouter) => void): Promise<string> {
  const router = new AwsRouter(new SeededRng(1).stream("ids"));
  setup(router);
  server = createServer((req, res) => router.handle(req, res));
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const model: ServiceModel = {
  source: "test",
  metadata: { apiVersion: "2014-03-28", protocol: "json", jsonVersion: "1.1", targetPrefix: "Logs_20140328", endpointPrefix: "logs" },
  operations: { CreateLogGroup: { input: "CreateLogGroupRequest" }, GetQueueUrl: { input: "GetQueueUrlRequest", output: "GetQueueUrlResult" } },
  shapes: {
    CreateLogGroupRequest: { type: "structure", required: ["logGroupName"], members: { logGroupName: { shape: "Name" }, tags: { shape: "Tags" } } },
    Name: { type: "string", min: 1, max: 512, pattern: "[\\.\\-_/#A-Za-z0-9]+" },
    Tags: { type: "map", key: { shape: "Name" }, value: { shape: "Name" } },
    GetQueueUrlRequest: { type: "structure", required: ["QueueName"], members: { QueueName: { shape: "Name" } } },
    GetQueueUrlResult: { type: "structure", members: { QueueUrl: { shape: "Name" } } },
  },
};

const errors: ProtocolErrors = {
  serialization: (m) => new AwsError("SerializationException", 400, m),
  validation: (v) => new AwsError("InvalidParameterException", 400, validationMessage(v)),
  unknownOperation: (n) => new AwsError("UnknownOperationException", 400, `no ${n}`),
  internal: () => new AwsError("ServiceUnavailableException", 500, "oops"),
};

describe("AwsRouter: services register themselves", () => {
  it("routes a JSON 1.1 service by signing name or X-Amz-Target prefix, checking inputs by its model", async () => {
    const calls: unknown[] = [];
    const endpoint = await serve((r) => r.addJsonService({ signingName: "logs", targetPrefix: "Logs_20140328", jsonVersion: "1.1", model, errors, operations: { CreateLogGroup: (i) => void calls.push(i) } }));
    const post = async (body: string, op = "CreateLogGroup") => {
      const res = await fetch(endpoint, { method: "POST", headers: { "x-amz-target": `Logs_20140328.${op}` }, body });
      return { status: res.status, body: await res.json() };
    };
    expect(await post('{"logGroupName":"/aws/lambda/f","extra":1}')).toEqual({ status: 200, body: {} });
    expect(calls).toEqual([{ logGroupName: "/aws/lambda/f", extra: 1 }]);
    expect(await post('{"logGroupName":"a b"}')).toEqual({
      status: 400,
      body: { __type: "InvalidParameterException", message: "1 validation error detected: Value 'a b' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+" },
    });
    expect(await post('{"tags":{"":"v"}}')).toMatchObject({ status: 400, body: { message: expect.stringContaining("Map keys must satisfy constraint: [Member must have length greater than or equal to 1]") } });
    expect(await post('{"logGroupName":5}')).toEqual({ status: 400, body: { __type: "SerializationException", message: "NUMBER_VALUE cannot be converted to String" } });
    expect(await post("{}", "DeleteLogGroup")).toEqual({ status: 400, body: { __type: "UnknownOperationException", message: "no DeleteLogGroup" } });
  });

  it("checks a union: exactly one member set, else the serialiser's error", async () => {
    const unions: ServiceModel = {
      ...model,
      operations: { PutAlarm: { input: "PutAlarmRequest" } },
      shapes: {
        PutAlarmRequest: { type: "structure", required: ["criteria"], members: { criteria: { shape: "Criteria" } } },
        Criteria: { type: "structure", union: true, members: { threshold: { shape: "Threshold" }, query: { shape: "Name" } } },
        Threshold: { type: "integer", min: 0 },
        Name: { type: "string", min: 1 },
      },
    };
    const calls: unknown[] = [];
    const endpoint = await serve((r) => r.addJsonService({ signingName: "alarms", targetPrefix: "Alarms", jsonVersion: "1.1", model: unions, errors, operations: { PutAlarm: (i) => void calls.push(i) } }));
    const post = async (body: unknown) => {
      const res = await fetch(endpoint, { method: "POST", headers: { "x-amz-target": "Alarms.PutAlarm" }, body: JSON.stringify(body) });
      return { status: res.status, body: await res.json() };
    };
    expect(await post({ criteria: { threshold: 3 } })).toEqual({ status: 200, body: {} });
    // A null member is as good as absent.
    expect(await post({ criteria: { query: "q", threshold: null } })).toEqual({ status: 200, body: {} });
    expect(calls).toEqual([{ criteria: { threshold: 3 } }, { criteria: { query: "q" } }]);
    expect(await post({ criteria: { threshold: 3, query: "q" } })).toEqual({ status: 400, body: { __type: "SerializationException", message: "encountered mixed variants in union" } });
    expect(await post({ criteria: {} })).toEqual({ status: 400, body: { __type: "SerializationException", message: "Union did not contain a valid variant." } });
    // The one member set is checked as any member is.
    expect(await post({ criteria: { threshold: -1 } })).toMatchObject({ status: 400, body: { __type: "InvalidParameterException", message: expect.stringContaining("at 'criteria.threshold' failed to satisfy constraint: Member must have value greater than or equal to 0") } });
  });

  it("serves a query/XML service from the model's wire names, and unsigned requests by path", async () => {
    const endpoint = await serve((r) =>
      r.addQueryService(
        { signingName: "q", model, errors, xmlNamespace: "urn:test", operations: { GetQueueUrl: (i) => ({ QueueUrl: `u/${i.QueueName}` }) } },
        [/^\/queues\//],
      ),
    );
    const res = await fetch(`${endpoint}/queues/x`, { method: "POST", body: "Action=GetQueueUrl&QueueName=abc" });
    expect(await res.text()).toMatch(/^<\?xml version="1.0"\?><GetQueueUrlResponse xmlns="urn:test"><GetQueueUrlResult><QueueUrl>u\/abc<\/QueueUrl><\/GetQueueUrlResult><ResponseMetadata><RequestId>[0-9a-f-]+<\/RequestId><\/ResponseMetadata><\/GetQueueUrlResponse>$/);
    const bad = await fetch(`${endpoint}/queues/x`, { method: "POST", body: "Action=GetQueueUrl" });
    expect({ status: bad.status, text: await bad.text() }).toMatchObject({ status: 400, text: expect.stringContaining("<Code>InvalidParameterException</Code>") });
  });

  it("keeps the escape hatch: a whole-service handler with its own routing", async () => {
    const endpoint = await serve((r) => r.addService("sts", (_req, res) => void res.end("sts"), { paths: [/^\/\?Action=GetCallerIdentity/] }));
    expect(await (await fetch(`${endpoint}/?Action=GetCallerIdentity`)).text()).toBe("sts");
    const unknown = await fetch(`${endpoint}/nothing`);
    expect({ status: unknown.status, type: unknown.headers.get("x-amzn-errortype") }).toEqual({ status: 400, type: "UnknownServiceException" });
  });

  it("reports an exception that is not an AwsError (a simulator bug) where it answers the 500, and not an AwsError", async () => {
    const reported: string[] = [];
    const endpoint = await serve((r) => {
      r.onInternalError = (m) => void reported.push(m);
      r.addFront({ name: "bug", pathPrefix: "/bug/", hostLabel: ".bug.", handler: async () => void (null as unknown as { x: number }).x });
      r.addService("sts", () => {
        throw new AwsError("ThrottlingException", 400, "slow down");
      }, { paths: [/^\/sts/] });
    });
    const bug = await fetch(`${endpoint}/bug/x`);
    expect([bug.status, bug.statusText, bug.headers.get("x-amzn-errortype")]).toEqual([500, "Internal Server Error", "ServiceException"]);
    expect(reported).toHaveLength(1);
    expect(reported[0]).toMatch(/^internal error answering GET \/bug\/x \(request [0-9a-f-]{36}\): TypeError: Cannot read properties of null \(reading 'x'\) \(at .*aws-router\.test\.ts:\d+:\d+\)+$/);
    expect((await fetch(`${endpoint}/sts`)).status).toBe(400);
    expect(reported).toHaveLength(1);
  });
});
