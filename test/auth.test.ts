import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvokeCommand, LambdaClient, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { CreateQueueCommand, ListQueuesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { KinesisClient, ListStreamsCommand } from "@aws-sdk/client-kinesis";
import { SignatureV4 } from "@smithy/signature-v4";
import { Sha256 } from "./support/sha256.ts";
import { kinesisSource, sqsSource } from "@lambda-sim/sources";
import { startTestSimulator, type TestSimulator } from "@lambda-sim/core/testing";
import type { FunctionDefinition } from "@lambda-sim/core";
import { fileURLToPath } from "node:url";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startLambdaSim } from "./support/lambda-sim-process.ts";

// --auth: every AWS API request is checked against AWS Signature Version 4, as AWS does, and a
// refusal carries the code each protocol gives it.

const GOOD = { accessKeyId: "AKIDLAMBDASIMTEST001", secretAccessKey: "right-secret" };
const WRONG_SECRET = { accessKeyId: GOOD.accessKeyId, secretAccessKey: "wrong-secret" };
const UNKNOWN_KEY = { accessKeyId: "AKIDNOBODYKNOWSTHIS0", secretAccessKey: "right-secret" };
const STALE = -20 * 60_000; // a client clock 20 minutes slow: beyond AWS's 15-minute skew

const codeDir = fileURLToPath(new URL("./fixtures/functions/echo-sdk-call/", import.meta.url));
const caller: FunctionDefinition = { functionName: "lists-queues", runtime: "nodejs24.x", handler: "index.handler", codeDir, timeout: 10 };

let t: TestSimulator;
beforeAll(async () => {
  t = await startTestSimulator({ auth: true, credentials: [GOOD], sources: [sqsSource, kinesisSource], functions: [caller] });
});
afterAll(() => t.close());

type Creds = typeof GOOD;
const config = (credentials: Creds, systemClockOffset = 0) => ({ endpoint: t.endpoint, region: "us-east-1", credentials, maxAttempts: 1, systemClockOffset });

/** The error a call ends with: its name (the code as the SDK read it) and HTTP status. */
async function failure(p: Promise<unknown>): Promise<{ name: string; status: number | undefined; message: string }> {
  try {
    await p;
  } catch (e) {
    const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: err.name, status: err.$metadata?.httpStatusCode, message: err.message };
  }
  throw new Error("the call succeeded");
}

describe("--auth on Lambda (REST-JSON)", () => {
  it("passes the right key; refuses a wrong secret, an unknown key and a stale date with AWS's codes", async () => {
    const ok = new LambdaClient(config(GOOD));
    expect((await ok.send(new ListFunctionsCommand({}))).Functions?.map((f) => f.FunctionName)).toContain("lists-queues");
    expect(await failure(new LambdaClient(config(WRONG_SECRET)).send(new ListFunctionsCommand({})))).toMatchObject({ name: "InvalidSignatureException", status: 403, message: expect.stringContaining("does not match the signature you provided") });
    expect(await failure(new LambdaClient(config(UNKNOWN_KEY)).send(new ListFunctionsCommand({})))).toMatchObject({ name: "UnrecognizedClientException", status: 403, message: "The security token included in the request is invalid." });
    const stale = await failure(new LambdaClient(config(GOOD, STALE)).send(new ListFunctionsCommand({})));
    expect(stale).toMatchObject({ name: "InvalidSignatureException", status: 403 });
    expect(stale.message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/);
  });

  it("signs a function name with characters encoded in the path (an ARN) as the SDK does", async () => {
    const ok = new LambdaClient(config(GOOD));
    const out = await ok.send(new InvokeCommand({ FunctionName: "arn:aws:lambda:us-east-1:000000000000:function:lists-queues", Payload: Buffer.from("{}") }));
    expect(out.FunctionError).toBeUndefined();
  });

  it("gives function code the credentials, so its own SDK calls to the simulator pass", async () => {
    const ok = new LambdaClient(config(GOOD));
    const out = await ok.send(new InvokeCommand({ FunctionName: "lists-queues", Payload: Buffer.from("{}") }));
    expect(out.FunctionError).toBeUndefined();
    expect(JSON.parse(Buffer.from(out.Payload!).toString())).toMatchObject({ ok: true });
  });
});

describe("--auth on SQS (JSON and query protocols)", () => {
  it("JSON: passes the right key; a wrong secret is SignatureDoesNotMatch, an unknown key InvalidClientTokenId", async () => {
    await new SQSClient(config(GOOD)).send(new CreateQueueCommand({ QueueName: "signed" }));
    expect(await failure(new SQSClient(config(WRONG_SECRET)).send(new ListQueuesCommand({})))).toMatchObject({ name: "SignatureDoesNotMatch" });
    expect(await failure(new SQSClient(config(UNKNOWN_KEY)).send(new ListQueuesCommand({})))).toMatchObject({ name: "InvalidClientTokenId" });
    const stale = await failure(new SQSClient(config(GOOD, STALE)).send(new ListQueuesCommand({})));
    expect(stale).toMatchObject({ name: "SignatureDoesNotMatch", message: expect.stringMatching(/^Signature expired: /) });
  });

  it("query: a header-signed form POST and a presigned GET pass; a wrong secret gets SignatureDoesNotMatch in XML", async () => {
    const body = "Action=ListQueues&Version=2012-11-05";
    const post = await signedFetch(GOOD, { method: "POST", path: "/", body, headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(post.status).toBe(200);
    expect(await post.text()).toContain("<ListQueuesResult>");
    const presigned = await presignedFetch(GOOD, "/000000000000/signed", { Action: "GetQueueAttributes", Version: "2012-11-05", "AttributeName.1": "All" });
    expect(presigned.status).toBe(200);
    expect(await presigned.text()).toContain("<GetQueueAttributesResult>");
    const wrong = await signedFetch(WRONG_SECRET, { method: "POST", path: "/", body, headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(wrong.status).toBe(403);
    expect(await wrong.text()).toMatch(/<Code>SignatureDoesNotMatch<\/Code>/);
    const unknown = await presignedFetch(UNKNOWN_KEY, "/", { Action: "ListQueues", Version: "2012-11-05" });
    expect(await unknown.text()).toMatch(/<Code>InvalidClientTokenId<\/Code>/);
  });

  it("query: a presigned URL past its X-Amz-Expires is refused", async () => {
    const old = await presignedFetch(GOOD, "/", { Action: "ListQueues", Version: "2012-11-05" }, { expiresIn: 60, signingDate: new Date(Date.now() - 5 * 60_000) });
    expect(old.status).toBe(403);
    expect(await old.text()).toMatch(/<Code>SignatureDoesNotMatch<\/Code><Message>Signature expired: /);
  });
});

describe("--auth on Kinesis (JSON 1.1 over HTTP/2)", () => {
  it("passes the right key; a wrong secret, an unknown key and a stale date get AWS's 400s", async () => {
    expect((await new KinesisClient(config(GOOD)).send(new ListStreamsCommand({}))).StreamNames).toEqual([]);
    expect(await failure(new KinesisClient(config(WRONG_SECRET)).send(new ListStreamsCommand({})))).toMatchObject({ name: "InvalidSignatureException", status: 400 });
    expect(await failure(new KinesisClient(config(UNKNOWN_KEY)).send(new ListStreamsCommand({})))).toMatchObject({ name: "UnrecognizedClientException", status: 400 });
    expect(await failure(new KinesisClient(config(GOOD, STALE)).send(new ListStreamsCommand({})))).toMatchObject({ name: "InvalidSignatureException", message: expect.stringMatching(/^Signature expired: /) });
  });

  it("answers in JSON with no query-compatible error header (boto3 would read its code from it)", async () => {
    const res = await signedFetch(WRONG_SECRET, { method: "POST", path: "/", body: "{}", headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "Kinesis_20131202.ListStreams" } }, "kinesis");
    expect(res.status).toBe(400);
    expect(res.headers.get("x-amzn-query-error")).toBeNull();
    expect(await res.json()).toEqual({ __type: "InvalidSignatureException", message: expect.stringContaining("does not match") });
  });
});

describe("--auth on /_sim", () => {
  it("leaves /_sim/health open and wants the secret as a bearer token elsewhere", async () => {
    expect((await fetch(`${t.endpoint}/_sim/health`)).status).toBe(200);
    const anonymous = await fetch(`${t.endpoint}/_sim/state`);
    expect(anonymous.status).toBe(401);
    expect((await fetch(`${t.endpoint}/_sim/state`, { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
    const bearer = await fetch(`${t.endpoint}/_sim/state`, { headers: { authorization: `Bearer ${GOOD.secretAccessKey}` } });
    expect(bearer.status).toBe(200);
    expect(await bearer.json()).toMatchObject({ functions: ["lists-queues"] });
  });
});

describe("--auth and the address bound", () => {
  it("allows a non-loopback host with --auth and refuses it without", async () => {
    await expect(startTestSimulator({ host: "0.0.0.0" })).rejects.toThrow("without --auth");
    await expect(startTestSimulator({ host: "0.0.0.0", auth: true })).rejects.toThrow("--auth needs credentials");
    const open = await startTestSimulator({ host: "0.0.0.0", auth: true, credentials: [GOOD] });
    try {
      expect((await fetch(`http://127.0.0.1:${open.sim.port}/_sim/health`)).status).toBe(200);
    } finally {
      await open.close();
    }
  });
});


function signer(creds: Creds, service = "sqs"): SignatureV4 {
  return new SignatureV4({ credentials: creds, region: "us-east-1", service, sha256: Sha256 });
}

function requestFor(method: string, path: string, query: Record<string, string>, headers: Record<string, string>, body?: string) {
  const url = new URL(t.endpoint);
  return { method, protocol: "http:", hostname: url.hostname, port: Number(url.port), path, query, headers: { host: url.host, ...headers }, body };
}

async function signedFetch(creds: Creds, r: { method: string; path: string; body: string; headers: Record<string, string> }, service = "sqs"): Promise<Response> {
  const signed = await signer(creds, service).sign(requestFor(r.method, r.path, {}, r.headers, r.body));
  const { host: _host, ...headers } = signed.headers as Record<string, string>;
  return fetch(`${t.endpoint}${r.path}`, { method: r.method, headers, body: r.body });
}

async function presignedFetch(creds: Creds, path: string, query: Record<string, string>, opts: { expiresIn?: number; signingDate?: Date } = {}): Promise<Response> {
  const signed = await signer(creds).presign(requestFor("GET", path, query, {}), opts);
  const qs = Object.entries(signed.query as Record<string, string>)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join("&");
  return fetch(`${t.endpoint}${path}?${qs}`);
}

describe("--auth with the keys in lambda-sim.yaml", () => {
  it("takes auth.credentials from the file: the SDK signing with them passes, a wrong secret and an unsigned request are refused, functions get the first key", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lambda-sim-auth-yaml-"));
    try {
      const file = join(dir, "lambda-sim.yaml");
      const FILE_KEY = { accessKeyId: "AKIDFROMTHEYAMLFILE1", secretAccessKey: "yaml/secret+1" };
      writeFileSync(
        file,
        [
          "functions:",
          `  lists-queues: { runtime: nodejs24.x, handler: index.handler, codeUri: ${codeDir}, timeout: 10 }`,
          "auth:",
          "  credentials:",
          `    - { accessKeyId: ${FILE_KEY.accessKeyId}, secretAccessKey: "${FILE_KEY.secretAccessKey}" }`,
          `    - { accessKeyId: ${GOOD.accessKeyId}, secretAccessKey: ${GOOD.secretAccessKey} }`,
          "",
        ].join("\n"),
      );
      // No LAMBDA_SIM_* keys in the environment: the file's are the only ones.
      const sim = await startLambdaSim(["--config", file, "--in-memory", "--auth"], { LAMBDA_SIM_ACCESS_KEY_ID: "", LAMBDA_SIM_SECRET_ACCESS_KEY: "" });
      const client = (credentials: Creds) => new LambdaClient({ endpoint: sim.endpoint, region: "us-east-1", credentials, maxAttempts: 1 });
      expect((await client(FILE_KEY).send(new ListFunctionsCommand({}))).Functions?.map((f) => f.FunctionName)).toEqual(["lists-queues"]);
      expect((await client(GOOD).send(new ListFunctionsCommand({}))).Functions).toHaveLength(1);
      expect(await failure(client({ ...FILE_KEY, secretAccessKey: "not-the-file's" }).send(new ListFunctionsCommand({})))).toMatchObject({ name: "InvalidSignatureException", status: 403 });
      const unsigned = await fetch(`${sim.endpoint}/2015-03-31/functions/`);
      expect({ status: unsigned.status, type: unsigned.headers.get("x-amzn-errortype") }).toMatchObject({ status: 403, type: expect.any(String) });
      // The function's own SDK call, signed with what the simulator put in its environment.
      const out = await client(FILE_KEY).send(new InvokeCommand({ FunctionName: "lists-queues", Payload: Buffer.from("{}") }));
      expect(out.FunctionError).toBeUndefined();
      expect(JSON.parse(Buffer.from(out.Payload!).toString())).toMatchObject({ ok: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
