import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { startLambdaSim } from "./support/lambda-sim-process.ts";
import { HAS_PYTHON } from "./support/python.ts";

/**
 * A function that calls a service lambda-sim does not serve (DynamoDB here) reaches lambda-sim
 * through its environment's AWS_ENDPOINT_URL and is told which variable sends that service
 * elsewhere; with AWS_ENDPOINT_URL_DYNAMODB set, the SDK's calls go to that endpoint (a local
 * stand-in such as DynamoDB Local; here a fake that lists one table).
 */
const HAS_BOTO3 = HAS_PYTHON && spawnSync("python3", ["-c", "import boto3"], { stdio: "ignore" }).status === 0;

const HANDLER = `
import boto3
def handler(event, context):
    try:
        return {"tables": boto3.client("dynamodb").list_tables()["TableNames"]}
    except Exception as e:
        return {"error": str(e)}
`;

describe("services lambda-sim does not serve", () => {
  it.skipIf(!HAS_BOTO3)("tells a function's DynamoDB call which variable sends it elsewhere, and AWS_ENDPOINT_URL_DYNAMODB does (skipped without python3 and boto3)", { timeout: 90_000 }, async () => {
    const fake = createServer((req, res) => {
      req.resume();
      req.on("end", () => res.writeHead(200, { "content-type": "application/x-amz-json-1.0" }).end(JSON.stringify({ TableNames: ["orders"] })));
    });
    await new Promise<void>((r) => fake.listen(0, "127.0.0.1", r));
    const port = (fake.address() as { port: number }).port;
    const dir = mkdtempSync(join(tmpdir(), "unserved-"));
    mkdirSync(join(dir, "fn"));
    writeFileSync(join(dir, "fn", "app.py"), HANDLER);
    writeFileSync(
      join(dir, "lambda-sim.yaml"),
      [
        "functions:",
        "  plain: { runtime: python3.12, handler: app.handler, codeUri: ./fn }",
        `  local: { runtime: python3.12, handler: app.handler, codeUri: ./fn, environment: { AWS_ENDPOINT_URL_DYNAMODB: "http://127.0.0.1:${port}" } }`,
        "",
      ].join("\n"),
    );
    const sim = await startLambdaSim(["--config", join(dir, "lambda-sim.yaml"), "--in-memory"]);
    const lambda = new LambdaClient({ endpoint: sim.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
    const call = async (fn: string) => JSON.parse(Buffer.from((await lambda.send(new InvokeCommand({ FunctionName: fn }))).Payload!).toString()) as { tables?: string[]; error?: string };
    try {
      const plain = await call("plain");
      expect(plain.error).toContain("UnknownServiceException");
      expect(plain.error).toContain("lambda-sim does not simulate the service 'dynamodb'");
      expect(plain.error).toContain("set AWS_ENDPOINT_URL_DYNAMODB in the caller's environment (a function's Environment, or your shell's)");
      expect(await call("local")).toEqual({ tables: ["orders"] });
    } finally {
      lambda.destroy();
      fake.close();
      await sim.kill();
    }
  });
  it.skipIf(!HAS_BOTO3)("tells an S3 (REST-XML) or IAM (query) caller the same, in the XML its SDK reads (skipped without python3 and boto3)", { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "unserved-xml-"));
    writeFileSync(join(dir, "lambda-sim.yaml"), "functions: {}\n");
    const sim = await startLambdaSim(["--config", join(dir, "lambda-sim.yaml"), "--in-memory"]);
    try {
      const script = [
        "import boto3, sys",
        "for service, call in [('s3', 'list_buckets'), ('iam', 'list_users')]:",
        "    try:",
        "        getattr(boto3.client(service, endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='x', aws_secret_access_key='x'), call)()",
        "    except Exception as e:",
        "        print(e.response['Error']['Code'], e.response['Error']['Message'])",
      ].join("\n");
      const out = spawnSync("python3", ["-c", script, sim.endpoint], { encoding: "utf8" });
      expect(out.stdout.trim().split("\n")).toEqual([
        `UnknownServiceException lambda-sim does not simulate the service 's3' at /: to send these calls elsewhere (a local stand-in such as DynamoDB Local), set AWS_ENDPOINT_URL_S3 in the caller's environment (a function's Environment, or your shell's)`,
        `UnknownServiceException lambda-sim does not simulate the service 'iam' at /: to send these calls elsewhere (a local stand-in such as DynamoDB Local), set AWS_ENDPOINT_URL_IAM in the caller's environment (a function's Environment, or your shell's)`,
      ]);
    } finally {
      await sim.kill();
    }
  });
});
