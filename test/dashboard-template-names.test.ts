import { afterEach, describe, expect, it } from "vitest";
import { chromiumSkip, dashboardPages, shows, text } from "./support/dashboard-page.ts";
import { startLambdaSim, type LambdaSimProcess } from "./support/lambda-sim-process.ts";
import { writeStackTemplate } from "./support/sam-stack.ts";

/**
 * A class reads template.yaml: the page's sources name its queues, topics and the mapping between
 * them by their logical ids, the generated names (`shop-OrdersQueue-1A2B…`, holding the folder's
 * name) in the tooltip, as the lanes name its functions.
 */
const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Resources:
  OrdersDlq:
    Type: AWS::SQS::Queue
  OrdersQueue:
    Type: AWS::SQS::Queue
    Properties:
      RedrivePolicy: { deadLetterTargetArn: !GetAtt OrdersDlq.Arn, maxReceiveCount: 3 }
  AlertsTopic:
    Type: AWS::SNS::Topic
    Properties:
      Subscription: [{ Protocol: sqs, Endpoint: !GetAtt OrdersQueue.Arn }]
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs24.x
      Handler: index.handler
      InlineCode: "exports.handler = async () => ({});"
      Events:
        Orders:
          Type: SQS
          Properties: { Queue: !GetAtt OrdersQueue.Arn }
`;

const openPage = dashboardPages();
let sim: LambdaSimProcess | undefined;
afterEach(async () => {
  await sim?.kill();
  sim = undefined;
});

type TemplateView = { resources: Record<string, { name: string }> };

describe.skipIf(chromiumSkip !== undefined)(`the dashboard names a template's resources by their logical ids${chromiumSkip ? ` (${chromiumSkip})` : ""}`, () => {
  it("shows queues, their DLQ, the mapping and the topic as template.yaml names them, the generated names in their tooltips", { timeout: 90_000 }, async () => {
    sim = await startLambdaSim(["--template", writeStackTemplate(TEMPLATE, "shop"), "--in-memory"]);
    const { resources: r } = (await (await fetch(`${sim.endpoint}/_sim/template`)).json()) as TemplateView;
    const [queue, dlq, topic] = [r.OrdersQueue!.name, r.OrdersDlq!.name, r.AlertsTopic!.name];
    expect(queue).toMatch(/^shop-OrdersQueue-\w+$/);
    const errors: string[] = [];
    const page = await openPage(`${sim.endpoint}/_sim/ui`, errors);
    await shows(page, "#status", /live/);

    const queueCell = page.locator(`#sources tr[data-queue="${queue}"] td`).first();
    await expect.poll(() => queueCell.textContent()).toBe("OrdersQueue");
    expect(await queueCell.locator(".logical-id").getAttribute("title")).toBe(queue);
    expect(await text(page, `#sources tr[data-queue="${queue}"] td:last-child`)).toMatch(/^OrdersDlq: 0 moved/);
    expect(await text(page, `#sources tr[data-queue="${dlq}"] td`)).toBe("OrdersDlq");
    expect(await text(page, "#sources tr[data-mapping] td")).toBe("sqs:OrdersQueue → Worker");
    expect(await text(page, `#sources tr.topic[data-topic="${topic}"] td b`)).toBe("AlertsTopic");
    expect(await text(page, "#sources tr.subscription td")).toBe("→ sqs:OrdersQueue");
    expect(errors).toEqual([]);
  });
});
