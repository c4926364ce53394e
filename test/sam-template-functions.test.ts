import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { CreateQueueCommand, GetQueueUrlCommand, ReceiveMessageCommand, SQSClient, type Message } from "@aws-sdk/client-sqs";
import { SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { GetFunctionConfigurationCommand, InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { perFileLambdaSim } from "./support/lambda-sim-process.ts";
import { writeStackTemplate } from "./support/sam-stack.ts";
import { until } from "./support/until.ts";

/**
 * A SAM function's properties, run from a template with `lambda-sim start --template` and checked
 * with the SDK: the destinations SAM creates for `Type: SQS` / `SNS` with no `Destination` (reached
 * as `!Ref <Fn>.DestinationQueue` / `.DestinationTopic`), `DeadLetterQueue`, `Architectures`, and a
 * `Handler` the code does not export (which fails at invocation, as on AWS, not at start).
 */
const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Globals:
  Function: { Runtime: nodejs24.x, CodeUri: src/, Handler: app.handler }
Resources:
  Notify:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: notify
      # The function may name its own destination queue: no circular dependency.
      Environment: { Variables: { SUCCEEDED_QUEUE: !Ref Notify.DestinationQueue } }
      EventInvokeConfig:
        MaximumRetryAttempts: 0
        DestinationConfig: { OnSuccess: { Type: SQS }, OnFailure: { Type: SNS } }
  Charge:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: charge
      Architectures: [arm64]
      DeadLetterQueue: { Type: SQS, TargetArn: !GetAtt ChargeDlq.Arn }
      EventInvokeConfig: { MaximumRetryAttempts: 0 }
  Misnamed:
    Type: AWS::Serverless::Function
    Properties: { FunctionName: misnamed, Handler: app.nope }
  ChargeDlq:
    Type: AWS::SQS::Queue
    Properties: { QueueName: charge-dlq }
Outputs:
  Succeeded: { Value: !Ref Notify.DestinationQueue }
  Failed: { Value: !Ref Notify.DestinationTopic }
`;

const APP = `export const handler = async (event) => {
  if (event.fail) throw new Error("declined " + event.id);
  return { sent: event.id, queue: process.env.SUCCEEDED_QUEUE };
};
`;

const sim = perFileLambdaSim(() => {
  const template = writeStackTemplate(TEMPLATE);
  mkdirSync(join(dirname(template), "src"));
  writeFileSync(join(dirname(template), "src", "app.mjs"), APP);
  return ["--template", template, "--in-memory"];
});

async function clients() {
  const s = await sim();
  const config = { endpoint: s.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } };
  return { s, lambda: new LambdaClient(config), sqs: new SQSClient(config), sns: new SNSClient(config) };
}

/** The first message that arrives on the queue (long polls until one does). */
async function firstMessage(sqs: SQSClient, QueueUrl: string): Promise<Message> {
  let got: Message | undefined;
  await until(async () => {
    got = (await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1, MessageAttributeNames: ["All"] }))).Messages?.[0];
    return got !== undefined;
  }, 20_000);
  return got!;
}

describe("a template function", () => {
  it("sends to the queue and topic SAM creates for EventInvokeConfig destinations of Type SQS and SNS with no Destination", async () => {
    const { s, lambda, sqs, sns } = await clients();
    try {
      expect(s.output()).toMatch(/NotifyEventInvokeConfigOnSuccessQueue +queue http:\/\/127\.0\.0\.1:\d+\/000000000000\/shop-NotifyEventInvokeConfigOnSuccessQueue-[A-Z0-9]{12} \(created by SAM for Notify\.EventInvokeConfig\.OnSuccess\)/);
      expect(s.output()).toMatch(/NotifyEventInvokeConfigOnFailureTopic +topic shop-NotifyEventInvokeConfigOnFailureTopic-[A-Z0-9]{12} \(created by SAM for Notify\.EventInvokeConfig\.OnFailure\)/);
      const succeededUrl = /output Succeeded: (\S+)/.exec(s.output())![1]!;
      const failedTopic = /output Failed: (\S+)/.exec(s.output())![1]!;
      expect(failedTopic).toMatch(/^arn:aws:sns:us-east-1:000000000000:shop-NotifyEventInvokeConfigOnFailureTopic-[A-Z0-9]{12}$/);

      // A success: the record lands in the queue SAM made, with the function's response.
      await lambda.send(new InvokeCommand({ FunctionName: "notify", InvocationType: "Event", Payload: '{"id":1}' }));
      const success = JSON.parse((await firstMessage(sqs, succeededUrl)).Body!);
      expect(success).toMatchObject({ requestContext: { condition: "Success", functionArn: "arn:aws:lambda:us-east-1:000000000000:function:notify:$LATEST" }, requestPayload: { id: 1 }, responsePayload: { sent: 1, queue: succeededUrl } });

      // A failure: the record is published to the topic SAM made (here, to a queue subscribed to it).
      const { QueueUrl: watchUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "watch-failures" }));
      await sns.send(new SubscribeCommand({ TopicArn: failedTopic, Protocol: "sqs", Endpoint: "arn:aws:sqs:us-east-1:000000000000:watch-failures", Attributes: { RawMessageDelivery: "true" } }));
      await lambda.send(new InvokeCommand({ FunctionName: "notify", InvocationType: "Event", Payload: '{"id":2,"fail":true}' }));
      const failure = JSON.parse((await firstMessage(sqs, watchUrl!)).Body!);
      expect(failure).toMatchObject({ requestContext: { condition: "RetriesExhausted", approximateInvokeCount: 1 }, requestPayload: { id: 2, fail: true }, responsePayload: { errorType: "Error", errorMessage: "declined 2" } });
    } finally {
      lambda.destroy();
      sqs.destroy();
      sns.destroy();
    }
  }, 40_000);

  it("sends a failed event to the function's DeadLetterQueue, the event as the body", async () => {
    const { lambda, sqs, sns } = await clients();
    try {
      expect(await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "charge" }))).toMatchObject({ DeadLetterConfig: { TargetArn: "arn:aws:sqs:us-east-1:000000000000:charge-dlq" } });
      await lambda.send(new InvokeCommand({ FunctionName: "charge", InvocationType: "Event", Payload: '{"id":3,"fail":true}' }));
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: "charge-dlq" }));
      const dead = await firstMessage(sqs, QueueUrl!);
      // Lambda's DLQ message: the event unchanged, RequestID, ErrorCode and ErrorMessage attributes.
      expect(dead.Body).toBe('{"id":3,"fail":true}');
      expect(dead.MessageAttributes?.ErrorMessage?.StringValue).toBe("declined 3");
    } finally {
      lambda.destroy();
      sqs.destroy();
      sns.destroy();
    }
  }, 40_000);

  it("runs on the template's Architectures", async () => {
    const { lambda } = await clients();
    try {
      expect(await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "charge" }))).toMatchObject({ Architectures: ["arm64"] });
      // Globals set no Architectures: x86_64, Lambda's default.
      expect(await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "notify" }))).toMatchObject({ Architectures: ["x86_64"] });
    } finally {
      lambda.destroy();
    }
  });

  it("starts with a Handler the code does not export, and fails its invocation with Runtime.HandlerNotFound", async () => {
    const { s, lambda } = await clients();
    try {
      expect(s.output()).toMatch(/Misnamed +function misnamed \(nodejs24\.x, app\.nope\)/);
      const out = await lambda.send(new InvokeCommand({ FunctionName: "misnamed", Payload: "{}" }));
      expect(out.FunctionError).toBe("Unhandled");
      expect(JSON.parse(Buffer.from(out.Payload!).toString())).toMatchObject({ errorType: "Runtime.HandlerNotFound", errorMessage: "app.nope is undefined or not exported" });
    } finally {
      lambda.destroy();
    }
  });
});
