import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { startLambdaSim } from "./support/lambda-sim-process.ts";
import { until } from "./support/until.ts";

/**
 * Issue 15's new user: a 300 ms function with reserved concurrency 1 behind a queue, 50 messages
 * sent quickly. The mapping's extra lanes are throttled, their messages stay in flight and reach
 * maxReceiveCount without the function ever running (aws-facts §4, §6). The console must say so,
 * message by message, and `/_sim/state` must count it.
 */
function project(): string {
  const dir = mkdtempSync(join(tmpdir(), "lambda-sim-console-"));
  writeFileSync(join(dir, "index.mjs"), `export const handler = async (event) => {
  await new Promise((r) => setTimeout(r, 300));
  for (const r of event.Records) console.log("GOT " + r.messageId);
};\n`);
  writeFileSync(
    join(dir, "lambda-sim.yaml"),
    `functions:
  work: { runtime: nodejs24.x, handler: index.handler, codeUri: ., timeout: 5, reservedConcurrency: 1 }
queues:
  work: { visibilityTimeout: 120, redrivePolicy: { deadLetterTargetArn: sqs:work-dlq, maxReceiveCount: 2 } }
  work-dlq:
eventSourceMappings:
  - { functionName: work, eventSourceArn: sqs:work, batchSize: 1 }
`,
  );
  return join(dir, "lambda-sim.yaml");
}

async function sendFifty(endpoint: string): Promise<void> {
  const sqs = new SQSClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
  for (let i = 0; i < 50; i += 10) {
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: `${endpoint}/000000000000/work`, Entries: Array.from({ length: 10 }, (_, j) => ({ Id: `m${j}`, MessageBody: `job ${i + j}` })) }));
  }
  sqs.destroy();
}

interface QueueView {
  name: string;
  visible: number;
  inflight: number;
  deadLetters: { moved: number; neverReachedFunction: number };
}

async function queues(endpoint: string): Promise<Map<string, QueueView>> {
  const state = (await (await fetch(`${endpoint}/_sim/state`)).json()) as { queues: QueueView[] };
  return new Map(state.queues.map((q) => [q.name, q]));
}

describe("the console of lambda-sim start", () => {
  it("says which messages went to the DLQ without reaching the function, and why; /_sim/state counts them", { timeout: 90_000 }, async () => {
    // 100x: the 120 s visibility timeout lasts 1.2 s of wall time; the handler's 300 ms are real.
    const sim = await startLambdaSim(["--config", project(), "--in-memory", "--time-scale", "100"]);
    await sendFifty(sim.endpoint);
    await until(async () => {
      const work = (await queues(sim.endpoint)).get("work")!;
      return work.visible === 0 && work.inflight === 0;
    }, 60_000);
    const dlq = (await (await fetch(`${sim.endpoint}/_sim/queues/work-dlq/messages`)).json()) as { messageId: string }[];
    // The console writes its lines once per turn of the simulator's event loop: the last may still be on its way.
    await until(() => dlq.every(({ messageId }) => sim.output().includes(`message ${messageId} moved from work to DLQ work-dlq`)), 15_000);
    const out = sim.output();
    const arn = "arn:aws:sqs:us-east-1:000000000000:work";
    expect(out).toContain(`lambda-sim: throttled work:$LATEST (asked by ${arn}): ReservedFunctionConcurrentInvocationLimitExceeded`);
    expect(out).toMatch(/lambda-sim: mapping work <- sqs:work: throttled, backing off/);

    expect(dlq.length).toBeGreaterThan(0);
    const ran = new Set([...out.matchAll(/GOT ([0-9a-f-]+)/g)].map((m) => m[1]));
    let neverRan = 0;
    for (const { messageId } of dlq) {
      const line = out.split("\n").find((l) => l.includes(`message ${messageId} moved from work to DLQ work-dlq`));
      expect(line).toContain("received 2 times (maxReceiveCount 2)");
      if (line!.includes("the function never ran with it: every receive was a throttled batch")) {
        neverRan++;
        expect(ran.has(messageId)).toBe(false);
      }
    }
    expect(neverRan).toBeGreaterThan(0);
    // Function log lines keep their own prefix.
    expect(out).toMatch(/^\[work\] .*GOT /m);
    expect((await queues(sim.endpoint)).get("work")!.deadLetters).toEqual({ moved: dlq.length, neverReachedFunction: neverRan, stoppedInLoop: 0 });
    await sim.kill();
  });

  it("prints no event lines with --quiet, only the function's own", { timeout: 90_000 }, async () => {
    const sim = await startLambdaSim(["--config", project(), "--in-memory", "--time-scale", "100", "--quiet"]);
    await sendFifty(sim.endpoint);
    await until(async () => {
      const work = (await queues(sim.endpoint)).get("work")!;
      return work.visible === 0 && work.inflight === 0;
    }, 60_000);
    expect((await queues(sim.endpoint)).get("work-dlq")!.visible).toBeGreaterThan(0);
    const out = sim.output();
    expect(out).toMatch(/^\[work\] .*GOT /m);
    expect(out).not.toContain("lambda-sim: throttled");
    expect(out).not.toContain("moved from work to DLQ");
    await sim.kill();
  });
});
