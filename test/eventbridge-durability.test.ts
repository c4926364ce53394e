import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { EventBridgeClient, ListTargetsByRuleCommand, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { GetQueueUrlCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { startLambdaSim } from "./support/lambda-sim-process.ts";
import { until } from "./support/until.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const config = (dir: string) => `queues:
  out: {}
buses:
  orders:
    description: order events
    rules:
      shipped:
        eventPattern: { source: [shop], detail-type: [OrderShipped] }
        targets:
          - { id: out, arn: sqs:out, inputPath: $.detail }
`;
const clientConfig = (endpoint: string) => ({ endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" }, maxAttempts: 1 });

describe("EventBridge deliveries across a SIGKILL and restart", () => {
  it("delivers events accepted by PutEvents but not yet delivered when the process died", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lambda-sim-events-crash-"));
    dirs.push(dir);
    writeFileSync(join(dir, "lambda-sim.yaml"), config(dir));
    const start = () => startLambdaSim(["--config", join(dir, "lambda-sim.yaml"), "--state", join(dir, "state")]);
    const first = await start();
    const events = new EventBridgeClient(clientConfig(first.endpoint));
    expect((await events.send(new ListTargetsByRuleCommand({ Rule: "shipped", EventBusName: "orders" }))).Targets).toEqual([{ Id: "out", Arn: "arn:aws:sqs:us-east-1:000000000000:out", InputPath: "$.detail" }]);
    // The queue refuses every delivery for now: the deliveries wait for their retry, in the database.
    const fault = await fetch(`${first.endpoint}/_sim/faults`, { method: "POST", body: JSON.stringify({ kind: "delivery-failure", target: "sqs:out" }) });
    expect(fault.status).toBeLessThan(300);
    const entries = [1, 2, 3].map((n) => ({ EventBusName: "orders", Source: "shop", DetailType: "OrderShipped", Detail: JSON.stringify({ n }) }));
    const put = await events.send(new PutEventsCommand({ Entries: entries }));
    expect(put.FailedEntryCount).toBe(0);
    const state = (await (await fetch(`${first.endpoint}/_sim/state`)).json()) as { buses: { pendingDeliveries: number } };
    expect(state.buses.pendingDeliveries).toBe(3);
    await first.kill();
    events.destroy();

    // Restarted without the fault (faults are not kept): the three arrive, each at least once.
    const second = await start();
    const sqs = new SQSClient(clientConfig(second.endpoint));
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: "out" }));
    const got = new Set<number>();
    await until(async () => {
      const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
      for (const m of r.Messages ?? []) got.add((JSON.parse(m.Body!) as { n: number }).n);
      return got.size === 3;
    }, 20_000);
    expect([...got].sort()).toEqual([1, 2, 3]);
    sqs.destroy();
    await second.kill();
  }, 60_000);
});
