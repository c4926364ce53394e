// bench/protocol-checks: what checking inputs against AWS's models costs per request (issue 12:
// at most 5% of the invoke and SQS API throughput), beside the time a request takes end to end
// against a simulator measured in the same run. On a loaded machine both figures move together,
// so their ratio is the number to read.
//
//   node bench/protocol-checks.ts [--quick]
//
// (1) In this process: the model checks the router runs before an operation (parse and checks
// for SQS's JSON 1.0 SendMessageBatch of 10, ReceiveMessage and DeleteMessageBatch of 10; path,
// header and query checks for Lambda's Invoke), µs per request.
// (2) Against a simulator in its own process: µs per SQS request (send 10 / receive 10 / delete
// 10 rounds, one caller) and per warm RequestResponse Invoke of a no-op Node function.
import { Agent, request } from "node:http";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AwsError, serviceModel } from "@lambda-sim/core";
import { InputChecks } from "../packages/core/src/protocols/input-checks.ts";
import { RestInputChecks } from "../packages/core/src/protocols/rest-input.ts";
import { lambdaRestSpec } from "../packages/core/src/api/lambda/lambda-protocol.ts";
import { parseJsonObject } from "../packages/core/src/protocols/aws-json.ts";
import { startSimulator } from "./support.ts";

const quick = process.argv.includes("--quick");
const CHECKS = quick ? 20_000 : 100_000;
const ROUNDS = quick ? 300 : 1_000;
const INVOKES = quick ? 1_000 : 3_000;

const errors = {
  serialization: (m: string) => new AwsError("SerializationException", 400, m),
  validation: () => new AwsError("ValidationException", 400, "x"),
  unknownOperation: () => new AwsError("UnknownOperationException", 400, "x"),
  internal: () => new AwsError("InternalError", 500, "x"),
};
const queueUrl = "http://127.0.0.1:3001/000000000000/bench";
const sqsBodies = {
  SendMessageBatch: Buffer.from(JSON.stringify({ QueueUrl: queueUrl, Entries: Array.from({ length: 10 }, (_, i) => ({ Id: `m${i}`, MessageBody: `{"round":1,"i":${i}}` })) })),
  ReceiveMessage: Buffer.from(JSON.stringify({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 30 })),
  DeleteMessageBatch: Buffer.from(JSON.stringify({ QueueUrl: queueUrl, Entries: Array.from({ length: 10 }, (_, i) => ({ Id: `m${i}`, ReceiptHandle: "x".repeat(120) })) })),
};

function timeUs(n: number, f: () => void): number {
  for (let i = 0; i < 1000; i++) f();
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) f();
  return Number(process.hrtime.bigint() - t) / 1000 / n;
}

function checkCosts() {
  const sqs = new InputChecks({ signingName: "sqs", model: serviceModel("sqs"), operations: {}, errors, enforce: { patterns: false, enums: false } }, false);
  const out: Record<string, { parse: number; parseAndCheck: number }> = {};
  for (const [op, body] of Object.entries(sqsBodies)) {
    const parse = timeUs(CHECKS, () => void parseJsonObject(body, { errors }));
    const parseAndCheck = timeUs(CHECKS, () => sqs.check(op, parseJsonObject(body, { errors })));
    out[op] = { parse, parseAndCheck };
  }
  const lambda = new RestInputChecks(lambdaRestSpec());
  const req = { method: "POST", params: { FunctionName: "noop" }, query: new URLSearchParams(""), headers: { "x-amz-invocation-type": "RequestResponse" }, body: Buffer.from("{}"), requestId: "r" };
  const invoke = timeUs(CHECKS, () => lambda.check("Invoke", req));
  return { sqs: out, invoke };
}

const agent = new Agent({ keepAlive: true, maxSockets: 4 });
function post(port: number, path: string, headers: Record<string, string>, body: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method: "POST", agent, headers: { ...headers, "Content-Length": body.length } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks).toString()) : reject(new Error(`${res.statusCode} ${Buffer.concat(chunks)}`))));
    });
    req.on("error", reject);
    req.end(body);
  });
}

async function requestCosts() {
  const dir = mkdtempSync(join(tmpdir(), "lambda-sim-bench-checks-"));
  mkdirSync(join(dir, "fn"));
  writeFileSync(join(dir, "fn", "index.mjs"), "export const handler = async () => ({ ok: true });\n");
  writeFileSync(join(dir, "lambda-sim.yaml"), `functions:\n  noop:\n    runtime: nodejs24.x\n    handler: index.handler\n    codeUri: ./fn\nqueues:\n  bench: {}\n`);
  const { child, port } = await startSimulator([], ["--config", join(dir, "lambda-sim.yaml"), "--state", join(dir, "state")]);
  try {
    const sqs = (op: string, input: unknown) => post(port, "/", { "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": `AmazonSQS.${op}` }, Buffer.from(JSON.stringify(input)));
    const QueueUrl = `http://127.0.0.1:${port}/000000000000/bench`;
    let t = process.hrtime.bigint();
    for (let r = 0; r < ROUNDS; r++) {
      await sqs("SendMessageBatch", { QueueUrl, Entries: Array.from({ length: 10 }, (_, i) => ({ Id: `m${i}`, MessageBody: `{"round":${r},"i":${i}}` })) });
      const got = JSON.parse(await sqs("ReceiveMessage", { QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 30 })) as { Messages?: { ReceiptHandle: string }[] };
      const Entries = (got.Messages ?? []).map((m, i) => ({ Id: `m${i}`, ReceiptHandle: m.ReceiptHandle }));
      if (Entries.length > 0) await sqs("DeleteMessageBatch", { QueueUrl, Entries });
    }
    const sqsUs = Number(process.hrtime.bigint() - t) / 1000 / (ROUNDS * 3);
    const invoke = () => post(port, "/2015-03-31/functions/noop/invocations", { "X-Amz-Invocation-Type": "RequestResponse" }, Buffer.from("{}"));
    for (let i = 0; i < 100; i++) await invoke();
    t = process.hrtime.bigint();
    for (let i = 0; i < INVOKES; i++) await invoke();
    const invokeUs = Number(process.hrtime.bigint() - t) / 1000 / INVOKES;
    return { sqsUs, invokeUs };
  } finally {
    child.kill("SIGTERM");
    agent.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

const checks = checkCosts();
const requests = await requestCosts();
const sqsCheck = Object.values(checks.sqs).reduce((n, c) => n + c.parseAndCheck - c.parse, 0) / 3;
console.log(`node ${process.version}: model checks per request (in process, ${CHECKS} each) beside a request end to end (same run)`);
for (const [op, c] of Object.entries(checks.sqs)) console.log(`  SQS ${op.padEnd(19)} parse ${c.parse.toFixed(2)} µs, parse + check ${c.parseAndCheck.toFixed(2)} µs (check ${(c.parseAndCheck - c.parse).toFixed(2)} µs)`);
console.log(`  Lambda Invoke        path, header and query checks ${checks.invoke.toFixed(2)} µs`);
console.log(`SQS API, one caller:    ${requests.sqsUs.toFixed(0)} µs per request; the checks are ${((100 * sqsCheck) / requests.sqsUs).toFixed(2)}% of it   (budget 5%)`);
console.log(`warm Invoke, one caller: ${requests.invokeUs.toFixed(0)} µs per request; the checks are ${((100 * checks.invoke) / requests.invokeUs).toFixed(2)}% of it   (budget 5%)`);
