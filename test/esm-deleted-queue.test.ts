import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CreateEventSourceMappingCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { CreateQueueCommand, DeleteQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import { VirtualClock } from "@lambda-sim/core";
import { TelemetryRecorder } from "@lambda-sim/core/testing";
import { sqsSource } from "@lambda-sim/sources";
import { perTestSimulator } from "./support/per-test-simulator.ts";
import { until } from "./support/until.ts";

/**
 * A mapping whose queue was deleted says so once, not at every poll (fuzz19 F7: 541 identical
 * warnings in 90 s at --time-scale 60 buried everything else on the console).
 */
const codeDir = fileURLToPath(new URL("./fixtures/functions/node-basic/", import.meta.url));
const sims = perTestSimulator();

describe("an SQS mapping whose queue is deleted", () => {
  it("warns once while the queue stays gone, however long it polls", async () => {
    const clock = new VirtualClock(Date.UTC(2026, 5, 1));
    clock.startRunningDue();
    const t = await sims.start({ clock, functions: [{ functionName: "consumer", runtime: "nodejs24.x", handler: "index.handler", codeDir, timeout: 3 }], sources: [sqsSource] });
    const sqs = new SQSClient(t.clientConfig);
    const lambda = new LambdaClient({ ...t.clientConfig, maxAttempts: 1 });
    try {
      const logs = new TelemetryRecorder(t.sim.telemetry);
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "gone" }));
      await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "consumer", EventSourceArn: "arn:aws:sqs:us-east-1:000000000000:gone" }));
      await sqs.send(new DeleteQueueCommand({ QueueUrl }));
      const warnings = () => logs.of("simulator.warning").filter((w) => w.message.includes("NonExistentQueue"));
      // An hour of polls, every 10 s of service time.
      await clock.advanceBy(3_600_000);
      await until(() => warnings().length > 0);
      expect(warnings()).toHaveLength(1);
      expect(warnings()[0]!.message).toContain("said again only if it changes");
    } finally {
      sqs.destroy();
      lambda.destroy();
    }
  });
});
