import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { allSources } from "../config/simulator-settings.ts";
import { loadTemplate } from "./load-template.ts";

const ALIAS = "arn:aws:lambda:us-east-1:000000000000:function:worker:live";

async function load(template: string) {
  const dir = join(mkdtempSync(join(tmpdir(), "lambda-sim-alias-targets-")), "shop");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "template.yaml"), template);
  return loadTemplate(join(dir, "template.yaml"), { sources: allSources(), endpoint: "http://127.0.0.1:3001", codeRoot: join(dir, ".state") });
}

const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Resources:
  Feed: { Type: AWS::Kinesis::Stream, Properties: { Name: feed, ShardCount: 1 } }
  Audit: { Type: AWS::Kinesis::Stream, Properties: { Name: audit, ShardCount: 1 } }
  News: { Type: AWS::SNS::Topic, Properties: { TopicName: news } }
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: worker
      Runtime: nodejs24.x
      Handler: index.handler
      InlineCode: "exports.handler = async () => 1;"
      AutoPublishAlias: live
      EventInvokeConfig: { MaximumRetryAttempts: 1 }
      FunctionUrlConfig: { AuthType: NONE }
      Events:
        Stream: { Type: Kinesis, Properties: { Stream: !GetAtt Feed.Arn, StartingPosition: LATEST } }
        Buffered: { Type: SNS, Properties: { Topic: !Ref News, SqsSubscription: true } }
        Tick: { Type: Schedule, Properties: { Schedule: rate(1 hour) } }
        Later: { Type: ScheduleV2, Properties: { ScheduleExpression: rate(1 day) } }
  Other:
    Type: AWS::Lambda::EventSourceMapping
    Properties: { FunctionName: !Ref Worker.Alias, EventSourceArn: !GetAtt Audit.Arn, StartingPosition: TRIM_HORIZON }
`;

describe("AutoPublishAlias in translation", () => {
  it("qualifies every event source with the alias, and leaves the alias's mappings, URL and EventInvokeConfig to be applied once it exists", async () => {
    const config = await load(TEMPLATE);
    const actions = config.template.actions;
    // Schedules and rules invoke the alias ARN.
    expect(actions.find((a) => a.kind === "rule")).toMatchObject({ targets: [{ Arn: ALIAS }] });
    // The Scheduler schedule is created once the alias is there (it fires as it is created), the rule after it too.
    expect(config.sources.schedules).toEqual({});
    expect(actions.find((a) => a.kind === "schedule")).toMatchObject({ input: { ScheduleExpression: "rate(1 day)", Target: { Arn: ALIAS } } });
    const kinds = actions.map((a) => a.kind);
    expect(kinds.indexOf("publish-alias")).toBeLessThan(kinds.indexOf("schedule"));
    expect(kinds.indexOf("publish-alias")).toBeLessThan(kinds.indexOf("rule"));
    // Mappings (the stream's, the SNS queue's, and a declared one on the alias) wait for the alias; none start on $LATEST.
    expect(config.eventSourceMappings).toEqual([]);
    const mappings = actions.flatMap((a) => (a.kind === "mapping" ? [a.input] : []));
    expect(mappings.map((m) => [m.FunctionName, m.EventSourceArn?.split(":").at(-1)])).toEqual([
      ["worker:live", "stream/feed"],
      ["worker:live", expect.stringMatching(/^shop-WorkerBufferedQueue-/)],
      [ALIAS, "stream/audit"],
    ]);
    // The URL and the EventInvokeConfig are the alias's, after it is published; $LATEST has neither.
    const order = actions.map((a) => a.kind);
    expect(order.indexOf("publish-alias")).toBeLessThan(order.indexOf("function-url"));
    expect(actions.find((a) => a.kind === "function-url")).toMatchObject({ functionName: "worker", qualifier: "live", url: { authType: "NONE", urlId: expect.stringMatching(/^[a-z0-9]{32}$/) } });
    expect(actions.find((a) => a.kind === "event-invoke-config")).toMatchObject({ functionName: "worker", qualifier: "live", config: { MaximumRetryAttempts: 1 } });
    expect(config.functions[0]).toMatchObject({ functionName: "worker" });
    expect(config.functions[0]!.functionUrl).toBeUndefined();
    expect(config.functions[0]!.eventInvokeConfig).toBeUndefined();
    // The SNS topic feeds the queue SAM makes; the function is on the mapping.
    expect((config.sources.topics as Record<string, { subscriptions: { protocol: string }[] }>).news!.subscriptions.map((s) => s.protocol)).toEqual(["sqs"]);
  });
});
