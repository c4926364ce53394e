import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { startLambdaSim } from "./support/lambda-sim-process.ts";

const codeDir = fileURLToPath(new URL("./fixtures/functions/async/", import.meta.url));
/** A `lambda-sim start`; `attempts()` lists the request ids of the START lines it printed. */
async function start(config: string, stateDir: string) {
  // 60×: the 1-minute retry delay is one wall second.
  const sim = await startLambdaSim(["--config", config, "--state", stateDir, "--time-scale", "60"]);
  return { ...sim, attempts: () => [...sim.output().matchAll(/START RequestId: (\S+)/g)].map((a) => a[1]!) };
}

const credentials = { accessKeyId: "x", secretAccessKey: "x" };

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
      while (first.attempts().length === 0) await new Promise((r) => setTimeout(r, 10));
      // The first attempt failed; its retry is due a wall second later. Kill before it runs.
      await new Promise((r) => setTimeout(r, 200));
      await first.kill();
      expect(first.attempts()).toHaveLength(1);

      const second = await start(config, stateDir);
      const sqs = new SQSClient({ endpoint: second.endpoint, region: "us-east-1", credentials });
      let body: string | undefined;
      for (let i = 0; i < 2_000 && body === undefined; i++) {
        const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: `${second.endpoint}/000000000000/failed`, MaxNumberOfMessages: 1 }));
        body = got.Messages?.[0]?.Body;
        if (body === undefined) await new Promise((r) => setTimeout(r, 25));
      }
      sqs.destroy();
      expect(body).toBeDefined();
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
