import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { chromiumSkip as skip, dashboardPages, shows, text } from "./support/dashboard-page.ts";
import { startLambdaSim } from "./support/lambda-sim-process.ts";

/**
 * Issue 15, the dashboard in a room: on the virtual clock its advance buttons move service time,
 * and what waits on service time with it (an async event's next attempt, a recurring schedule's
 * next fire); and the page loads nothing from outside the simulator (it works offline): every
 * request it makes, its WebSocket included, goes to the simulator's own address.
 */
const HANDLERS = fileURLToPath(new URL("./fixtures/functions/http-handlers/", import.meta.url));
const openPage = dashboardPages();

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), "dashboard-clock-"));
  const code = JSON.stringify(HANDLERS);
  writeFileSync(
    join(dir, "lambda-sim.yaml"),
    [
      "functions:",
      `  ok: { runtime: nodejs24.x, handler: index.noop, codeUri: ${code} }`,
      `  fail: { runtime: nodejs24.x, handler: index.fail, codeUri: ${code} }`,
      "schedules:",
      '  every5: { scheduleExpression: "rate(5 minutes)", target: { arn: lambda:ok } }',
      "",
    ].join("\n"),
  );
  return join(dir, "lambda-sim.yaml");
}

/** `2026-12-06 18:55:00` (the page's clockTime) as epoch ms. */
const epoch = (shown: string) => Date.parse(`${shown.replace(" ", "T")}Z`);
/** `in 59.0 s`, `in 2.0 min`: ms, to the page's tenth. */
const countdown = (shown: string) => {
  const m = /^in (\d+(?:\.\d)?) (ms|s|min)$/.exec(shown);
  if (m === null) throw new Error(`not a countdown: ${shown}`);
  return Number(m[1]) * { ms: 1, s: 1000, min: 60_000 }[m[2] as "ms" | "s" | "min"];
};

describe("the dashboard on the virtual clock, offline", () => {
  it.skipIf(skip !== undefined)(`advances service time with its buttons, counting down an async retry and a schedule's next fire, and loads nothing from outside${skip ? ` (${skip})` : ""}`, { timeout: 120_000 }, async () => {
    const sim = await startLambdaSim(["--config", project(), "--in-memory", "--clock", "virtual"]);
    const requested: string[] = [];
    const errors: string[] = [];
    const page = await openPage(`${sim.endpoint}/_sim/ui`, errors, (p) => {
      p.on("request", (r) => requested.push(r.url()));
      p.on("websocket", (ws) => requested.push(ws.url()));
    });
    await shows(page, "#status", /live/);
    await shows(page, "#clock-mode", /^virtual$/);
    const now = async () => epoch(await text(page, "#time"));

    // A recurring schedule's next fire: a time ahead of service time, and how long until it.
    const fire = '#sources tr[data-schedule="every5"] .next-fire';
    await shows(page, fire, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(in [\d.]+ (s|min)\)$/);
    const firstFire = epoch((await text(page, fire)).slice(0, 19));
    const t0 = await now();
    expect(firstFire - t0).toBeGreaterThan(0);
    expect(firstFire - t0).toBeLessThanOrEqual(5 * 60_000);

    // An async event that failed waits about a minute (aws-facts §5) for its retry: the page counts it down.
    const lambda = new LambdaClient({ endpoint: sim.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
    const failing = await lambda.send(new InvokeCommand({ FunctionName: "fail", InvocationType: "Event" }));
    const next = `#async tr[data-request-id="${failing.$metadata.requestId}"] td:nth-child(3)`;
    await shows(page, next, /^in [\d.]+ s$/);
    const wait = countdown(await text(page, next));
    // A minute, jittered up to +10% (async-retry-policy.ts; AWS's jitter is unrecorded), less what has passed.
    expect(wait).toBeGreaterThanOrEqual(55_000);
    expect(wait).toBeLessThanOrEqual(66_000);

    // +1 s: service time moves a second, the retry comes a second nearer, the schedule stays put.
    const t1 = await now();
    await page.locator('[data-advance="1"]').click();
    await shows(page, "#time", new RegExp(`^${new Date(t1 + 1000).toISOString().replace("T", " ").slice(0, 19)}$`));
    await shows(page, next, new RegExp(`^in ${((wait - 1000) / 1000).toFixed(1)} s$`));
    expect(epoch((await text(page, fire)).slice(0, 19))).toBe(firstFire);

    // +10 min: the retry ran (and failed: it waits for its second, about 2 minutes on); the schedule
    // fired, its next fire 5 minutes after one in the last 5 minutes.
    await page.locator('[data-advance="600"]').click();
    await shows(page, "#time", new RegExp(`^${new Date(t1 + 601_000).toISOString().replace("T", " ").slice(0, 19)}$`));
    await shows(page, fire, /\(in [\d.]+ (s|min)\)$/);
    const laterFire = epoch((await text(page, fire)).slice(0, 19));
    expect(laterFire).toBeGreaterThan(t1 + 601_000);
    expect((laterFire - firstFire) % (5 * 60_000)).toBe(0);
    await shows(page, "#invocations", /ok/);
    // Both retries ran within those 10 minutes: nothing waits, and the event was given up after its 3 invocations.
    await shows(page, "#async", new RegExp(`Waiting for a retry \\(0\\).*${failing.$metadata.requestId!.slice(0, 8)}\\s*fail\\s*dropped\\s*RetriesExhausted after 3 invocation\\(s\\)`));

    // Everything the page asked for came from the simulator: its page, script, styles, API calls and event stream.
    const origin = new URL(sim.endpoint);
    expect(requested.length).toBeGreaterThan(3);
    for (const url of requested) {
      const u = new URL(url);
      expect(u.protocol === "data:" || (["http:", "ws:"].includes(u.protocol) && u.host === origin.host), url).toBe(true);
    }
    expect(requested.some((u) => u.startsWith(`ws://${origin.host}/_sim/events`))).toBe(true);
    expect(requested).toContain(`${sim.endpoint}/_sim/clock/advance`);
    expect(errors).toEqual([]);
    lambda.destroy();
    await sim.kill();
  });
});
