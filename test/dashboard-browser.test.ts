import { copyFileSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DeleteFunctionConcurrencyCommand, InvokeCommand, LambdaClient, PutFunctionConcurrencyCommand, TooManyRequestsException } from "@aws-sdk/client-lambda";
import { DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { runCli, startLambdaSim, startLambdaSimForFile, type LambdaSimProcess } from "./support/lambda-sim-process.ts";
import { until } from "./support/until.ts";

/**
 * The dashboard as a person sees it, in Debian's chromium driven by playwright-core (no browser
 * download): the bundled example under `lambda-sim start`, then invocations, a throttle and queue
 * traffic through the real SDK clients, each checked on the page.
 */
const CHROMIUM = "/usr/bin/chromium";
const EXAMPLE = fileURLToPath(new URL("../examples/lambda-sim.yaml", import.meta.url));
const OUTPUT = fileURLToPath(new URL("./output/", import.meta.url));
const skip = existsSync(CHROMIUM) ? undefined : `skipped: Debian's chromium is not installed at ${CHROMIUM} (.ci/run installs it)`;

let browser: Browser | undefined;
afterAll(async () => {
  await browser?.close();
});

const credentials = { accessKeyId: "x", secretAccessKey: "x" };

/** The bundled example on the wall clock, started by the first test that wants it and shared by the file's tests (the second only opens its page). */
let example: Promise<LambdaSimProcess> | undefined;
const exampleSim = () => (example ??= startLambdaSimForFile(["--config", EXAMPLE, "--in-memory"]));

/** Waits until the page shows `text` inside `selector` (the dashboard redraws at most ~8 times a second). */
async function shows(page: Page, selector: string, text: string | RegExp): Promise<void> {
  const pattern = typeof text === "string" ? text : text.source;
  await page.waitForFunction(
    ([sel, pat, isRegex]) => {
      // Runs in the page (the test's tsconfig has no DOM types).
      const doc = (globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } }).document;
      const t = doc.querySelector(sel as string)?.textContent ?? "";
      return isRegex ? new RegExp(pat as string).test(t) : t.includes(pat as string);
    },
    [selector, pattern, typeof text !== "string"] as const,
    { timeout: 15_000 },
  );
}

describe("the dashboard in a browser", () => {
  it.skipIf(skip !== undefined)(`shows lanes, warm reuse, a throttle's reason, a queue rising and falling, and the cost${skip ? ` (${skip})` : ""}`, { timeout: 90_000 }, async () => {
    const sim = await exampleSim();
    expect(sim.output()).toContain(`dashboard: ${sim.endpoint}/_sim/ui`);
    const lambda = new LambdaClient({ endpoint: sim.endpoint, region: "us-east-1", credentials });
    const sqs = new SQSClient({ endpoint: sim.endpoint, region: "us-east-1", credentials });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${sim.endpoint}/_sim/ui`);
    await shows(page, "#status", "live");

    // Two invocations: a lane appears for the new environment, the second one is warm.
    await lambda.send(new InvokeCommand({ FunctionName: "hello", Payload: Buffer.from('{"name":"Ada"}') }));
    await shows(page, '[data-function="hello"] .lanes', "cold");
    expect(await page.locator('[data-function="hello"] .lane').count()).toBe(1);
    await lambda.send(new InvokeCommand({ FunctionName: "hello", Payload: Buffer.from('{"name":"Grace"}') }));
    await shows(page, '[data-function="hello"] .lanes', "warm");
    expect(await page.locator('[data-function="hello"] .lane').count()).toBe(1);
    await shows(page, "#invocations", "warm");

    // Clicking an invocation tells its story: the log with START/END/REPORT, the payload and the result.
    await page.locator("#invocations tr.invocation").first().click();
    await shows(page, "#story", "REPORT RequestId");
    await shows(page, "#story", "Grace");

    // A throttle shows its AWS reason, and who hit it.
    await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: "hello", ReservedConcurrentExecutions: 0 }));
    // Asked once: the SDK's own retries of a throttle (backed off ~0.5 s, 1 s) would only throttle again.
    const once = new LambdaClient({ endpoint: sim.endpoint, region: "us-east-1", credentials, maxAttempts: 1 });
    await expect(once.send(new InvokeCommand({ FunctionName: "hello" }))).rejects.toBeInstanceOf(TooManyRequestsException);
    once.destroy();
    await shows(page, '[data-function="hello"]', "ReservedFunctionConcurrentInvocationLimitExceeded");
    await lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: "hello" }));

    // A queue nobody consumes fills, then drains as a consumer deletes its messages.
    const url = `${sim.endpoint}/000000000000/receipts-sent`;
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [1, 2, 3, 4, 5].map((i) => ({ Id: `m${i}`, MessageBody: `{"id":${i}}` })) }));
    await shows(page, '[data-queue="receipts-sent"] .visible', /^5$/);
    // And orders flow through the example's mapping: its batches are counted.
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: `${sim.endpoint}/000000000000/orders`, Entries: [1, 2, 3].map((i) => ({ Id: `o${i}`, MessageBody: `{"id":${i}}` })) }));
    await shows(page, "#sources", "sqs:orders → process-order");
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: got.Messages!.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle! })) }));
    await shows(page, '[data-queue="receipts-sent"] .visible', /^0$/);

    // What it would have cost on AWS: not nothing.
    await shows(page, "#cost-total", /^\$0\.0000[0-9]*[1-9]/);
    expect(errors).toEqual([]);

    mkdirSync(OUTPUT, { recursive: true });
    await page.screenshot({ path: `${OUTPUT}dashboard.png`, fullPage: true });
    if (process.env.UPDATE_DOCS_SCREENSHOT === "1") copyFileSync(`${OUTPUT}dashboard.png`, fileURLToPath(new URL("../docs/dashboard.png", import.meta.url)));
  });

  it.skipIf(skip !== undefined)(`says how service time runs (×10, paused from the page or the CLI, real time) and offers pause and resume${skip ? ` (${skip})` : ""}`, { timeout: 90_000 }, async () => {
    // newuser7 F9.1: a workshop on --time-scale 10 could not tell the scale, nor a paused clock from an idle one.
    const sim = await startLambdaSim(["--config", EXAMPLE, "--in-memory", "--time-scale", "10"]);
    browser ??= await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"] });
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    await page.goto(`${sim.endpoint}/_sim/ui`);
    await shows(page, "#status", /^live · \d+ events\/s$/);
    await shows(page, "#clock-mode", /^×10$/);
    expect(await page.locator("#clock-controls").isVisible(), "advance buttons belong to the virtual clock").toBe(false);

    // newuser7 F9.4: at 1280x720 the first screen shows the event sources beside the lanes (the
    // lane legend folded), no source row wraps to three lines, and no width scrolls sideways.
    await shows(page, "#sources", "sqs:orders → process-order");
    const layout = () =>
      page.evaluate(`(() => {
        const lines = (el) => el.getBoundingClientRect().height / parseFloat(getComputedStyle(el).lineHeight);
        return {
          sourcesTop: document.querySelector("#sources").getBoundingClientRect().top,
          legendOpen: document.querySelector("#lane-legend").open,
          overflow: document.documentElement.scrollWidth - innerWidth,
          lines: Math.max(...[...document.querySelectorAll("#sources tr[data-mapping] td:first-child, #sources tr[data-queue] td:first-child")].map(lines)),
        };
      })()`) as Promise<{ sourcesTop: number; legendOpen: boolean; overflow: number; lines: number }>;
    const first = await layout();
    expect(first.sourcesTop).toBeLessThan(200);
    expect(first.legendOpen).toBe(false);
    expect(first.overflow).toBe(0);
    expect(first.lines).toBeLessThan(2.5);
    await page.locator("#lane-legend summary").click();
    expect(await page.locator('#lane-legend [data-reason="provisioned-released"]').isVisible()).toBe(true);
    for (const width of [800, 1920]) {
      await page.setViewportSize({ width, height: 900 });
      expect((await layout()).overflow, `at ${width} px`).toBe(0);
    }
    await page.setViewportSize({ width: 1280, height: 720 });
    expect(await page.locator('[data-clock="resume"]').isVisible()).toBe(false);

    // Paused from the page: the label, the status and the button say so; service time stands still.
    await page.locator('[data-clock="pause"]').click();
    await shows(page, "#clock-mode", /^paused \(×10\)$/);
    await shows(page, "#status", /^paused/);
    expect(await page.locator('[data-clock="pause"]').isVisible()).toBe(false);
    const stopped = (await (await fetch(`${sim.endpoint}/_sim/clock`)).json()) as { epochMs: number; paused: boolean };
    expect(stopped.paused).toBe(true);
    const frozen = new Date(stopped.epochMs).toISOString().replace("T", " ").slice(0, 19);
    await shows(page, "#time", frozen);

    // Resumed from the CLI, paused from the CLI again: the open page follows without a reload.
    const clock = async (action: string) => expect((await runCli(["clock", action, "--endpoint", sim.endpoint])).code).toBe(0);
    await clock("resume");
    await shows(page, "#clock-mode", /^×10$/);
    await shows(page, "#status", /^live · /);
    await shows(page, "#time", new RegExp(`^(?!${frozen}$)`));
    await clock("pause");
    await shows(page, "#clock-mode", /^paused \(×10\)$/);
    await shows(page, "#status", /^paused/);
    await page.locator('[data-clock="resume"]').click();
    await shows(page, "#clock-mode", /^×10$/);
    expect(errors).toEqual([]);
    await sim.kill();

    // The wall clock at its own pace.
    const plain = await exampleSim();
    await page.goto(`${plain.endpoint}/_sim/ui`);
    await shows(page, "#clock-mode", /^real time$/);
    expect(await page.locator('[data-clock="pause"]').isVisible()).toBe(true);
  });

  it.skipIf(skip !== undefined)(`shows a throttled mapping's backoff while it lasts, and no longer once the queue drained${skip ? ` (${skip})` : ""}`, { timeout: 90_000 }, async () => {
    // newuser7 F9.3: `throttled … backoff 60.0 s` stayed minutes after the queue drained. The
    // function's timeout is the queue's visibility timeout: no room to try a throttled batch again.
    const dir = mkdtempSync(join(tmpdir(), "dashboard-backoff-"));
    writeFileSync(
      join(dir, "lambda-sim.yaml"),
      ["functions:", "  worker: { runtime: model, handler: x, codeUri: ., timeout: 30, reservedConcurrency: 0, model: { durationMs: 1 } }", "queues:", "  jobs: { visibilityTimeout: 30 }", "eventSourceMappings:", "  - { functionName: worker, eventSourceArn: sqs:jobs, batchSize: 1 }", ""].join("\n"),
    );
    const sim = await startLambdaSim(["--config", join(dir, "lambda-sim.yaml"), "--in-memory", "--clock", "virtual"]);
    const config = { endpoint: sim.endpoint, region: "us-east-1", credentials };
    const sqs = new SQSClient(config);
    const lambda = new LambdaClient(config);
    browser ??= await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"] });
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${sim.endpoint}/_sim/ui`);
    await shows(page, "#clock-mode", /^virtual$/);
    expect(await page.locator("#clock-controls").isVisible()).toBe(true);
    expect(await page.locator("#wall-controls").isVisible()).toBe(false);

    const QueueUrl = `${sim.endpoint}/000000000000/jobs`;
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "job" }));
    const advance = (seconds: number) => fetch(`${sim.endpoint}/_sim/clock/advance`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ seconds }) }).then((r) => expect(r.status).toBe(200));
    const row = '#sources tr[data-mapping]';
    // The lane waits a second of service time, which the virtual clock does not move on its own.
    await shows(page, row, /backoff 1\.0 s/);
    await advance(5);
    await until(async () => !/backoff/.test((await page.locator(row).textContent()) ?? ""), 15_000);
    await shows(page, `${row} .n.warn`, /^1$/);

    // The function may run again: the message comes back at its visibility timeout, and the queue drains.
    await lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: "worker" }));
    await advance(60);
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"] }));
    expect([attrs.Attributes!.ApproximateNumberOfMessages, attrs.Attributes!.ApproximateNumberOfMessagesNotVisible]).toEqual(["0", "0"]);
    await shows(page, `${row} .n.warn`, /^\d+$/);
    expect(await page.locator(row).textContent()).not.toMatch(/backoff/);
    expect(errors).toEqual([]);
    for (const c of [sqs, lambda]) c.destroy();
    await sim.kill();
  });
});
