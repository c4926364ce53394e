import { execFile, spawnSync } from "node:child_process";
import { awsClientEnv } from "./aws-client-env.ts";
import { HAS_PYTHON } from "./python.ts";

const PATH = "/usr/bin:/bin";

/** Whether the system python3 (Debian's boto3 1.26, as the walkthrough used) imports boto3: the boto3 tests are skipped (and say so) otherwise. */
export const HAS_BOTO3 = HAS_PYTHON && spawnSync("python3", ["-c", "import boto3"], { stdio: "ignore", env: { PATH } }).status === 0;

/**
 * Runs a Python script (lines joined) against the simulator at `endpoint`: `ENDPOINT` in its
 * environment (boto3 1.26 reads no AWS_ENDPOINT_URL: the script passes it), and awsClientEnv's
 * fake credentials, us-east-1 and no user config.
 */
export function runBoto3(endpoint: string, lines: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...awsClientEnv(undefined, PATH), ENDPOINT: endpoint };
  return new Promise((resolve) => {
    execFile("python3", ["-c", lines.join("\n")], { env, encoding: "utf8", maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === "number" ? err.code : 1, stdout, stderr });
    });
  });
}
