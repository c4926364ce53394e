import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { chromiumSkip as skip, dashboardPages, shows, text } from "./support/dashboard-page.ts";
import { startLambdaSim } from "./support/lambda-sim-process.ts";
import { until } from "./support/until.ts";

/**
 * The dashboard's Async panel and invocation story as a person sees them, in Debian's chromium:
 * an async event that succeeded without an OnSuccess destination is listed as finished (success),
 * an event waiting for a retry since before the page opened shows its age, and an invocation whose
 * answer an API could not read tells the API's 502 and why.
 */
const HANDLERS = fileURLToPath(new URL("./fixtures/functions/http-handlers/", import.meta.url));
const OUTPUT = fileURLToPath(new URL("./output/", import.meta.url));
const openPage = dashboardPages();

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), "dashboard-async-"));
  const code = JSON.stringify(HANDLERS);
  writeFileSync(
    join(dir, "lambda-sim.yaml"),
    [
      "functions:",
      `  ok: { runtime: nodejs24.x, handler: index.noop, codeUri: ${code} }`,
      `  fail: { runtime: nodejs24.x, handler: index.fail, codeUri: ${code} }`,
      `  slow: { runtime: nodejs24.x, handler: index.slow, codeUri: ${code}, reservedConcurrency: 1, timeout: 30 }`,
      "  busy: { runtime: model, handler: x, codeUri: ., model: { durationMs: 1 } }",
      `  answer: { runtime: nodejs24.x, handler: index.answer, codeUri: ${code} }`,
      "apis:",
      '  shop: { protocolType: REST, id: shopapi001, routes: { "POST /broken": answer } }',
      "",
    ].join("\n"),
  );
  return join(dir, "lambda-sim.yaml");
}

describe("the dashboard's async panel and story in a browser", () => {
  it.skipIf(skip !== undefined)(`lists a successful async event as finished, the age of a retry enqueued before the page opened, and an API's 502 in the story${skip ? ` (${skip})` : ""}`, { timeout: 240_000 }, async () => {
    // Service time ×10: the async queue's throttle backoffs (1 s, 2 s, 4 s, ...) pass in a tenth of
    // the wall time; handlers run in wall time, as always.
    const sim = await startLambdaSim(["--config", project(), "--in-memory", "--time-scale", "10"]);
    const lambda = new LambdaClient({ endpoint: sim.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
    // An event that fails its first attempt waits a minute (service time, 6 s here) for its retry.
    const failing = await lambda.send(new InvokeCommand({ FunctionName: "fail", InvocationType: "Event" }));
    await until(() => sim.output().includes("retry in"), 30_000).catch((e: Error) => { throw new Error(sim.output() + e.message); });

    const errors: string[] = [];
    const page = await openPage(`${sim.endpoint}/_sim/ui`, errors);
    await shows(page, "#status", /live/);

    // Waiting since before the page connected: its age comes from the snapshot, not "—".
    const waitingRow = `#async tr[data-request-id="${failing.$metadata.requestId}"]`;
    await shows(page, waitingRow, /fail/);
    expect(await text(page, `${waitingRow} td:last-child`)).toMatch(/^\d+(\.\d)? (ms|s|min)$/);

    // A success without an OnSuccess destination is finished all the same.
    const ok = await lambda.send(new InvokeCommand({ FunctionName: "ok", InvocationType: "Event" }));
    const finishedRow = `#async tr[data-request-id="${ok.$metadata.requestId}"]`;
    await shows(page, finishedRow, /ok.*success/);
    // And so are events that were throttled first (reserved concurrency 1, a burst of 3).
    const burst = await Promise.all([1, 2, 3].map(() => lambda.send(new InvokeCommand({ FunctionName: "slow", InvocationType: "Event", Payload: Buffer.from('{"queryStringParameters":{"ms":"200"}}') }))));
    // Throttled attempts back off (1 s, 2 s, 4 s... of service time: the async queue's throttle backoff), so the last may take a while.
    for (const b of burst) await shows(page, `#async tr[data-request-id="${b.$metadata.requestId}"]`, /slow.*success/, 60_000);

    // An event throttled while hundreds of other invocations come and go (the page keeps the last
    // 300 invocations' stories) is still listed when it finally succeeds.
    const starts = () => sim.output().split("[slow] START").length;
    const before = starts();
    // The one slot is held until the 320 invocations below have finished: the handler waits for a
    // file the test writes then (not under /tmp, which is the environment's own, as on AWS).
    mkdirSync(OUTPUT, { recursive: true });
    const holdDir = mkdtempSync(join(OUTPUT, "dashboard-async-hold-"));
    const release = join(holdDir, "release");
    const hold = lambda.send(new InvokeCommand({ FunctionName: "slow", Payload: Buffer.from(JSON.stringify({ queryStringParameters: { release } })) }));
    await until(() => starts() > before);
    const gated = await lambda.send(new InvokeCommand({ FunctionName: "slow", InvocationType: "Event" }));
    for (let round = 0; round < 16; round++) await Promise.all(Array.from({ length: 20 }, () => lambda.send(new InvokeCommand({ FunctionName: "busy" }))));
    writeFileSync(release, "");
    await hold;
    rmSync(holdDir, { recursive: true, force: true });
    await shows(page, `#async tr[data-request-id="${gated.$metadata.requestId}"]`, /slow.*success/, 60_000);

    // A REST API that cannot read the function's answer: the invocation's story tells the 502 and why.
    const res = await fetch(`${sim.endpoint}/_aws/execute-api/shopapi001/Prod/broken`, { method: "POST", body: JSON.stringify({ answer: { statusCode: 200, bodyy: 1 } }) });
    expect(res.status).toBe(502);
    await shows(page, "#invocations", /answer/);
    await page.locator("#invocations tr.invocation", { hasText: "answer" }).first().click();
    await shows(page, "#story", /REST API shopapi001 stage Prod route POST \/broken answered 502: Execution failed due to configuration error: Malformed Lambda proxy response/);
    await shows(page, "#story", /unexpected field "bodyy"/);
    await shows(page, "#invocations", /502/);
    expect(errors).toEqual([]);
    lambda.destroy();
    await sim.kill();
  });
});
