import { execFile, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { sqsSource } from "@lambda-sim/sources";
import { type TestSimulator } from "@lambda-sim/core/testing";
import { perTestSimulator } from "./support/per-test-simulator.ts";
import { awsClientEnv } from "./support/aws-client-env.ts";

/**
 * SQS queue tags over the query protocol, as Debian's AWS CLI v2 (2.9) and boto3 1.26 speak it:
 * TagQueueRequest.Tags has no locationName of its own, its shape TagMap has `Tag` (flattened), so
 * botocore sends `Tag.1.Key=a&Tag.1.Value=b`, and reads ListQueueTags' `<Tag>` elements the same way.
 */
const run = promisify(execFile);
const DEBIAN_AWS = "/usr/bin/aws";
const DEBIAN_PYTHON = "/usr/bin/python3";
const script = fileURLToPath(new URL("./fixtures/clients/boto3_sqs_tags.py", import.meta.url));
const debianBoto3 = existsSync(DEBIAN_PYTHON) && spawnSync(DEBIAN_PYTHON, ["-c", "import boto3"], { stdio: "ignore" }).status === 0;

let t: TestSimulator | undefined;
/** Started by each test, closed after it. */
const sims = perTestSimulator();

/** A client process's environment (Debian's aws and python3 first on PATH). */
const clientEnv = (endpoint: string) => awsClientEnv(endpoint, "/usr/bin:/bin");

describe("SQS queue tags over the query protocol", () => {
  it.skipIf(!existsSync(DEBIAN_AWS))(`Debian's aws 2.9 tags, lists and untags a queue${existsSync(DEBIAN_AWS) ? "" : " (skipped: no /usr/bin/aws)"}`, async () => {
    t = await sims.start({ sources: [sqsSource] });
    const env = clientEnv(t.endpoint);
    // Debian's CLI 2.9 ignores AWS_ENDPOINT_URL: every call passes --endpoint-url.
    const aws = async (...args: string[]) => (await run(DEBIAN_AWS, ["--endpoint-url", t!.endpoint, "--output", "json", ...args], { env, timeout: 30_000 })).stdout;
    const url = `${t.endpoint}/000000000000/jobs.fifo`;
    await aws("sqs", "create-queue", "--queue-name", "jobs.fifo", "--attributes", "FifoQueue=true");
    expect(await aws("sqs", "tag-queue", "--queue-url", url, "--tags", "a=b,team=x")).toBe("");
    expect(JSON.parse(await aws("sqs", "list-queue-tags", "--queue-url", url))).toEqual({ Tags: { a: "b", team: "x" } });
    await aws("sqs", "untag-queue", "--queue-url", url, "--tag-keys", "a");
    expect(JSON.parse(await aws("sqs", "list-queue-tags", "--queue-url", url))).toEqual({ Tags: { team: "x" } });
  }, 90_000);

  it.skipIf(!debianBoto3)(`boto3 1.26 (Debian's) tags, lists and untags a queue${debianBoto3 ? "" : " (skipped: no boto3 in /usr/bin/python3)"}`, async () => {
    t = await sims.start({ sources: [sqsSource] });
    const { stdout } = await run(DEBIAN_PYTHON, [script], { env: clientEnv(t.endpoint), timeout: 30_000 });
    const out = JSON.parse(stdout) as { protocol: string };
    expect(out).toEqual({ protocol: out.protocol, tagged: { made: "create", team: "a", env: "dev" }, untagged: { team: "a" } });
  }, 40_000);
});
