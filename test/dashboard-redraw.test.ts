import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { chromiumSkip as skip, dashboardPages, shows } from "./support/dashboard-page.ts";
import { startLambdaSim } from "./support/lambda-sim-process.ts";
import { until } from "./support/until.ts";

/**
 * Issue 15: the page redraws up to 4 times a second at high event rates, so a redraw changes only the
 * nodes that differ (morph.js) and a lane draws only the chips it has room for. What a person
 * sees must stay what a whole redraw showed.
 */
const HANDLERS = fileURLToPath(new URL("./fixtures/functions/http-handlers/", import.meta.url));
const openPage = dashboardPages();

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), "dashboard-redraw-"));
  writeFileSync(join(dir, "lambda-sim.yaml"), `functions:\n  busy: { runtime: nodejs24.x, handler: index.noop, codeUri: ${JSON.stringify(HANDLERS)} }\n`);
  return join(dir, "lambda-sim.yaml");
}

/** HTML before → after, as a section's redraws write it: rows added on top and dropped below, a row changed, text and attributes changed, keys twice, SVG. */
const STEPS = [
  `<p class="empty">No invocations yet.</p>`,
  `<table><tr><th>request</th></tr>\n<tr data-request-id="a"><td>a</td><td>running…</td></tr></table>`,
  `<table><tr><th>request</th></tr>\n<tr data-request-id="b"><td>b</td><td>running…</td></tr>\n<tr data-request-id="a" class="selected"><td>a</td><td>1.2 ms</td></tr></table>`,
  `<table><tr><th>request</th></tr>\n<tr data-request-id="c"><td>c</td></tr>\n<tr data-request-id="b"><td>b</td><td>running…</td></tr></table><p>two</p>`,
  `<div class="lanes"><div class="lane" data-env-id="e1" data-state="busy"><span class="chips"><span class="chip" data-key="r2">warm 2 ms</span><span class="chip" data-key="r1">warm 1 ms</span></span></div></div>`,
  `<div class="lanes"><div class="lane" data-env-id="e1" data-state="idle"><span class="chips"><span class="chip" data-key="r3">warm 3 ms</span><span class="chip" data-key="r2">warm 2 ms</span></span></div><div class="lane" data-env-id="e2"></div></div>`,
  `<div class="lanes"><div class="lane" data-env-id="e2" data-state="busy"></div><div class="lane" data-env-id="e1" data-state="idle"><span class="chips"><span class="chip" data-key="r2">warm 2 ms</span><span class="chip" data-key="r2">again</span></span></div></div>`,
  `<svg class="spark" viewBox="0 0 100 32"><polyline points="0,1 100,2" stroke="#1d5fd1"/></svg> text <b>bold</b>`,
  `<svg class="spark" viewBox="0 0 100 32"><polyline points="0,5 50,3 100,2" stroke="#1d5fd1"/><polyline points="0,1 100,1" stroke="#a85d00"/></svg> more text`,
  `<tr><td>a row outside a table is dropped, as innerHTML drops it</td></tr>`,
  ``,
];

describe("the dashboard's redraws", () => {
  it.skipIf(skip !== undefined)(`write the DOM a whole innerHTML would, keeping the nodes that did not change${skip ? ` (${skip})` : ""}`, { timeout: 60_000 }, async () => {
    const sim = await startLambdaSim(["--config", project(), "--in-memory"]);
    const errors: string[] = [];
    const page = await openPage(`${sim.endpoint}/_sim/ui`, errors);
    // Only the libraries the page imports are served from vendor/: any other name is not found (an object's own keys neither).
    for (const name of ["constructor", "toString", "nope.js"]) expect((await fetch(`${sim.endpoint}/_sim/ui/vendor/${name}`)).status).toBe(404);
    // The page's own module, run in the page: each step written by morph() beside the same HTML written whole.
    const results = (await page.evaluate(`(async () => {
      const { morph } = await import("/_sim/ui/morph.js");
      const el = document.createElement("div");
      const whole = document.createElement("div");
      const out = [];
      for (const html of ${JSON.stringify(STEPS)}) {
        const watched = ['[data-request-id="b"]', '[data-key="r2"]'];
        const before = watched.map((w) => el.querySelector(w));
        morph(el, html);
        whole.innerHTML = html;
        const kept = watched.map((w, i) => (before[i] === null || el.querySelector(w) === null ? "-" : before[i] === el.querySelector(w) ? "kept" : "new"));
        out.push({ html: el.innerHTML, whole: whole.innerHTML, equal: el.isEqualNode(whole), kept: kept.join(" ") });
      }
      return out;
    })()`)) as { html: string; whole: string; equal: boolean; kept: string }[];
    for (const r of results) expect([r.html, r.equal]).toEqual([r.whole, true]);
    // Row b (running… in both) and chip r2 (warm 2 ms in both) stayed the same nodes where they stayed.
    expect(results.map((r) => r.kept)).toEqual(["- -", "- -", "- -", "kept -", "- -", "- kept", "- kept", "- -", "- -", "- -", "- -"]);
    expect(errors).toEqual([]);
    await sim.kill();
  });

  it.skipIf(skip !== undefined)(`draw a lane's chips as far as it shows them, more in a wider window${skip ? ` (${skip})` : ""}`, { timeout: 120_000 }, async () => {
    const sim = await startLambdaSim(["--config", project(), "--in-memory"]);
    const lambda = new LambdaClient({ endpoint: sim.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
    // One after another: one environment, its lane keeping its latest 24 invocations.
    let last = "";
    for (let i = 0; i < 30; i++) last = (await lambda.send(new InvokeCommand({ FunctionName: "busy", Payload: Buffer.from("{}") }))).$metadata.requestId!;
    const errors: string[] = [];
    const page = await openPage(`${sim.endpoint}/_sim/ui`, errors);
    await shows(page, "#status", /live/);
    // The page opened after they ran: the next ones are what its lane shows.
    for (let i = 0; i < 30; i++) last = (await lambda.send(new InvokeCommand({ FunctionName: "busy", Payload: Buffer.from("{}") }))).$metadata.requestId!;
    const lane = page.locator('[data-function="busy"] .chips');
    /** The chips drawn, and whether the last one drawn is cut off by the lane's edge (the lane is full). */
    const drawn = () =>
      lane.evaluate((chips) => {
        const edge = chips.getBoundingClientRect().right;
        const all = [...chips.querySelectorAll(".chip")];
        return { count: all.length, first: all[0]?.getAttribute("data-request-id"), full: all.length > 0 && all[all.length - 1]!.getBoundingClientRect().right > edge };
      });
    await until(async () => (await drawn()).first === last, 15_000);
    const wide = await drawn();
    // Fewer than the 24 kept, but enough to fill the lane: the last drawn one is cut off.
    expect(wide.count).toBeLessThan(24);
    expect(wide.full).toBe(true);

    // One column at 1,100 px wide: the lane is wider, and more chips are drawn to fill it, with no new invocation.
    await page.setViewportSize({ width: 1100, height: 1000 });
    await until(async () => (await drawn()).count > wide.count && (await drawn()).count < 24, 15_000);
    const wider = await drawn();
    expect(wider.full).toBe(true);
    expect(wider.first).toBe(last);
    expect(errors).toEqual([]);
    lambda.destroy();
    await sim.kill();
  });
});
