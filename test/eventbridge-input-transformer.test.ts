import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient, type Message } from "@aws-sdk/client-sqs";
import { eventsSource, sqsSource } from "@lambda-sim/sources";
import { TelemetryRecorder, type TestSimulator } from "@lambda-sim/core/testing";
import { perTestSimulator } from "./support/per-test-simulator.ts";
import type { FunctionDefinition } from "@lambda-sim/core";
import { until } from "./support/until.ts";

// What a rule's target receives through an InputTransformer, checked as a user would: the SDK's
// PutRule/PutTargets/PutEvents, then the event the function logged and the body the queue got.
// The templates are the EventBridge user guide's "Input transform examples" (eb-transform-target-input).
const codeDir = fileURLToPath(new URL("./fixtures/functions/schedule-recorder/", import.meta.url));
const recorder: FunctionDefinition = { functionName: "recorder", runtime: "nodejs24.x", handler: "index.handler", codeDir, timeout: 3 };
const ACCOUNT = "000000000000";
const FUNCTION_ARN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:recorder`;
const PATHS = { instance: "$.detail.instance-id", state: "$.detail.state" };

let t: TestSimulator | undefined;
/** Started by each test, closed after it. */
const sims = perTestSimulator();
const clients: { destroy(): void }[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.destroy();
});

async function start() {
  t = await sims.start({ functions: [recorder], sources: [sqsSource, eventsSource] });
  const events = new EventBridgeClient({ ...t.clientConfig, maxAttempts: 1 });
  const sqs = new SQSClient(t.clientConfig);
  clients.push(events, sqs);
  const logs = new TelemetryRecorder(t.sim.telemetry);
  const received = () => logs.of("function.log").flatMap((e) => e.text.split("\n").filter((l) => l.includes("EVENT ")).map((l) => JSON.parse(l.slice(l.indexOf("EVENT ") + 6))));
  const errors = () => logs.of("function.log").filter((e) => e.text.includes("Invoke Error"));
  const drain = async (url: string, n: number) => {
    const got: Message[] = [];
    await until(async () => {
      got.push(...((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }))).Messages ?? []));
      return got.length >= n;
    });
    return got.map((m) => m.Body!);
  };
  const putEc2Event = () =>
    events.send(new PutEventsCommand({ Entries: [{ Source: "ec2.sim", DetailType: "EC2 Instance State-change Notification", Detail: JSON.stringify({ "instance-id": "i-0123456789", state: "RUNNING" }) }] }));
  return { events, sqs, received, errors, drain, putEc2Event };
}

describe("EventBridge InputTransformer, as the target receives it", () => {
  it("a Lambda target gets valid JSON: bare placeholders quoted, reserved variables quoted, the event as JSON", async () => {
    const { events, received, errors, putEc2Event } = await start();
    const { RuleArn } = await events.send(new PutRuleCommand({ Name: "example", EventPattern: '{"source":["ec2.sim"]}' }));
    const InputTemplate = '{"instance" : <instance>, "state": [9, <state>, true], "status": "instance \\"<instance>\\" is in <state>", "ruleArn" : <aws.events.rule-arn>, "ruleName" : <aws.events.rule-name>, "at": <aws.events.event.ingestion-time>, "originalEvent" : <aws.events.event>}';
    await events.send(new PutTargetsCommand({ Rule: "example", Targets: [{ Id: "fn", Arn: FUNCTION_ARN, InputTransformer: { InputPathsMap: PATHS, InputTemplate } }] }));
    const put = await putEc2Event();
    expect(put.FailedEntryCount).toBe(0);

    await until(() => received().length >= 1);
    const [got] = received();
    expect(got).toMatchObject({ instance: "i-0123456789", state: [9, "RUNNING", true], status: 'instance "i-0123456789" is in RUNNING', ruleArn: RuleArn, ruleName: "example" });
    expect(got.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    // aws.events.event is the original event without its detail (the user guide's predefined variables).
    expect(got.originalEvent).toMatchObject({ id: put.Entries![0]!.EventId, source: "ec2.sim", "detail-type": "EC2 Instance State-change Notification", account: ACCOUNT });
    expect(got.originalEvent.detail).toBeUndefined();
    expect(errors()).toEqual([]);
  });

  it("a queue target gets the JSON template as valid JSON and a plain-text template as raw text", async () => {
    const { events, sqs, drain, putEc2Event } = await start();
    const json = (await sqs.send(new CreateQueueCommand({ QueueName: "as-json" }))).QueueUrl!;
    const text = (await sqs.send(new CreateQueueCommand({ QueueName: "as-text" }))).QueueUrl!;
    await events.send(new PutRuleCommand({ Name: "example", EventPattern: '{"source":["ec2.sim"]}' }));
    await events.send(
      new PutTargetsCommand({
        Rule: "example",
        Targets: [
          { Id: "json", Arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:as-json`, InputTransformer: { InputPathsMap: PATHS, InputTemplate: '{\n  "instance" : <instance>,\n  "state": <state>\n}' } },
          { Id: "text", Arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:as-text`, InputTransformer: { InputPathsMap: PATHS, InputTemplate: "<instance> is in state <state>" } },
        ],
      }),
    );
    await putEc2Event();
    expect(await drain(json, 1)).toEqual(['{\n  "instance" : "i-0123456789",\n  "state": "RUNNING"\n}']);
    expect(await drain(text, 1)).toEqual(["i-0123456789 is in state RUNNING"]);
  });
});
