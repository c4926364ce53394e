import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { chromiumSkip as skip, dashboardPages, shows, text } from "./support/dashboard-page.ts";
import { startLambdaSim } from "./support/lambda-sim-process.ts";
import { until } from "./support/until.ts";

/**
 * newuser11 N3-1: an Event invocation's retries on the dashboard, in Debian's chromium. AWS keeps
 * the request id across the retries, and each attempt is an invocation of its own, with its own
 * START, REPORT, cold or warm start (aws-facts §5): the lane shows a chip per attempt, the list a
 * row per attempt, each labelled with its attempt, and each row's story tells that attempt. On the
 * virtual clock, the minute and two minutes before the retries pass at a POST.
 */
const CODE = fileURLToPath(new URL("./fixtures/functions/async/", import.meta.url));
const openPage = dashboardPages();

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), "dashboard-retries-"));
  writeFileSync(join(dir, "lambda-sim.yaml"), ["functions:", `  flaky: { runtime: nodejs24.x, handler: index.failsTwice, codeUri: ${JSON.stringify(CODE)} }`, ""].join("\n"));
  return join(dir, "lambda-sim.yaml");
}

describe("an async event's retries on the dashboard", () => {
  it.skipIf(skip !== undefined)(`shows each attempt as its own chip and row, with its attempt, cold or warm start and log${skip ? ` (${skip})` : ""}`, { timeout: 120_000 }, async () => {
    const sim = await startLambdaSim(["--config", project(), "--in-memory", "--clock", "virtual"]);
    const lambda = new LambdaClient({ endpoint: sim.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
    const errors: string[] = [];
    const page = await openPage(`${sim.endpoint}/_sim/ui`, errors);
    await shows(page, "#clock-mode", /^virtual$/);
    const advance = (seconds: number) => fetch(`${sim.endpoint}/_sim/clock/advance`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ seconds }) }).then((r) => expect(r.status).toBe(200));

    const accepted = await lambda.send(new InvokeCommand({ FunctionName: "flaky", InvocationType: "Event", Payload: Buffer.from('{"id":77}') }));
    const id = accepted.$metadata.requestId!;
    const rows = page.locator(`#invocations tr.invocation[data-request-id="${id}"]`);
    const rowTexts = async () => (await rows.allTextContents()).map((t) => t.replace(/\s+/g, " ").trim());
    await until(async () => (await rowTexts()).some((t) => /error/.test(t)), 30_000);
    // The retries wait ~1 min, then ~2 min, of service time (aws-facts §5; jitter up to +10%).
    await advance(70);
    await until(async () => (await rows.count()) === 2 && (await rowTexts()).every((t) => /error/.test(t)), 30_000);
    await advance(140);
    await shows(page, `#async tr[data-request-id="${id}"]`, /flaky.*success.*attempt 3/, 30_000);
    await until(async () => (await rows.count()) === 3 && /success/.test((await rowTexts())[0]!), 15_000);

    // One request id, three invocations, newest first: attempt 1 was the cold start.
    const texts = await rowTexts();
    expect(texts.map((t) => /attempt (\d)/.exec(t)?.[1])).toEqual(["3", "2", "1"]);
    expect(texts.map((t) => /\b(cold|warm)\b/.exec(t)?.[1])).toEqual(["warm", "warm", "cold"]);
    expect(texts.map((t) => /\b(success|error)\b/.exec(t)?.[1])).toEqual(["success", "error", "error"]);
    // The lane has a chip per attempt too.
    const chips = page.locator(`#functions .chip[data-request-id="${id}"]`);
    expect((await chips.allTextContents()).map((t) => t.replace(/^(cold|warm) [\d.]+ ms(?: \+ init [\d.]+ m?s)? · /, "$1 "))).toEqual(["warm attempt 3", "warm attempt 2", "cold attempt 1"]);
    expect(await page.locator("#functions .lane").count()).toBe(1);

    // Each row's story is that attempt's: its start, its REPORT, its own log lines.
    await page.locator(`#invocations tr[data-key="${id}#1"]`).click();
    await shows(page, "#story", /attempt 1 in environment \w+ — cold start/);
    await shows(page, "#story", /try 1 of \{"id":77\}/);
    expect(await text(page, "#story pre")).toMatch(/Init Duration/);
    expect(await text(page, "#story pre")).not.toMatch(/try 2/);
    await page.locator(`#functions .chip[data-key="${id}#3"]`).click();
    await shows(page, "#story", /attempt 3 in environment \w+ — warm/);
    await shows(page, "#story pre", /try 3 of/);
    const third = await text(page, "#story pre");
    expect(third).not.toMatch(/try 1 |Init Duration/);
    expect(third.match(/^START RequestId/gm)).toHaveLength(1);
    // What the page fetches for a row: GET /_sim/invocations/{id}?attempt=N, that attempt's lines only.
    const details = (q: string) => fetch(`${sim.endpoint}/_sim/invocations/${id}${q}`);
    const second = (await (await details("?attempt=2")).json()) as { attempt: number; attempts: number[]; logs: string[] };
    expect([second.attempt, second.attempts, [...new Set(second.logs.join("").match(/try \d/g))]]).toEqual([2, [1, 2, 3], ["try 2"]]);
    expect(((await (await details("")).json()) as { logs: string[] }).logs.filter((l) => l.startsWith("REPORT"))).toHaveLength(3);
    expect((await details("?attempt=0")).status).toBe(400);
    expect((await details("?attempt=4")).status).toBe(404);
    // The tries and where the event ended are the request's, on every attempt's story.
    await shows(page, "#story", /Finished: success/);
    // From the async list, the event's latest attempt.
    await page.locator(`#async tr[data-request-id="${id}"]`).click();
    await shows(page, `#invocations tr[data-key="${id}#3"]`, /attempt 3/);
    expect(await page.locator(`#invocations tr.selected`).getAttribute("data-key")).toBe(`${id}#3`);

    // A synchronous invocation stays one row, without an attempt.
    const sync = await lambda.send(new InvokeCommand({ FunctionName: "flaky", Payload: Buffer.from('{"id":78}') }));
    const syncRow = `#invocations tr.invocation[data-request-id="${sync.$metadata.requestId}"]`;
    await shows(page, syncRow, /warm[\s\S]*success/);
    expect(await page.locator(syncRow).count()).toBe(1);
    expect(await text(page, syncRow)).not.toMatch(/attempt/);
    expect(errors).toEqual([]);
    lambda.destroy();
    await sim.kill();
  });
});
