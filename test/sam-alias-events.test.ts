import { dirname, join } from "node:path";
import { GetFunctionEventInvokeConfigCommand, GetFunctionUrlConfigCommand, GetProvisionedConcurrencyConfigCommand, LambdaClient, ListEventSourceMappingsCommand } from "@aws-sdk/client-lambda";
import { GetQueueUrlCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { ListSubscriptionsByTopicCommand, PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { EventBridgeClient, ListTargetsByRuleCommand, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { describe, expect, it } from "vitest";
import { startLambdaSim, type LambdaSimProcess } from "./support/lambda-sim-process.ts";
import { generatedName, writeStackTemplate } from "./support/sam-stack.ts";
import { until } from "./support/until.ts";

/**
 * AutoPublishAlias as SAM deploys it: every event source of the function targets the alias, not
 * the function ("Point all event sources to the Alias & not to the function", SAM's
 * safe_lambda_deployments.rst): the SQS mapping's FunctionArn, the HTTP API integration, the
 * function URL (Qualifier), the SNS subscription, the EventBridge rule target, and the
 * EventInvokeConfig. So traffic from each runs the published version on the alias's provisioned
 * environments, warm, as on AWS.
 */
const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Resources:
  Jobs: { Type: AWS::SQS::Queue, Properties: { QueueName: jobs } }
  News: { Type: AWS::SNS::Topic, Properties: { TopicName: news } }
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs24.x
      Handler: index.handler
      InlineCode: |
        exports.handler = async (event, context) => {
          const from = event.Records ? event.Records[0].eventSource || event.Records[0].EventSource : event.source ? "events" : event.rawPath;
          console.log("ran " + from + " version " + context.functionVersion + " as " + context.invokedFunctionArn + " " + process.env.AWS_LAMBDA_INITIALIZATION_TYPE);
          return { statusCode: 200, body: context.functionVersion };
        };
      AutoPublishAlias: live
      ProvisionedConcurrencyConfig: { ProvisionedConcurrentExecutions: 2 }
      FunctionUrlConfig: { AuthType: NONE }
      EventInvokeConfig: { MaximumRetryAttempts: 0 }
      Events:
        Get: { Type: HttpApi, Properties: { Path: /x, Method: GET } }
        Queue: { Type: SQS, Properties: { Queue: !GetAtt Jobs.Arn } }
        Topic: { Type: SNS, Properties: { Topic: !Ref News } }
        Shipped: { Type: EventBridgeRule, Properties: { RuleName: shipped, Pattern: { source: [shop] } } }
Outputs:
  Url: { Value: !GetAtt WorkerUrl.FunctionUrl }
`;

function clients(sim: LambdaSimProcess) {
  const c = { endpoint: sim.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } };
  return { lambda: new LambdaClient(c), sqs: new SQSClient(c), sns: new SNSClient(c), events: new EventBridgeClient(c) };
}

describe("AutoPublishAlias points the function's event sources at the alias", () => {
  it("HTTP API, function URL, SQS, SNS and EventBridge invocations run version 1 on the provisioned environments", { timeout: 90_000 }, async () => {
    const template = writeStackTemplate(TEMPLATE);
    const sim = await startLambdaSim(["--template", template, "--in-memory"]);
    const { lambda, sqs, sns, events } = clients(sim);
    try {
      const name = generatedName(sim.output(), "Worker");
      const aliasArn = `arn:aws:lambda:us-east-1:000000000000:function:${name}:live`;
      // The start-up lines say where each source goes.
      expect(sim.output()).toMatch(new RegExp(`Worker\\.Get +HTTP API ServerlessHttpApi: GET /x → ${name}:live`));
      expect(sim.output()).toMatch(new RegExp(`Worker\\.Queue +mapping sqs:jobs → ${name}:live`));
      expect(sim.output()).toContain(`function URL ${name}:live:`);

      // What AWS's APIs show: each source's target is the alias ARN, the URL and EventInvokeConfig are the alias's.
      const [mapping] = (await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: name }))).EventSourceMappings!;
      expect(mapping!.FunctionArn).toBe(aliasArn);
      const url = await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: name, Qualifier: "live" }));
      expect(url.FunctionArn).toBe(aliasArn);
      expect(sim.output()).toContain(`output Url: ${url.FunctionUrl}`);
      await expect(lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: name }))).rejects.toMatchObject({ name: "ResourceNotFoundException" });
      expect(await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: name, Qualifier: "live" }))).toMatchObject({ MaximumRetryAttempts: 0, FunctionArn: aliasArn });
      await expect(lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: name }))).rejects.toMatchObject({ name: "ResourceNotFoundException" });
      const { Subscriptions } = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: "arn:aws:sns:us-east-1:000000000000:news" }));
      expect(Subscriptions!.map((s) => s.Endpoint)).toEqual([aliasArn]);
      expect((await events.send(new ListTargetsByRuleCommand({ Rule: "shipped" }))).Targets!.map((t) => t.Arn)).toEqual([aliasArn]);

      // Traffic once the alias's environments are ready.
      await until(async () => (await lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: "live" }))).Status === "READY", 30_000);
      const base = /ServerlessHttpApi \(HTTP API, stage \$default\): (\S+)/.exec(sim.output())![1]!;
      const viaApi = await fetch(new URL("x", base));
      expect(viaApi.status).toBe(200);
      expect(await viaApi.text()).toBe("1");
      // The URL's path form, as the start-up line gives it beside the host form.
      const urlBase = /function URL \S+:live: \S+ +\(or (\S+)\)/.exec(sim.output())![1]!;
      const viaUrl = await fetch(new URL("u", urlBase));
      expect(await viaUrl.text()).toBe("1");
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: "jobs" }));
      // One source after the other: three invocations at once would need a third environment, and
      // the one past the alias's two provisioned ones runs on demand (spillover, as on AWS).
      const ran = (f: string) => until(() => sim.output().includes(`ran ${f} version`), 30_000);
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "job" }));
      await ran("aws:sqs");
      await sns.send(new PublishCommand({ TopicArn: "arn:aws:sns:us-east-1:000000000000:news", Message: "hello" }));
      await ran("aws:sns");
      await events.send(new PutEventsCommand({ Entries: [{ Source: "shop", DetailType: "Shipped", Detail: "{}" }] }));

      const from = ["/x", "/u", "aws:sqs", "aws:sns", "events"];
      const reportLines = () => sim.output().match(new RegExp(`\\[${name}\\] REPORT .*`, "g")) ?? [];
      // Each handler's line, and each invocation's REPORT (printed once its telemetry is delivered, after the answer).
      await until(() => from.every((f) => sim.output().includes(`ran ${f} version`)) && reportLines().length >= 5, 30_000);
      for (const f of from) expect(sim.output()).toContain(`ran ${f} version 1 as ${aliasArn} provisioned-concurrency`);
      const starts = sim.output().match(new RegExp(`\\[${name}\\] START RequestId: \\S+ Version: \\S+`, "g")) ?? [];
      expect(starts.map((s) => s.split(" ").at(-1))).toEqual(["1", "1", "1", "1", "1"]);
      // Provisioned environments were initialized before the traffic: no invocation reports an Init Duration.
      const reports = reportLines();
      expect(reports).toHaveLength(5);
      expect(reports.filter((r) => r.includes("Init Duration"))).toEqual([]);
    } finally {
      for (const c of Object.values({ lambda, sqs, sns, events })) c.destroy();
      await sim.kill();
    }
  });

  it("a restart on the same state keeps one mapping on the alias and the URL at its address", { timeout: 90_000 }, async () => {
    const template = writeStackTemplate(TEMPLATE);
    const args = ["--template", template, "--state", join(dirname(dirname(template)), "state")];
    const seen: { uuids: string[]; url: string | undefined }[] = [];
    for (let run = 0; run < 2; run++) {
      const sim = await startLambdaSim(args);
      const { lambda, sqs, sns, events } = clients(sim);
      try {
        const name = generatedName(sim.output(), "Worker");
        const mappings = (await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: name }))).EventSourceMappings!;
        expect(mappings.map((m) => m.FunctionArn)).toEqual([`arn:aws:lambda:us-east-1:000000000000:function:${name}:live`]);
        // The url id (the port is new at each start).
        const url = (await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: name, Qualifier: "live" }))).FunctionUrl;
        seen.push({ uuids: mappings.map((m) => m.UUID!), url: url?.replace(/:\d+\/$/, "") });
      } finally {
        for (const c of Object.values({ lambda, sqs, sns, events })) c.destroy();
        await sim.kill();
      }
    }
    expect(seen[1]).toEqual(seen[0]);
  });
});
