import { GetQueueAttributesCommand, GetQueueUrlCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { LambdaClient, ListEventSourceMappingsCommand } from "@aws-sdk/client-lambda";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { until } from "./support/until.ts";
import { startLambdaSim } from "./support/lambda-sim-process.ts";
import { generatedName, writeStackTemplate } from "./support/sam-stack.ts";

/**
 * A team's lambda-sim.yaml beside its SAM template wires what only the simulator needs: here a
 * mapping from the template's queue to the template's function, and a DLQ for the template's queue
 * that the overlay declares, both named by logical id (review18 R18-6: the overlay's own load
 * refused any name it did not declare itself, so only faults could reach the template).
 */
const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Resources:
  WorkerFunction:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs24.x
      Handler: index.handler
      Timeout: 1
      InlineCode: "exports.handler = async (e) => { if (e.Records[0].body === 'poison') throw new Error('bad'); };"
  JobsQueue:
    Type: AWS::SQS::Queue
    Properties: { VisibilityTimeout: 1 }
`;

const OVERLAY = `queues:
  jobs-dlq: {}
eventSourceMappings:
  - { functionName: WorkerFunction, eventSourceArn: sqs:JobsQueue, batchSize: 1 }
`;

describe("lambda-sim.yaml beside a template naming the template's resources", () => {
  it("runs the overlay's mapping from the template's queue to the template's function, both by logical id", { timeout: 120_000 }, async () => {
    const template = writeStackTemplate(TEMPLATE);
    writeFileSync(join(template, "..", "lambda-sim.yaml"), OVERLAY);
    const sim = await startLambdaSim(["--template", template, "--in-memory"]);
    const worker = generatedName(sim.output(), "WorkerFunction");
    const credentials = { accessKeyId: "x", secretAccessKey: "x" };
    const lambda = new LambdaClient({ endpoint: sim.endpoint, region: "us-east-1", credentials });
    const sqs = new SQSClient({ endpoint: sim.endpoint, region: "us-east-1", credentials });
    try {
      const mappings = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: worker }));
      expect(mappings.EventSourceMappings).toHaveLength(1);
      const queueName = mappings.EventSourceMappings![0]!.EventSourceArn!.split(":").pop()!;
      expect(queueName).toMatch(/^shop-JobsQueue-\w+$/);
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: queueName }));
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "job" }));
      // Consumed by the template's function: nothing visible, nothing in flight.
      await until(async () => {
        const a = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"] }))).Attributes!;
        return a.ApproximateNumberOfMessages === "0" && a.ApproximateNumberOfMessagesNotVisible === "0";
      }, 30_000);
    } finally {
      lambda.destroy();
      sqs.destroy();
      await sim.kill();
    }
  });

  it("refuses the overlay's mapping that AWS would refuse at its own line (a queue's visibility timeout under the function's timeout)", { timeout: 60_000 }, async () => {
    const template = writeStackTemplate(TEMPLATE.replace("Timeout: 1", "Timeout: 3"));
    const beside = join(template, "..", "lambda-sim.yaml");
    writeFileSync(beside, OVERLAY);
    const refused = await startLambdaSim(["--template", template, "--in-memory"]).then(
      () => "",
      (e: Error) => e.message,
    );
    expect(refused).toContain(`lambda-sim: ${beside}:4 eventSourceMappings[0]: Queue visibility timeout: 1 seconds is less than Function timeout: 3 seconds`);
  });

  it("refuses an overlay mapping naming a resource neither file has, at its line, suggesting the template's logical id", { timeout: 60_000 }, async () => {
    const template = writeStackTemplate(TEMPLATE);
    const beside = join(template, "..", "lambda-sim.yaml");
    writeFileSync(beside, OVERLAY.replace("sqs:JobsQueue", "sqs:JobQueue"));
    const refused = await startLambdaSim(["--template", template, "--in-memory"]).then(
      () => "",
      (e: Error) => e.message,
    );
    expect(refused).toContain(`${beside}:4 eventSourceMappings[0].eventSourceArn: sqs:JobQueue names no queue declared under queues: or in the template: (did you mean 'sqs:JobsQueue'?)`);
  });
});
