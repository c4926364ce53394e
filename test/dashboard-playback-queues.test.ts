import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { CLI, runCli } from "./support/lambda-sim-process.ts";
import { until } from "./support/until.ts";

/**
 * newuser14 F15 (b), in Debian's chromium: a scenario's trace with queues, played back by
 * `lambda-sim ui --trace`, shows the Queues table (depths over time, the redrive policy's DLQ and
 * what moved there) as the live page does; it showed no queue and no DLQ.
 */
const CHROMIUM = "/usr/bin/chromium";
const skip = existsSync(CHROMIUM) ? undefined : `skipped: Debian's chromium is not installed at ${CHROMIUM} (.ci/run installs it)`;

let browser: Browser | undefined;
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
});
afterAll(async () => {
  await browser?.close();
});

function scenario(): string {
  const dir = mkdtempSync(join(tmpdir(), "dashboard-playback-queues-"));
  writeFileSync(
    join(dir, "jobs.yaml"),
    [
      "seed: 5",
      "duration: 5m",
      "functions:",
      "  worker: { runtime: model, timeout: 20, model: { durationMs: 500, errorProbability: 0.3 }, reservedConcurrency: 1 }",
      "queues:",
      "  jobs: { visibilityTimeout: 20, redrivePolicy: { deadLetterTargetArn: sqs:jobs-dlq, maxReceiveCount: 2 } }",
      "  jobs-dlq: {}",
      "eventSourceMappings:",
      "  - { functionName: worker, eventSourceArn: sqs:jobs, batchSize: 1 }",
      "traffic:",
      "  - send: { queue: jobs, count: 20, rate: 2 }",
      "expect:",
      "  messages: { jobs: 0, jobs-dlq: 1 }",
    ].join("\n"),
  );
  return join(dir, "jobs.yaml");
}

async function text(page: Page, selector: string): Promise<string> {
  return (await page.locator(selector).first().textContent()) ?? "";
}

async function shows(page: Page, selector: string, pattern: RegExp, ms = 30_000): Promise<void> {
  await until(async () => pattern.test(await text(page, selector)), ms).catch(async (e: Error) => {
    throw new Error(`${selector} never matched ${pattern}; it shows: ${await text(page, selector)}\n${e.message}`);
  });
}

describe("the dashboard playing back a scenario's trace with queues", () => {
  it.skipIf(skip !== undefined)(`shows the queues filling and draining and the DLQ${skip ? ` (${skip})` : ""}`, { timeout: 180_000 }, async () => {
    const trace = join(mkdtempSync(join(tmpdir(), "dashboard-playback-queues-")), "run.jsonl");
    const run = await runCli(["run", scenario(), "--trace", trace]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain("jobs → jobs-dlq: 1 moved after 2 receives");
    // The trace carries the queues as they changed (views lines), not only their events.
    const depths = readFileSync(trace, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { type: string; views?: { queues?: { name: string; visible: number; inflight: number }[] } }).flatMap((e) => e.views?.queues ?? []).filter((q) => q.name === "jobs");
    expect(Math.max(...depths.map((q) => q.visible + q.inflight))).toBeGreaterThan(1);

    const child = spawn(process.execPath, [CLI, "ui", "--trace", trace, "--port", "0", "--speed", "40"], { stdio: ["ignore", "pipe", "pipe"] });
    children.push(child);
    let out = "";
    child.stdout.on("data", (b: Buffer) => (out += b));
    await until(() => /dashboard: (http:\S+)/.test(out), 30_000);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"] });
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    // Every number the jobs queue's in-flight cell showed, from the first draw: at ×40 the queue fills
    // and drains in about a second, quicker than polling the page could be sure to catch.
    await page.addInitScript(() => {
      const g = globalThis as unknown as { inflight: string[]; document: { querySelector(s: string): { textContent: string } | null }; MutationObserver: new (cb: () => void) => { observe(n: unknown, o: object): void } };
      g.inflight = [];
      new g.MutationObserver(() => {
        const t = g.document.querySelector('#sources tr[data-queue="jobs"] .inflight')?.textContent;
        if (t !== undefined && t !== g.inflight.at(-1)) g.inflight.push(t);
      }).observe(g.document, { childList: true, characterData: true, subtree: true });
    });
    await page.goto(/dashboard: (http:\S+)/.exec(out)![1]!);

    // Filling: messages in flight while the one worker takes them one by one.
    const inflight = () => page.evaluate(() => (globalThis as unknown as { inflight: string[] }).inflight);
    await until(async () => (await inflight()).some((n) => Number(n) > 0), 30_000).catch(async (e: Error) => {
      throw new Error(`in flight, as drawn: ${JSON.stringify(await inflight())}\n${e.message}`);
    });
    await shows(page, "#status", /^playback ended$/, 120_000);
    // Drained, and the DLQ with what moved there.
    await shows(page, '#sources tr[data-queue="jobs"] .visible', /^0$/);
    await shows(page, '#sources tr[data-queue="jobs"] .inflight', /^0$/);
    await shows(page, '#sources tr[data-queue="jobs"]', /jobs-dlq: 1 moved/);
    await shows(page, '#sources tr[data-queue="jobs-dlq"] .visible', /^1$/);
    expect(await page.locator('#sources tr[data-queue="jobs"] svg.spark polyline, #sources tr[data-queue="jobs"] svg.spark path').count()).toBeGreaterThan(0);
    expect(await page.locator("#sources tr.dlq-move").count()).toBe(1);
    expect(errors).toEqual([]);
  });
});
