import type { ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterEach, describe, expect, it } from "vitest";
import { startLambdaSim, type LambdaSimProcess } from "./support/lambda-sim-process.ts";
import { startTail } from "./support/tail-process.ts";
import { until } from "./support/until.ts";

/**
 * newuser14 F20: a message whose every receive was throttled, in flight with its last receive
 * when the simulator stops, is moved to the DLQ as the simulator starts again. The reconnecting
 * tail shows the move (once), a tail started afterwards shows it too, and the line and
 * `/_sim/state` still say it never reached the function: that is kept with the message in SQLite.
 */
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
});

// A fixed port, so the restarted simulator is where tail looks for it.
const PORT = "3661";

function project(): { config: string; state: string } {
  const dir = mkdtempSync(join(tmpdir(), "lambda-sim-tail-dlq-restart-"));
  // Reserved concurrency 0: every batch the mapping takes is throttled (aws-facts §4), so the
  // message reaches maxReceiveCount without the function ever running.
  writeFileSync(
    join(dir, "lambda-sim.yaml"),
    [
      "functions:",
      "  work: { runtime: model, model: { durationMs: 5 }, reservedConcurrency: 0 }",
      "queues:",
      "  jobs: { visibilityTimeout: 60, redrivePolicy: { deadLetterTargetArn: sqs:jobs-dlq, maxReceiveCount: 2 } }",
      "  jobs-dlq: {}",
      "eventSourceMappings:",
      "  - { functionName: work, eventSourceArn: sqs:jobs, batchSize: 1 }",
      "",
    ].join("\n"),
  );
  return { config: join(dir, "lambda-sim.yaml"), state: join(dir, ".sim") };
}

/** SIGTERM, as Ctrl-C in the simulator's terminal; resolved once it has gone. */
function stop(sim: LambdaSimProcess): Promise<void> {
  const gone = new Promise<void>((r) => sim.child.once("exit", () => r()));
  sim.child.kill("SIGTERM");
  return gone;
}

interface StoredMessage {
  messageId: string;
  receiveCount: number;
  visible: boolean;
}

const peek = async (endpoint: string, queue: string) => (await (await fetch(`${endpoint}/_sim/queues/${queue}/messages`)).json()) as StoredMessage[];

describe("lambda-sim tail and a DLQ move as the simulator starts again", () => {
  it("shows the move after reconnecting and to a tail started later, once each, still saying the function never ran", { timeout: 240_000 }, async () => {
    const { config, state } = project();
    // On the virtual clock: the 60 s visibility timeout passes only when the test advances it, so
    // the simulator stops between two receives, and the next receive comes after the restart.
    const args = ["--port", PORT, "--config", config, "--state", state, "--clock", "virtual"];
    const advance = (endpoint: string, seconds: number) =>
      fetch(`${endpoint}/_sim/clock/advance`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ seconds }) }).then((r) => expect(r.status).toBe(200));
    const first = await startLambdaSim(args);
    const following = startTail(["--endpoint", first.endpoint], children);
    await until(() => following.err().includes("following"), 60_000);

    const sqs = new SQSClient({ endpoint: first.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
    const { MessageId } = await sqs.send(new SendMessageCommand({ QueueUrl: `${first.endpoint}/000000000000/jobs`, MessageBody: "good order" }));
    sqs.destroy();
    const id = MessageId!;
    // Its first receive, throttled (the mapping takes it at once); then the visibility timeout.
    await until(async () => (await peek(first.endpoint, "jobs")).some((m) => m.messageId === id && m.receiveCount === 1 && !m.visible), 60_000);
    await advance(first.endpoint, 61);
    // Its second receive, throttled like the first: in flight now, moved at the next receive.
    await until(async () => (await peek(first.endpoint, "jobs")).some((m) => m.messageId === id && m.receiveCount === 2 && !m.visible), 60_000);
    await stop(first);
    expect(first.output()).not.toContain("moved from jobs");
    await until(() => following.err().includes("reconnecting"), 30_000);

    const second = await startLambdaSim(args);
    // Still in flight: moved at the receive after its visibility timeout, not before.
    expect((await peek(second.endpoint, "jobs")).map((m) => [m.messageId, m.receiveCount, m.visible])).toEqual([[id, 2, false]]);
    await advance(second.endpoint, 61);
    const line = `message ${id.slice(0, 8)} moved from jobs to DLQ jobs-dlq: received 2 times (maxReceiveCount 2); never reached the function: every receive was throttled`;
    await until(() => following.out().includes(line), 60_000);
    expect(second.output()).toContain(`message ${id} moved from jobs to DLQ jobs-dlq: received 2 times (maxReceiveCount 2); the function never ran with it: every receive was a throttled batch`);
    const queues = ((await (await fetch(`${second.endpoint}/_sim/state`)).json()) as { queues: { name: string; deadLetters: { moved: number; neverReachedFunction: number } }[] }).queues;
    expect(queues.find((q) => q.name === "jobs")!.deadLetters).toMatchObject({ moved: 1, neverReachedFunction: 1 });

    // A tail opened now lists it from the snapshot's recent events, as the page does.
    const later = startTail(["--endpoint", second.endpoint], children);
    await until(() => later.out().includes(line), 60_000);
    expect(later.err()).toContain("messages moved to a dead-letter queue before tail connected");

    // Neither prints it twice: live events after the move do not bring it back.
    const r = await fetch(`${second.endpoint}/2015-03-31/functions/work/invocations`, { method: "POST", body: "{}" });
    expect(r.status).toBe(429);
    await until(() => following.out().includes("throttled work") && later.out().includes("throttled work"), 30_000);
    expect(following.out().split(line).length - 1).toBe(1);
    expect(later.out().split(line).length - 1).toBe(1);
    await second.kill();
  });
});
