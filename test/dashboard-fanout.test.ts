import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CreateEventBusCommand, EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { CreateTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { chromiumSkip as skip, dashboardPages, shows as showsWithin, text } from "./support/dashboard-page.ts";
import { startLambdaSim } from "./support/lambda-sim-process.ts";

/**
 * SNS topics and EventBridge buses on the dashboard, as a workshop shows fan-out: one message
 * published to a topic with three subscriptions (one delivered, one kept out by its filter
 * policy, one to a missing function that goes to its DLQ), and events put on a bus whose rule has
 * three targets (two delivered, one to its DLQ), beside a disabled rule and a scheduled one, all
 * through the real SDK clients; then what the page shows, a delivery's story, and the same for a
 * page opened afterwards.
 */
const HANDLERS = fileURLToPath(new URL("./fixtures/functions/http-handlers/", import.meta.url));
const OUTPUT = fileURLToPath(new URL("./output/", import.meta.url));
const ACCOUNT = "000000000000";
const fn = (name: string) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`;
const queue = (name: string) => `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`;

const openPage = dashboardPages();

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), "dashboard-fanout-"));
  const code = JSON.stringify(HANDLERS);
  writeFileSync(
    join(dir, "lambda-sim.yaml"),
    [
      "functions:",
      `  ship: { runtime: nodejs24.x, handler: index.echo, codeUri: ${code} }`,
      `  bill: { runtime: nodejs24.x, handler: index.echo, codeUri: ${code} }`,
      "queues:",
      "  audit: {}",
      "  fanout-dlq: {}",
      "",
    ].join("\n"),
  );
  return join(dir, "lambda-sim.yaml");
}

/** A loaded machine takes a while to start two functions: a little longer than the default. */
const shows = (page: Page, selector: string, pattern: RegExp) => showsWithin(page, selector, pattern, 20_000);

/** What the page shows of the topic and the bus, as a person reads the table cells. */
async function expectFanout(page: Page): Promise<void> {
  const sub = (endpoint: string, cell: string) => `#sources tr.subscription[data-endpoint="${endpoint}"] td.${cell}`;
  const target = (id: string, cell: string) => `#sources tr.target[data-target="big-orders/${id}"] td.${cell}`;
  await shows(page, '#sources tr.topic[data-topic="orders"] .published', /^1$/);
  await shows(page, sub("lambda:ship", "delivered"), /^1$/);
  await shows(page, sub("lambda:ship", "filtered"), /^0$/);
  await shows(page, sub("sqs:audit", "filtered"), /^1$/);
  await shows(page, sub("sqs:audit", "delivered"), /^0$/);
  await shows(page, sub("lambda:ghost", "dead-lettered"), /^1$/);
  expect(await text(page, `#sources tr.subscription[data-endpoint="sqs:audit"]`)).toMatch(/filter policy · raw delivery/);
  expect(await text(page, `#sources tr.subscription[data-endpoint="lambda:ghost"]`)).toMatch(/DLQ sqs:fanout-dlq/);

  await shows(page, '#sources tr.bus[data-bus="shop"] .accepted', /^2$/);
  await shows(page, '#sources tr.rule[data-rule="big-orders"] td.matched', /^1$/);
  expect(await text(page, '#sources tr.rule[data-rule="big-orders"]')).toMatch(/enabled.*source = "shop"; detail\.total > 100/);
  await shows(page, target("bill", "delivered"), /^1$/);
  await shows(page, target("audit", "delivered"), /^1$/);
  await shows(page, target("ghost", "dead-lettered"), /^1$/);
  await shows(page, target("ghost", "failed"), /^1$/);
  await shows(page, '#sources tr.rule[data-rule="everything"]', /everything disabled/);
  expect(await text(page, '#sources tr.rule[data-rule="everything"] td.matched')).toBe("0");
  await shows(page, '#sources tr.rule[data-rule="nightly"]', /nightly disabled\s*cron\(0 3 \* \* \? \*\)\s*→ lambda:bill/);
}

describe("SNS topics and EventBridge buses on the dashboard", () => {
  it.skipIf(skip !== undefined)(`shows each subscription's and target's deliveries, filtered-out and dead-lettered messages, opens a delivery's story, and a late client gets the same${skip ? ` (${skip})` : ""}`, { timeout: 180_000 }, async () => {
    const sim = await startLambdaSim(["--config", project(), "--in-memory"]);
    const config = { endpoint: sim.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } };
    const sns = new SNSClient(config);
    const events = new EventBridgeClient(config);
    const errors: string[] = [];
    const page = await openPage(`${sim.endpoint}/_sim/ui`, errors);
    await shows(page, "#status", /live/);

    // A topic: a function, a queue whose filter policy keeps this message out, a function that does not exist (to the DLQ).
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "orders" }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: "lambda", Endpoint: fn("ship") }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: queue("audit"), Attributes: { FilterPolicy: '{"kind":["refund"]}', RawMessageDelivery: "true" } }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: "lambda", Endpoint: fn("ghost"), Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: queue("fanout-dlq") }) } }));
    await sns.send(new PublishCommand({ TopicArn, Message: '{"order":1}', MessageAttributes: { kind: { DataType: "String", StringValue: "order" } } }));

    // A bus: one rule with three targets; of two events, one matches.
    await events.send(new CreateEventBusCommand({ Name: "shop" }));
    await events.send(new PutRuleCommand({ Name: "big-orders", EventBusName: "shop", EventPattern: JSON.stringify({ source: ["shop"], detail: { total: [{ numeric: [">", 100] }] } }) }));
    await events.send(new PutTargetsCommand({
      Rule: "big-orders",
      EventBusName: "shop",
      Targets: [
        { Id: "bill", Arn: fn("bill") },
        { Id: "audit", Arn: queue("audit") },
        { Id: "ghost", Arn: fn("ghost"), DeadLetterConfig: { Arn: queue("fanout-dlq") }, RetryPolicy: { MaximumRetryAttempts: 2 } },
      ],
    }));
    // A disabled rule matches nothing; a scheduled rule on the default bus shows its schedule.
    await events.send(new PutRuleCommand({ Name: "everything", EventBusName: "shop", EventPattern: '{"source":["shop"]}', State: "DISABLED" }));
    await events.send(new PutTargetsCommand({ Rule: "everything", EventBusName: "shop", Targets: [{ Id: "audit", Arn: queue("audit") }] }));
    await events.send(new PutRuleCommand({ Name: "nightly", ScheduleExpression: "cron(0 3 * * ? *)", State: "DISABLED" }));
    await events.send(new PutTargetsCommand({ Rule: "nightly", Targets: [{ Id: "bill", Arn: fn("bill") }] }));
    const put = await events.send(new PutEventsCommand({
      Entries: [
        { EventBusName: "shop", Source: "shop", DetailType: "OrderPlaced", Detail: '{"total":500}' },
        { EventBusName: "shop", Source: "shop", DetailType: "OrderPlaced", Detail: '{"total":5}' },
      ],
    }));
    expect(put.FailedEntryCount).toBe(0);

    await expectFanout(page);
    expect(await text(page, '#sources tr.target[data-target="big-orders/ghost"]')).toMatch(/2 retries · DLQ sqs:fanout-dlq/);

    // A delivery that invoked a function opens its story: the function ran with SNS's event.
    await shows(page, "#sources tr.delivery[data-request-id]", /orders → lambda:ship/);
    await page.locator("#sources tr.delivery[data-request-id]", { hasText: "lambda:ship" }).first().click();
    await shows(page, "#story", /ship/);
    await shows(page, "#story", /"TopicArn":/);
    await shows(page, "#story", /REPORT RequestId/);
    // And one of the bus's: the rule's event.
    await page.locator("#sources tr.delivery[data-request-id]", { hasText: "lambda:bill" }).first().click();
    await shows(page, "#story", /"detail-type":"OrderPlaced"/);

    mkdirSync(OUTPUT, { recursive: true });
    await page.screenshot({ path: `${OUTPUT}dashboard-fanout.png`, fullPage: true });
    if (process.env.UPDATE_DOCS_SCREENSHOT === "1") copyFileSync(`${OUTPUT}dashboard-fanout.png`, fileURLToPath(new URL("../docs/dashboard-fanout.png", import.meta.url)));

    // A page opened now starts from the snapshot (test/fanout-snapshot.test.ts checks its counts) and shows what the first one does.
    const late = await openPage(`${sim.endpoint}/_sim/ui`, errors);
    await shows(late, "#status", /live/);
    await expectFanout(late);
    // Its last deliveries come from the snapshot's recent events.
    await shows(late, "#sources", /orders → lambda:ship/);
    expect(errors).toEqual([]);
    sns.destroy();
    events.destroy();
    await sim.kill();
  });
});
