import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ListSubscriptionsByTopicCommand, GetSubscriptionAttributesCommand, GetTopicAttributesCommand, SNSClient } from "@aws-sdk/client-sns";
import { snsSource, sqsSource } from "@lambda-sim/sources";
import { type TestSimulator } from "@lambda-sim/core/testing";
import { perTestSimulator } from "./support/per-test-simulator.ts";
import { loadConfig } from "../packages/cli/src/config/load-config.ts";

let t: TestSimulator | undefined;
/** Started by each test, closed after it. */
const sims = perTestSimulator();

function file(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "lambda-sim-topics-")), "lambda-sim.yaml");
  writeFileSync(path, text);
  return path;
}

describe("topics declared in lambda-sim.yaml", () => {
  it("creates them with their subscriptions, short names expanded and policies written as YAML", async () => {
    const path = file(
      [
        "queues:",
        "  audit:",
        "  audit-dlq:",
        "topics:",
        "  orders:",
        "    displayName: Orders",
        "    subscriptions:",
        "      - protocol: sqs",
        "        endpoint: sqs:audit",
        "        rawMessageDelivery: true",
        "        filterPolicy: { total: [{ numeric: ['>', 100] }] }",
        "        redrivePolicy: { deadLetterTargetArn: sqs:audit-dlq }",
        "",
      ].join("\n"),
    );
    const sources = [sqsSource, snsSource];
    const config = await loadConfig(path, sources);
    t = await sims.start({ sources, sourceConfig: config.sources });
    const sns = new SNSClient(t.clientConfig);
    const TopicArn = "arn:aws:sns:us-east-1:000000000000:orders";
    expect((await sns.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes).toMatchObject({ DisplayName: "Orders", SubscriptionsConfirmed: "1" });
    const [sub] = (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }))).Subscriptions!;
    expect(sub).toMatchObject({ Protocol: "sqs", Endpoint: "arn:aws:sqs:us-east-1:000000000000:audit" });
    expect((await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: sub!.SubscriptionArn }))).Attributes).toMatchObject({
      RawMessageDelivery: "true",
      FilterPolicy: JSON.stringify({ total: [{ numeric: [">", 100] }] }),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: "arn:aws:sqs:us-east-1:000000000000:audit-dlq" }),
    });
    sns.destroy();
  });

  it("names a subscription endpoint or topic destination that the file does not declare", async () => {
    const path = file(
      [
        "functions:",
        "  f: { runtime: nodejs24.x, handler: index.handler, codeUri: ., eventInvokeConfig: { destinationConfig: { onFailure: { destination: sns:ordrs } } } }",
        "topics:",
        "  orders:",
        "    subscriptions:",
        "      - { protocol: lambda, endpoint: lambda:g }",
        "",
      ].join("\n"),
    );
    const message = await loadConfig(path, [sqsSource, snsSource]).catch((e: Error) => e.message);
    expect(message).toContain(`${path}:2 functions.f.eventInvokeConfig.destinationConfig.onFailure.destination: sns:ordrs names no topic declared under topics: (did you mean 'sns:orders'?)`);
    expect(message).toContain(`${path}:6 topics.orders.subscriptions[0].endpoint: lambda:g names no function declared under functions:`);
  });

  it("names the file, line and key of a bad subscription", async () => {
    const path = file("topics:\n  orders:\n    subscriptions:\n      - protocol: email\n        endpoint: a@b.c\n");
    await expect(loadConfig(path, [snsSource])).rejects.toThrow(`${path}:4 topics.orders.subscriptions[0].protocol: expected lambda, sqs, http or https, got 'email'`);
  });

  // newuser13 N13-3: it failed at start with "topics: Invalid parameter: FilterPolicy: ...", no file or line.
  it("names the file, line and key of a filter policy SNS would refuse", async () => {
    const path = file("topics:\n  orders:\n    subscriptions:\n      - protocol: http\n        endpoint: http://127.0.0.1:9/\n        filterPolicy: { total: [ { numric: ['>=', 500] } ] }\n");
    await expect(loadConfig(path, [snsSource])).rejects.toThrow(`${path}:6 topics.orders.subscriptions[0].filterPolicy: expected a filter policy SNS accepts (Unrecognized match type numric)`);
  });
});
