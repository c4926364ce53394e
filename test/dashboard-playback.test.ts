import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { CLI, runCli } from "./support/lambda-sim-process.ts";
import { until } from "./support/until.ts";

/**
 * newuser3 R4, in Debian's chromium: a scenario's trace played back by `lambda-sim ui --trace`.
 * The Async panel keeps one row per event with all its outcomes (a failed event used three rows,
 * and a minute of schedule successes pushed it off the list); the cost panel adds up the
 * invocations at the memory the trace records (it showed $0 and no rows).
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
  const dir = mkdtempSync(join(tmpdir(), "dashboard-playback-"));
  writeFileSync(
    join(dir, "notify.yaml"),
    [
      "seed: 2",
      "duration: 10m",
      "functions:",
      "  notify:",
      "    runtime: model",
      "    memorySize: 512",
      "    model: { durationMs: 100, errorProbability: 1 }",
      "    eventInvokeConfig: { maximumRetryAttempts: 0, destinationConfig: { onFailure: { destination: sqs:notify-failed } } }",
      "    deadLetterConfig: { targetArn: sqs:notify-dlq }",
      "  tick: { runtime: model, model: { durationMs: 20 } }",
      "queues:",
      "  notify-failed: {}",
      "  notify-dlq: {}",
      "traffic:",
      "  - invoke: { function: notify, count: 1 }",
      "  - wait: 1m",
      // What a minute-by-minute schedule leaves after a while: many plain successes.
      "  - invoke: { function: tick, count: 40, rate: 1 }",
    ].join("\n"),
  );
  return join(dir, "notify.yaml");
}

async function text(page: Page, selector: string): Promise<string> {
  return (await page.locator(selector).first().textContent()) ?? "";
}

async function shows(page: Page, selector: string, pattern: RegExp, ms = 30_000): Promise<void> {
  await until(async () => pattern.test(await text(page, selector)), ms).catch(async (e: Error) => {
    throw new Error(`${selector} never matched ${pattern}; it shows: ${await text(page, selector)}\n${e.message}`);
  });
}

describe("the dashboard playing back a scenario's trace", () => {
  it.skipIf(skip !== undefined)(`keeps a failed event's outcomes in one row past many successes, and adds up the cost${skip ? ` (${skip})` : ""}`, { timeout: 180_000 }, async () => {
    const trace = join(mkdtempSync(join(tmpdir(), "dashboard-playback-")), "run.jsonl");
    const run = await runCli(["run", scenario(), "--trace", trace]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/notify: 1 invocations, 1 errors, .*1 given up/);

    const child = spawn(process.execPath, [CLI, "ui", "--trace", trace, "--port", "0", "--speed", "20"], { stdio: ["ignore", "pipe", "pipe"] });
    children.push(child);
    let out = "";
    child.stdout.on("data", (b: Buffer) => (out += b));
    await until(() => /dashboard: (http:\S+)/.test(out), 30_000);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"] });
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(/dashboard: (http:\S+)/.exec(out)![1]!);

    const notifyRow = page.locator("#async tr", { hasText: "notify" });
    await until(async () => (await notifyRow.count()) === 1 && /DeadLetterQueue/.test(await notifyRow.textContent() ?? ""), 30_000);
    expect(await notifyRow.textContent()).toMatch(/notify\s*gave up → OnFailure → DeadLetterQueue/);
    // All 40 ticks played: the failed event is still listed, in one row, beside the latest successes.
    await shows(page, "#cost", /tick\s*40/, 60_000);
    expect(await notifyRow.count()).toBe(1);
    expect(await page.locator("#async tr", { hasText: "tick" }).count()).toBeGreaterThan(0);

    // Cost at the recorded memory: notify 512 MB, 1 request of 100 ms; tick 128 MB, 40 of 20 ms.
    await shows(page, '#cost tr[data-cost="notify"]', /notify\s*1\s*0\.0500\s*512 MB x86_64/);
    await shows(page, '#cost tr[data-cost="tick"]', /tick\s*40\s*0\.1000\s*128 MB x86_64/);
    expect(await text(page, "#cost-total")).not.toBe("$0.0000000");
    expect(errors).toEqual([]);
  });
});
