import { execFile, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { sqsSource } from "@lambda-sim/sources";
import { type TestSimulator } from "@lambda-sim/core/testing";
import { perTestSimulator } from "./support/per-test-simulator.ts";
import { awsClientEnv } from "./support/aws-client-env.ts";

/**
 * SQS through a client users actually run besides the JS SDK: boto3, as a separate process.
 * Whichever protocol its version speaks (JSON since late 2023; the query protocol before, as
 * Debian bookworm's boto3 1.26 does), the answers must parse. .ci/run installs python3-boto3; a
 * machine without it skips, saying so in the test name. (The aws CLI takes 2-9 s per call on a
 * loaded machine: too slow for the suite; it shares botocore's protocol code with boto3.)
 */
const run = promisify(execFile);
const md5 = (s: string) => createHash("md5").update(s).digest("hex");
const script = fileURLToPath(new URL("./fixtures/clients/boto3_sqs.py", import.meta.url));

/** The first Python that can import boto3: $PYTHON, python3 on PATH, then Debian's own. */
function pythonWithBoto3(): string | undefined {
  const candidates = [process.env.PYTHON, "python3", "/usr/bin/python3"].filter((c): c is string => c !== undefined && c !== "");
  return candidates.find((py) => spawnSync(py, ["-c", "import boto3"], { stdio: "ignore" }).status === 0);
}

const python = pythonWithBoto3();

let t: TestSimulator | undefined;
/** Started by each test, closed after it. */
const sims = perTestSimulator();

/** Environment for a client process: the simulator's endpoint and fake credentials, no user config. */
const clientEnv = (endpoint: string) => awsClientEnv(endpoint);

describe("SQS from boto3", () => {
  it.skipIf(python === undefined)(`boto3 creates a queue, sends, receives with attributes and deletes${python === undefined ? " (skipped: no python3 with boto3 here)" : ""}`, async () => {
    t = await sims.start({ sources: [sqsSource] });
    const { stdout } = await run(python!, [script], { env: clientEnv(t.endpoint), timeout: 20_000 });
    expect(JSON.parse(stdout)).toEqual({
      url: `${t.endpoint}/000000000000/boto3-queue`,
      md5: md5("hello from boto3"),
      batchSent: 3,
      bodies: ["batch 0", "batch 1", "batch 2", "hello from boto3"],
      author: "Ada",
      receiveCount: "1",
      deleted: 4,
      visibility: "45",
      left: "0",
      missing: "AWS.SimpleQueueService.NonExistentQueue",
    });
  }, 30_000);
});
