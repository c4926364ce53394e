import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AddPermissionCommand,
  CreateFunctionUrlConfigCommand,
  DeleteFunctionCommand,
  DeleteFunctionUrlConfigCommand,
  GetFunctionUrlConfigCommand,
  GetPolicyCommand,
  LambdaClient,
  ListFunctionUrlConfigsCommand,
  ResourceConflictException,
  ResourceNotFoundException,
  UpdateFunctionUrlConfigCommand,
} from "@aws-sdk/client-lambda";
import { functionUrlsSource } from "@lambda-sim/sources";
import { startTestSimulator, type TestSimulator } from "@lambda-sim/core/testing";
import type { FunctionDefinition } from "@lambda-sim/core";
import { httpCall } from "./support/http-call.ts";

const codeDir = fileURLToPath(new URL("./fixtures/functions/node-function-url/", import.meta.url));
const PINNED = "0123456789abcdefghijklmnopqrstuv";
const fn = (functionName: string, handler: string, extra: Partial<FunctionDefinition> = {}): FunctionDefinition => ({ functionName, runtime: "nodejs24.x", handler: `index.${handler}`, codeDir, timeout: 5, ...extra });
const FUNCTIONS = [
  fn("echo", "echo"),
  fn("plain", "plain"),
  fn("fail", "fail"),
  fn("binary", "binary"),
  fn("throttled", "plain", { reservedConcurrency: 0, functionUrl: { authType: "NONE" } }),
  // A pinned id, as a SAM template's FunctionUrlConfig gets (a stable id derived from the stack).
  fn("pinned", "plain", { functionUrl: { authType: "NONE", urlId: PINNED } }),
  fn("declared", "plain", { functionUrl: { authType: "NONE", cors: { AllowOrigins: ["https://app.example"], AllowMethods: ["GET", "POST"], AllowHeaders: ["x-api-key"], MaxAge: 300, ExposeHeaders: ["x-total"] } } }),
];

let t: TestSimulator;
let lambda: LambdaClient;
let state: string;

beforeAll(async () => {
  state = mkdtempSync(join(tmpdir(), "function-urls-"));
  t = await startTestSimulator({ stateDir: state, functions: FUNCTIONS, sources: [functionUrlsSource] });
  lambda = new LambdaClient(t.clientConfig);
});

afterAll(async () => {
  lambda?.destroy();
  await t?.close();
  rmSync(state, { recursive: true, force: true });
});

const idOf = (url: string) => /^http:\/\/([a-z0-9]{32})\.lambda-url\.us-east-1\.localhost:\d+\/$/.exec(url)![1]!;

async function urlFor(name: string): Promise<string> {
  const existing = await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: name })).catch(() => undefined);
  const url = existing?.FunctionUrl ?? (await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: name, AuthType: "NONE" }))).FunctionUrl!;
  return `${t.endpoint}/_aws/lambda-url/${idOf(url)}`;
}

describe("Function URL configs on the Lambda API", () => {
  it("creates, reads, updates, lists and deletes a URL config as AWS answers", async () => {
    const created = await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: "plain", AuthType: "AWS_IAM", Cors: { AllowOrigins: ["*"] } }));
    expect(created.$metadata.httpStatusCode).toBe(201);
    expect(created).toMatchObject({ FunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:plain", AuthType: "AWS_IAM", Cors: { AllowOrigins: ["*"] }, InvokeMode: "BUFFERED" });
    expect(created.FunctionUrl).toMatch(new RegExp(`^http://[a-z0-9]{32}\\.lambda-url\\.us-east-1\\.localhost:${new URL(t.endpoint).port}/$`));
    const again = lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: "plain", AuthType: "NONE" }));
    await expect(again).rejects.toBeInstanceOf(ResourceConflictException);
    await expect(again).rejects.toThrow("Failed to create function url config for [functionArn = arn:aws:lambda:us-east-1:000000000000:function:plain]. Error message:  FunctionUrlConfig exists for this Lambda function");

    const got = await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: "plain" }));
    expect(got).toMatchObject({ FunctionUrl: created.FunctionUrl, CreationTime: created.CreationTime, LastModifiedTime: created.CreationTime });
    const updated = await lambda.send(new UpdateFunctionUrlConfigCommand({ FunctionName: "plain", AuthType: "NONE", InvokeMode: "RESPONSE_STREAM" }));
    expect(updated).toMatchObject({ FunctionUrl: created.FunctionUrl, AuthType: "NONE", InvokeMode: "RESPONSE_STREAM", Cors: { AllowOrigins: ["*"] } });

    const listed = await lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: "plain" }));
    expect(listed.FunctionUrlConfigs?.map((c) => c.FunctionUrl)).toEqual([created.FunctionUrl]);

    await lambda.send(new DeleteFunctionUrlConfigCommand({ FunctionName: "plain" }));
    const gone = lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: "plain" }));
    await expect(gone).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(gone).rejects.toThrow("The resource you requested does not exist.");
  });

  it("refuses $LATEST or a version as qualifier, and a missing function", async () => {
    await expect(lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: "plain", Qualifier: "$LATEST" }))).rejects.toMatchObject({ name: "ValidationException", $metadata: { httpStatusCode: 400 } });
    await expect(lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: "plain:1", AuthType: "NONE" }))).rejects.toMatchObject({ name: "ValidationException" });
    await expect(lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: "nope", AuthType: "NONE" }))).rejects.toThrow("Function does not exist");
    await expect(lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: "plain", AuthType: "OPEN" as "NONE" }))).rejects.toMatchObject({ name: "ValidationException" });
  });

  it("accepts AddPermission for lambda:InvokeFunctionUrl and returns the statement in GetPolicy", async () => {
    const out = await lambda.send(new AddPermissionCommand({ FunctionName: "echo", StatementId: "FunctionURLAllowPublicAccess", Action: "lambda:InvokeFunctionUrl", Principal: "*", FunctionUrlAuthType: "NONE" }));
    expect(JSON.parse(out.Statement!)).toEqual({
      Sid: "FunctionURLAllowPublicAccess",
      Effect: "Allow",
      Principal: "*",
      Action: "lambda:InvokeFunctionUrl",
      Resource: "arn:aws:lambda:us-east-1:000000000000:function:echo",
      Condition: { StringEquals: { "lambda:FunctionUrlAuthType": "NONE" } },
    });
    const policy = JSON.parse((await lambda.send(new GetPolicyCommand({ FunctionName: "echo" }))).Policy!);
    expect(policy.Statement.map((s: { Sid: string }) => s.Sid)).toEqual(["FunctionURLAllowPublicAccess"]);
    await expect(lambda.send(new AddPermissionCommand({ FunctionName: "echo", StatementId: "FunctionURLAllowPublicAccess", Action: "lambda:InvokeFunctionUrl", Principal: "*" }))).rejects.toBeInstanceOf(ResourceConflictException);
  });
});

describe("calling a Function URL", () => {
  it("sends the payload format 2.0 event, field by field", async () => {
    const base = await urlFor("echo");
    const res = await httpCall(`${base}/my/path?parameter1=value1&parameter1=value2&parameter2=value`, {
      method: "POST",
      headers: { "content-type": "text/plain", cookie: ["cookie1=value1", "cookie2=value2"], "x-multi": ["a", "b"], "user-agent": "agent/1.0" },
      body: "Hello from client!",
    });
    expect(res.status).toBe(200);
    expect(res.headers["set-cookie"]).toEqual(["seen=1; Path=/"]);
    const e = res.json();
    const urlId = base.split("/").at(-1)!;
    const port = new URL(t.endpoint).port;
    // AWS's documented example (urls-invocation, "Request payload format"), field by field: no
    // authorizer for AuthType NONE, accountId "anonymous"; the headers are the client's own
    // (node:http adds host, connection and content-length), then those Lambda adds (aws-facts §10.3).
    expect(e).toEqual({
      version: "2.0",
      routeKey: "$default",
      rawPath: "/my/path",
      rawQueryString: "parameter1=value1&parameter1=value2&parameter2=value",
      cookies: ["cookie1=value1", "cookie2=value2"],
      headers: {
        "content-type": "text/plain",
        "x-multi": "a,b",
        "user-agent": "agent/1.0",
        host: `127.0.0.1:${port}`,
        connection: "close",
        "content-length": "18",
        "x-amzn-tls-cipher-suite": "ECDHE-RSA-AES128-GCM-SHA256",
        "x-amzn-tls-version": "TLSv1.2",
        "x-amzn-trace-id": expect.stringMatching(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/),
        "x-forwarded-for": "127.0.0.1",
        "x-forwarded-port": port,
        "x-forwarded-proto": "http",
      },
      queryStringParameters: { parameter1: "value1,value2", parameter2: "value" },
      requestContext: {
        accountId: "anonymous",
        apiId: urlId,
        authentication: null,
        domainName: `${urlId}.lambda-url.us-east-1.localhost:${port}`,
        domainPrefix: urlId,
        http: { method: "POST", path: "/my/path", protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "agent/1.0" },
        requestId: res.headers["x-amzn-requestid"],
        routeKey: "$default",
        stage: "$default",
        time: expect.stringMatching(/^\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000$/),
        timeEpoch: expect.any(Number),
      },
      body: "Hello from client!",
      isBase64Encoded: false,
      pathParameters: null,
      stageVariables: null,
    });
  });

  it("answers on the host form too (curl, and any Host)", async () => {
    const base = await urlFor("echo");
    const urlId = base.split("/").at(-1)!;
    const port = new URL(t.endpoint).port;
    const { stdout } = await promisify(execFile)("curl", ["-s", "-H", `Host: ${urlId}.lambda-url.us-east-1.localhost:${port}`, `${t.endpoint}/hello?x=1`]);
    const e = JSON.parse(stdout);
    expect([e.rawPath, e.rawQueryString, e.requestContext.domainName]).toEqual(["/hello", "x=1", `${urlId}.lambda-url.us-east-1.localhost:${port}`]);
  });

  it("reads the answer as payload 2.0: plain objects, base64 bodies, failures", async () => {
    const plain = await fetch(`${await urlFor("plain")}/`);
    expect([plain.status, plain.headers.get("content-type"), await plain.json()]).toEqual([200, "application/json", { hello: "world" }]);
    const binary = await fetch(`${await urlFor("binary")}/`);
    expect([...new Uint8Array(await binary.arrayBuffer())]).toEqual([0, 1, 2, 255]);
    const fail = await fetch(`${await urlFor("fail")}/`);
    expect([fail.status, await fail.text()]).toEqual([502, "Internal Server Error"]);
    const throttled = await fetch(`${await urlFor("throttled")}/`);
    expect([throttled.status, throttled.headers.get("x-amzn-errortype")]).toEqual([429, "TooManyRequestsException"]);
    const none = await fetch(`${t.endpoint}/_aws/lambda-url/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/`);
    expect([none.status, await none.text(), none.headers.get("x-amzn-errortype")]).toEqual([403, '{"Message":null}', "AccessDeniedException"]);
  });
});

describe("functionUrl: in lambda-sim.yaml", () => {
  it("answers CORS preflights itself and puts the configured headers on answers", async () => {
    const url = (await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: "declared" }))).FunctionUrl!;
    const base = `${t.endpoint}/_aws/lambda-url/${idOf(url)}`;
    const pre = await fetch(`${base}/items`, { method: "OPTIONS", headers: { origin: "https://app.example", "access-control-request-method": "POST", "access-control-request-headers": "x-api-key" } });
    expect(pre.status).toBe(204);
    expect(Object.fromEntries([...pre.headers].filter(([k]) => k.startsWith("access-control-")))).toEqual({
      "access-control-allow-origin": "https://app.example",
      "access-control-allow-methods": "GET,POST",
      "access-control-allow-headers": "x-api-key",
      "access-control-max-age": "300",
    });
    const get = await fetch(`${base}/items`, { headers: { origin: "https://app.example" } });
    expect([get.status, get.headers.get("access-control-allow-origin"), get.headers.get("access-control-expose-headers")]).toEqual([200, "https://app.example", "x-total"]);
    const other = await fetch(`${base}/items`, { headers: { origin: "https://elsewhere.example" } });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("a function's URL goes with the function", async () => {
    const id = idOf((await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: "binary" }))).FunctionUrl!);
    await lambda.send(new DeleteFunctionCommand({ FunctionName: "binary" }));
    expect((await fetch(`${t.endpoint}/_aws/lambda-url/${id}/`)).status).toBe(403);
  });

  it("keeps every URL's address across a restart of the same state", async () => {
    const before = await lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: "declared" }));
    const echoBefore = await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: "echo" })).catch(async () => lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: "echo", AuthType: "NONE" })));
    const port = Number(new URL(t.endpoint).port);
    lambda.destroy();
    await t.close();
    t = await startTestSimulator({ stateDir: state, functions: FUNCTIONS, sources: [functionUrlsSource], port });
    lambda = new LambdaClient(t.clientConfig);
    const after = await lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: "declared" }));
    expect(after.FunctionUrlConfigs![0]!.FunctionUrl).toBe(before.FunctionUrlConfigs![0]!.FunctionUrl);
    expect((await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: "echo" }))).FunctionUrl).toBe(echoBefore.FunctionUrl);
    const res = await fetch(`${t.endpoint}/_aws/lambda-url/${idOf(echoBefore.FunctionUrl!)}/again`);
    expect(((await res.json()) as { rawPath: string }).rawPath).toBe("/again");
  });

  it("keeps a declared URL with a pinned id on every restart, not every second one", async () => {
    const port = Number(new URL(t.endpoint).port);
    for (let start = 0; start < 3; start++) {
      const got = await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: "pinned" }));
      expect(idOf(got.FunctionUrl!), `start ${start}`).toBe(PINNED);
      expect((await fetch(`${t.endpoint}/_aws/lambda-url/${PINNED}/`)).status, `start ${start}`).toBe(200);
      lambda.destroy();
      await t.close();
      t = await startTestSimulator({ stateDir: state, functions: FUNCTIONS, sources: [functionUrlsSource], port });
      lambda = new LambdaClient(t.clientConfig);
    }
  });
});
