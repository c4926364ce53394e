import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { chromiumSkip as skip, dashboardPages } from "./support/dashboard-page.ts";
import { startLambdaSim } from "./support/lambda-sim-process.ts";
import { until } from "./support/until.ts";

/**
 * Issue 15: at a high rate the page redraws once a second and asks the simulator for an events
 * frame every half second (a subscription's `intervalMs`), each holding all since the last; a slow
 * stream gets the simulator's 50 ms frames again, so a 300 ms invocation's lane is seen busy.
 */
const openPage = dashboardPages();

/** `busy` answers in 1 ms, `slow` in 300 (the model runtime: no process per environment). */
function project(): string {
  const dir = mkdtempSync(join(tmpdir(), "dashboard-frame-interval-"));
  writeFileSync(join(dir, "lambda-sim.yaml"), ["functions:", "  busy: { runtime: model, model: { durationMs: 1 } }", "  slow: { runtime: model, model: { durationMs: 300 } }"].join("\n"));
  return join(dir, "lambda-sim.yaml");
}

/** The page's WebSocket traffic: its subscriptions' intervals, and when each events frame came. */
function watchSocket(page: Page) {
  const seen = { intervals: [] as number[], eventsAt: [] as number[] };
  page.on("websocket", (ws) => {
    ws.on("framesent", (f) => {
      const m = JSON.parse(String(f.payload)) as { kind: string; intervalMs?: number };
      if (m.kind === "subscribe") seen.intervals.push(m.intervalMs ?? 0);
    });
    ws.on("framereceived", (f) => {
      if (String(f.payload).startsWith('{"kind":"events"')) seen.eventsAt.push(performance.now());
    });
  });
  return seen;
}

describe("the page's frames", () => {
  it.skipIf(skip !== undefined)(`come at most 2 a second while over 1,000 events a second stream, and every 50 ms again once the stream is slow${skip ? ` (${skip})` : ""}`, { timeout: 120_000 }, async () => {
    const t = await startLambdaSim(["--config", project(), "--in-memory"]);
    const errors: string[] = [];
    let seen: ReturnType<typeof watchSocket> | undefined;
    const page = await openPage(`${t.endpoint}/_sim/ui`, errors, (p) => (seen = watchSocket(p)));
    await until(() => seen!.intervals.length > 0);

    // 32 callers over HTTP until the page has asked for longer frames (it measures its rate each second).
    let loading = true;
    const caller = async () => {
      while (loading) await (await fetch(`${t.endpoint}/2015-03-31/functions/busy/invocations`, { method: "POST", body: "{}" })).arrayBuffer();
    };
    const callers = Array.from({ length: 32 }, caller);
    try {
      await until(() => seen!.intervals.at(-1)! >= 500, 30_000);
      // Two seconds of frames after the change: no more than the interval allows. Counted, not
      // timed one by one: on a loaded machine the browser and this process may pass two on together.
      const from = performance.now() + 300;
      await until(() => performance.now() > from + 2_000);
      const during = seen!.eventsAt.filter((x) => x > from && x <= from + 2_000);
      expect(during.length).toBeGreaterThan(0);
      expect(during.length).toBeLessThanOrEqual(2_000 / seen!.intervals.at(-1)! + 1);
    } finally {
      loading = false;
      await Promise.all(callers);
    }

    // The stream slows: the page asks for the simulator's own cadence again, and a 300 ms invocation shows busy.
    await until(() => seen!.intervals.at(-1) === 0, 10_000);
    const slow = fetch(`${t.endpoint}/2015-03-31/functions/slow/invocations`, { method: "POST", body: "{}" });
    await until(async () => (await page.locator('#functions [data-function="slow"] .lane[data-state="busy"]').count()) > 0, 5_000);
    await (await slow).arrayBuffer();
    expect(errors).toEqual([]);
  });
});
