import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { startLambdaSim } from "./support/lambda-sim-process.ts";
import { until } from "./support/until.ts";

const codeDir = fileURLToPath(new URL("./fixtures/functions/async/", import.meta.url));
/** A `lambda-sim start`; `attempts()` lists the request ids of the START lines it printed. */
async function start(config: string, stateDir: string) {
  // 60×: the 1-minute retry delay is one wall second.
  const sim = await startLambdaSim(["--config", config, "--state", stateDir, "--time-scale", "60"]);
  return { ...sim, attempts: () => [...sim.output().matchAll(/START RequestId: (\S+)/g)].map((a) => a[1]!) };
}

const credentials = { accessKeyId: "x", secretAccessKey: "x" };

/** Invocations recorded on disk for the stored event (what a restart resumes from), read from outside. */
function storedInvocations(stateDir: string): number | undefined {
  const db = new Database(join(stateDir, "lambda-sim.db"), { readonly: true, fileMustExist: true });
  try {
    return db.prepare("SELECT invocations FROM async_events").pluck().get() as number | undefined;
  } finally {
    db.close();
  }
}

describe("async durability", () => {
  it("resumes a pending retry after SIGKILL and restart, with its attempt count and request id", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lambda-sim-async-crash-"));
    const config = join(dir, "lambda-sim.yaml");
    writeFileSync(
      config,
      [
        "functions:",
        "  flaky:",
        "    runtime: nodejs24.x",
        "    handler: index.alwaysFails",
        `    codeUri: ${codeDir}`,
        "    eventInvokeConfig: { destinationConfig: { onFailure: { destination: sqs:failed } } }",
        "queues:",
        "  failed: {}",
        "",
      ].join("\n"),
    );
    const stateDir = join(dir, "state");
    try {
      const first = await start(config, stateDir);
      const lambda = new LambdaClient({ endpoint: first.endpoint, region: "us-east-1", credentials, maxAttempts: 1 });
      expect((await lambda.send(new InvokeCommand({ FunctionName: "flaky", InvocationType: "Event", Payload: Buffer.from('{"k":1}') }))).StatusCode).toBe(202);
      lambda.destroy();
      // The first attempt failed and its retry (due a wall second later) is on disk: kill before it runs.
      await until(() => first.attempts().length === 1 && storedInvocations(stateDir) === 1, 30_000);
      await first.kill();
      expect(first.attempts()).toHaveLength(1);

      const second = await start(config, stateDir);
      const sqs = new SQSClient({ endpoint: second.endpoint, region: "us-east-1", credentials });
      let body: string | undefined;
      await until(async () => {
        const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: `${second.endpoint}/000000000000/failed`, MaxNumberOfMessages: 1, WaitTimeSeconds: 1 }));
        body = got.Messages?.[0]?.Body;
        return body !== undefined;
      }, 50_000);
      sqs.destroy();
      expect(body).toBeDefined();
      // The console writes its lines in batches (up to 16 ms): the last START line may follow the
      // destination's message by that much.
      await until(() => second.attempts().length >= 2, 5_000);
      const attempts = [...first.attempts(), ...second.attempts()];
      // Two retries after the restart, not three: the first attempt was remembered.
      expect(second.attempts()).toHaveLength(2);
      expect(new Set(attempts).size).toBe(1);
      expect(JSON.parse(body!).requestContext).toMatchObject({ requestId: attempts[0], condition: "RetriesExhausted", approximateInvokeCount: 3 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // Two server starts and three process cold starts: slow on a loaded machine. (Service time also
    // restarts at wall time, so the retry is as far ahead as the first run's scaled uptime.)
  }, 120_000);
});
