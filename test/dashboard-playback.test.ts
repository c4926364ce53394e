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

    const child = spawn(process.execPath, [CLI, "ui", "--trace", trace, "--port", "0", "--speed", "100"], { stdio: ["ignore", "pipe", "pipe"] });
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

  it.skipIf(skip !== undefined)(`says playback and its speed, then that it ended, never live; asks no /_sim/clock; shows the shards its batches name${skip ? ` (${skip})` : ""}`, { timeout: 180_000 }, async () => {
    // newuser7 F10: a scenario as a live demo looked like the running simulator, had no shard rows and 404ed on /_sim/clock.
    const dir = mkdtempSync(join(tmpdir(), "dashboard-playback-"));
    writeFileSync(
      join(dir, "poison.yaml"),
      [
        "seed: 3",
        "duration: 5m",
        "functions:",
        "  clicks: { runtime: model, model: { durationMs: 50 } }",
        "streams:",
        "  clicks: { shardCount: 2 }",
        "queues:",
        "  clicks-failed: {}",
        "eventSourceMappings:",
        "  - { functionName: clicks, eventSourceArn: kinesis:clicks, startingPosition: TRIM_HORIZON, batchSize: 5, maximumRetryAttempts: 1, destinationConfig: { onFailure: { destination: sqs:clicks-failed } } }",
        "faults:",
        "  - { kind: error, function: clicks, payloadContains: '\"poison\":true', errorType: SyntaxError, errorMessage: bad click }",
        "traffic:",
        "  - put: { stream: clicks, count: 40, rate: 5, partitionKeys: [a, b, c, d], data: { user: \"{key}\", click: \"{i}\" }, poison: [13] }",
      ].join("\n"),
    );
    const trace = join(dir, "run.jsonl");
    const run = await runCli(["run", join(dir, "poison.yaml"), "--trace", trace]);
    expect(run.code, run.stdout + run.stderr).toBe(0);

    const child = spawn(process.execPath, [CLI, "ui", "--trace", trace, "--port", "0", "--speed", "10"], { stdio: ["ignore", "pipe", "pipe"] });
    children.push(child);
    let out = "";
    child.stdout.on("data", (b: Buffer) => (out += b));
    await until(() => /dashboard: (http:\S+)/.test(out), 30_000);
    browser ??= await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"] });
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    page.on("request", (r) => requests.push(new URL(r.url()).pathname));
    // Every text the status shows, from the first.
    await page.addInitScript(() => {
      const g = globalThis as unknown as { statuses: string[]; document: { querySelector(s: string): unknown }; MutationObserver: new (cb: () => void) => { observe(n: unknown, o: object): void } };
      g.statuses = [];
      const watch = () => {
        const el = g.document.querySelector("#status") as { textContent: string } | null;
        if (el === null) return void setTimeout(watch, 5);
        g.statuses.push(el.textContent);
        new g.MutationObserver(() => g.statuses.push(el.textContent)).observe(el, { childList: true, characterData: true, subtree: true });
      };
      watch();
      // And every "concurrency N in use" the functions section drew (newuser15b F6: a playback said 0 throughout).
      const g2 = g as unknown as { inUse: string[]; document: { querySelector(s: string): { querySelectorAll(s: string): { textContent: string }[] } | null } };
      g2.inUse = [];
      const watchFunctions = () => {
        const el = g2.document.querySelector("#functions .body");
        if (el === null) return void setTimeout(watchFunctions, 5);
        new g.MutationObserver(() => g2.inUse.push(...[...el.querySelectorAll(".in-use")].map((b) => b.textContent))).observe(el, { childList: true, characterData: true, subtree: true });
      };
      watchFunctions();
    });
    await page.goto(/dashboard: (http:\S+)/.exec(out)![1]!);

    // Said while it plays (a second or so at ×10): among every text the status showed, not polled for.
    const statuses = () => page.evaluate(() => (globalThis as unknown as { statuses: string[] }).statuses);
    await until(async () => (await statuses()).some((t) => /^playback ×10 · \d+ events\/s$/.test(t)), 30_000).catch(async (e: Error) => {
      throw new Error(`the status said ${JSON.stringify(await statuses())}\n${e.message}`);
    });
    // Both shards, rebuilt from the trace's batches (a trace has no streams view).
    for (const shard of ["shardId-000000000000", "shardId-000000000001"]) await shows(page, `#sources tr[data-shard="clicks ${shard}"] .consumer`, /^clicks/);
    await shows(page, "#status", /^playback ended$/, 90_000);
    // The busy environments the trace's events show, counted: not the 0 its settings line caught at the start.
    const inUse = await page.evaluate(() => (globalThis as unknown as { inUse: string[] }).inUse);
    expect(inUse.some((n) => Number(n) >= 1), `concurrency in use drawn: ${[...new Set(inUse)].join(", ")}`).toBe(true);
    // The shard whose batch held the poison record gave it up to OnFailure after its one retry; the other lost nothing.
    const givenUp = await page.locator("#sources tr[data-shard] .given-up").allTextContents();
    expect(givenUp.filter((t) => /^1 batch, [1-5] records? → sqs:clicks-failed\s*RetryAttemptsExhausted · last failure /.test(t)), givenUp.join(" | ")).toHaveLength(1);
    expect(givenUp.filter((t) => t === "—")).toHaveLength(1);
    expect(await page.locator("#clock-mode").isVisible(), "the status says it: no clock label").toBe(false);
    expect(await page.locator("#wall-controls").isVisible()).toBe(false);
    expect(await page.locator("#clock-controls").isVisible()).toBe(false);
    expect((await statuses()).filter((t) => /live/.test(t))).toEqual([]);
    expect(requests.filter((p) => p.startsWith("/_sim/clock"))).toEqual([]);
    expect(errors).toEqual([]);
  });
});
