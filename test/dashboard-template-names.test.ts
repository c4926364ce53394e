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
        Tick:
          Type: Schedule
          Properties: { Schedule: rate(1 hour) }
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

  it("names the scheduled rule, its target and the invocations' function and source so too, every column on a 1280 px screen (newuser14 F2, F4)", { timeout: 90_000 }, async () => {
    sim = await startLambdaSim(["--template", writeStackTemplate(TEMPLATE, "shop"), "--in-memory"]);
    const { resources: r } = (await (await fetch(`${sim.endpoint}/_sim/template`)).json()) as TemplateView;
    const [rule, fn] = [r.WorkerTick!.name, r.Worker!.name];
    expect(rule).toMatch(/^shop-WorkerTick-\w+$/);
    const errors: string[] = [];
    const page = await openPage(`${sim.endpoint}/_sim/ui`, errors);
    await page.setViewportSize({ width: 1280, height: 720 });
    await shows(page, "#status", /live/);

    const scheduleCell = page.locator(`#sources tr[data-schedule="${rule}"] td`).first();
    await expect.poll(() => scheduleCell.textContent()).toBe("WorkerTick");
    expect(await scheduleCell.locator(".logical-id").getAttribute("title")).toBe(rule);
    expect(await text(page, `#sources tr.rule.scheduled[data-rule="${rule}"]`)).toMatch(/^WorkerTick enabled.*→ lambda:Worker$/s);

    expect((await fetch(`${sim.endpoint}/_sim/schedules/${rule}/fire`, { method: "POST" })).status).toBe(200);
    const row = page.locator("#invocations tr.invocation").first();
    await expect.poll(() => row.locator("td.via").textContent(), { timeout: 15_000 }).toBe("events:rule/WorkerTick");
    expect(await row.locator("td.function").textContent()).toBe("Worker");
    expect(await row.locator("td.function .logical-id").getAttribute("title")).toBe(fn);
    await shows(page, "#invocations", /success/);
    // No card scrolls sideways: the last column of each table is on the screen.
    expect(await page.locator("section").evaluateAll((all) => all.filter((x) => x.scrollWidth > x.clientWidth).map((x) => x.id))).toEqual([]);
    expect(errors).toEqual([]);
  });
});
