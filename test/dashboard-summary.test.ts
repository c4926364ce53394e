import { WebSocket } from "ws";
import { EventHub, LAMBDA_PRICES_US_EAST_1, Telemetry, VirtualClock, type HubFrame } from "@lambda-sim/core";
import { describe, expect, it } from "vitest";
// @ts-expect-error: the page's own JavaScript (no declarations): the browser loads it as is.
import { applyEvent, createModel, PAGE_SUBSCRIPTION } from "../packages/cli/src/dashboard/page/model.js";
// @ts-expect-error: the page's own JavaScript.
import { applySnapshot, applyViews } from "../packages/cli/src/dashboard/page/state-views.js";
import { decodeEvent } from "../packages/cli/src/dashboard/page/compact-events.js";
import { perTestSimulator } from "./support/per-test-simulator.ts";
import { until } from "./support/until.ts";

/**
 * Issue 15: the dashboard's stream at a high invocation rate. A busy frame's routine invocations
 * (warm successes) reach the page summed per environment, so what the page does follows its
 * frames, not the rate; what a person reads from it stays exact: every invocation counted, the
 * cost to the cent the server's, every error and cold start shown one by one.
 */
const sims = perTestSimulator();

const model = (name: string, errorProbability: number) => ({ functionName: name, runtime: "model", handler: "x", codeDir: process.cwd(), memorySize: 512, timeout: 3, model: { durationMs: { min: 1, max: 5 }, coldStartMs: 5, errorProbability, timeoutProbability: 0 } });

interface Page {
  ws: WebSocket;
  m: any;
  /** Invocations the page learnt of: one by one, and summed. */
  finished: number;
  summed: number;
  errors: number;
  cold: number;
}

/**
 * The page's side, as dashboard.js does it: its subscription, each frame into its model (then
 * `applied`); `intervalMs`, as the page asks for it above 1,000 events a second (cadence.js).
 */
function openPage(endpoint: string, intervalMs: number | undefined, applied?: (frame: HubFrame, page: Page) => void): Promise<Page> {
  const ws = new WebSocket(`${endpoint.replace("http", "ws")}/_sim/events`);
  const page: Page = { ws, m: createModel(), finished: 0, summed: 0, errors: 0, cold: 0 };
  let fields: string[][] = [];
  ws.on("message", (data) => {
    const frame = JSON.parse(String(data)) as HubFrame;
    if (frame.kind === "snapshot") applySnapshot(page.m, frame);
    else if (frame.kind === "compact") fields = frame.fields as string[][];
    else if (frame.kind === "views") applyViews(page.m, frame);
    else if (frame.kind === "events") {
      for (const item of frame.events) {
        const e = decodeEvent(item, fields) as { type: string; status?: string; initDurationMs?: number; environments?: [string, string, string, number, number][] };
        applyEvent(page.m, e);
        if (e.type === "invocation.finished") {
          page.finished++;
          if (e.status !== "success") page.errors++;
          if (e.initDurationMs !== undefined) page.cold++;
        } else if (e.type === "invocations.summarized") for (const entry of e.environments!) page.summed += entry[3];
      }
    }
    applied?.(frame, page);
  });
  return new Promise((resolve, reject) => {
    ws.once("open", () => {
      ws.send(JSON.stringify({ ...PAGE_SUBSCRIPTION, intervalMs }));
      resolve(page);
    });
    ws.once("error", reject);
  });
}

describe.each([
  { frames: "on the simulator's cadence", intervalMs: undefined },
  { frames: "in frames half a second apart", intervalMs: 500 },
])("the dashboard's stream at a high invocation rate, $frames", ({ intervalMs }) => {
  it("sums a busy frame's warm successes, and the page still counts every invocation, its cost the server's, each error and cold start shown", { timeout: 120_000 }, async () => {
    const t = await sims.start({ functions: [model("busy", 0), model("flaky", 0.2)] });
    const page = await openPage(t.endpoint, intervalMs);
    await until(() => page.m.seq > 0 || page.m.functions.size > 0);
    let invoked = 0;
    let functionErrors = 0;
    // 32 callers over HTTP, as an SDK would call Invoke: well over 1,000 invocations a second.
    const caller = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const fn = i % 10 === 0 ? "flaky" : "busy";
        const res = await fetch(`${t.endpoint}/2015-03-31/functions/${fn}/invocations`, { method: "POST", body: "{}" });
        await res.arrayBuffer();
        invoked++;
        if (res.headers.get("x-amz-function-error") !== null) functionErrors++;
      }
    };
    for (let round = 0; round < 20 && page.summed === 0; round++) await Promise.all(Array.from({ length: 32 }, () => caller(100)));
    await until(() => page.finished + page.summed === invoked, 30_000);

    // Some frames were busy enough to be summed, and nothing was counted twice or lost.
    expect(page.summed).toBeGreaterThan(0);
    expect(page.finished + page.summed).toBe(invoked);
    // Errors are never summed: each one reached the page as itself.
    expect(functionErrors).toBeGreaterThan(0);
    expect(page.errors).toBe(functionErrors);
    // Cold starts neither: one per environment the simulator made.
    const environments = new Set(t.sim.invoker.environments().map((e) => e.id)).size;
    expect(page.cold).toBe(environments);
    // The page's cost, counted from the stream, is the server's (core's lambda-cost.ts).
    const server = t.sim.hub.view("cost") as { total: number; functions: Record<string, { requests: number }> };
    expect(page.m.cost.functions.busy.requests).toBe(server.functions.busy!.requests);
    expect(page.m.cost.total).toBeCloseTo(server.total, 12);
    // The list says how many it does not show.
    expect([...page.m.summarized.values()].reduce((a: number, b: number) => a + b, 0)).toBe(page.summed);
    page.ws.close();
  });

  it("counts no summed invocation twice when the page samples the views in the middle of a busy frame", { timeout: 120_000 }, async () => {
    const t = await sims.start({ functions: [model("busy", 0)] });
    // The server's count at each seq: the invocations finished up to it (seqs rise).
    const finishedAt: number[] = [];
    t.sim.hub.observe((e) => {
      if (e.type === "invocation.finished") finishedAt.push(e.seq);
    });
    const finishedUpTo = (seq: number) => finishedAt.filter((s) => s <= seq).length;
    // After each frame the page has applied, its count of requests is the server's at the last seq
    // it knows of: its last event's, or its views' (a views frame is answered at once: it may come
    // before the events frame that holds the events up to its seq, which the page then skips).
    const wrong: { after: string; seq: number; page: number; server: number }[] = [];
    const page = await openPage(t.endpoint, intervalMs, (frame, page) => {
      const requests = page.m.cost.functions.busy?.requests;
      const seq = Math.max(page.m.seq, page.m.costSeq);
      if (requests !== undefined && (frame.kind === "events" || frame.kind === "views") && requests !== finishedUpTo(seq)) {
        wrong.push({ after: frame.kind, seq, page: requests, server: finishedUpTo(seq) });
      }
    });
    await until(() => page.m.seq > 0 || page.m.functions.size > 0);
    // The page asks for the views (its cost among them) once a second, whenever that falls in a
    // frame; here every 37 ms, so that many land inside frames busy enough to be summed. Eight
    // callers: few environments, so most of a busy frame's invocations are summed (three of each
    // environment's are not), and the summary's place is late in its frame.
    const sampler = setInterval(() => page.ws.send(JSON.stringify({ kind: "sample" })), 37);
    let invoked = 0;
    const caller = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const res = await fetch(`${t.endpoint}/2015-03-31/functions/busy/invocations`, { method: "POST", body: "{}" });
        await res.arrayBuffer();
        invoked++;
      }
    };
    try {
      for (let round = 0; round < 10 && (round < 2 || page.summed === 0); round++) await Promise.all(Array.from({ length: 8 }, () => caller(200)));
    } finally {
      clearInterval(sampler);
    }
    await until(() => page.finished + page.summed === invoked, 30_000);
    expect(page.summed).toBeGreaterThan(0);
    expect(wrong).toEqual([]);
    page.ws.close();
  });
});

describe("the dashboard's stream at a high invocation rate", () => {
  it("prices a summed invocation as the page prices it one by one, when its environment retires or its function is deleted later in the frame", async () => {
    // The hub and the page's model, without a simulator: a frame's order is what this is about, and
    // only events emitted in one turn are sure to share a frame (the simulator's are spread over 50 ms).
    const clock = new VirtualClock(0);
    const telemetry = new Telemetry(clock);
    const hub = new EventHub(telemetry, clock, 0);
    const functions = [{ name: "fn", memorySize: 1024, architecture: "x86_64" }, { name: "gone", memorySize: 2048, architecture: "arm64" }];
    hub.addView("functions", () => functions);
    hub.addView("cost", () => ({ prices: LAMBDA_PRICES_US_EAST_1, functions: {}, total: 0 }), { snapshotOnly: true });
    /** A page's model fed by the hub: summed (the page's subscription), or every invocation one by one. */
    const pageOf = (summarize: boolean) => {
      const m = createModel();
      let fields: string[][] = [];
      const client = hub.connect({
        send: (text, written) => {
          const frame = JSON.parse(text) as HubFrame;
          if (frame.kind === "snapshot") applySnapshot(m, frame);
          else if (frame.kind === "compact") fields = frame.fields as string[][];
          else if (frame.kind === "events") for (const item of frame.events) applyEvent(m, decodeEvent(item, fields));
          written();
        },
        bufferedBytes: () => 0,
      });
      expect(client.subscribe({ ...PAGE_SUBSCRIPTION, summarize })).toBe(true);
      return m;
    };
    const [summed, whole] = [pageOf(true), pageOf(false)];
    const state = (environmentId: string, functionName: string, from: string, to: string, extra: object = {}) =>
      telemetry.emit({ type: "environment.state-changed", environmentId, functionName, version: "$LATEST", from, to, ...extra } as never);
    let n = 0;
    const invoke = (functionName: string, environmentId: string) => {
      const requestId = `r${n++}`;
      telemetry.emit({ type: "invocation.started", requestId, functionName, version: "$LATEST", environmentId, coldStart: false, payload: "{}" });
      telemetry.emit({ type: "invocation.finished", requestId, functionName, version: "$LATEST", environmentId, durationMs: 90, billedDurationMs: 100, maxMemoryUsedMb: 60, status: "success" });
    };
    // Ten provisioned environments of fn, two on-demand ones, one of gone.
    const provisioned = Array.from({ length: 10 }, (_, i) => `p${i}`);
    for (const id of provisioned) state(id, "fn", "none", "idle", { provisioned: true });
    for (const id of ["d0", "d1"]) state(id, "fn", "none", "idle");
    state("g0", "gone", "none", "idle");
    await new Promise((r) => setImmediate(r));

    // One frame: invocations on each, then the provisioned ones released (the page keeps six
    // retired lanes of a function) and gone deleted, then more invocations on demand.
    for (let i = 0; i < 80; i++) invoke("fn", provisioned[i % 10]!);
    for (let i = 0; i < 10; i++) invoke("gone", "g0");
    for (const id of provisioned) state(id, "fn", "idle", "retired", { provisioned: true, reason: "provisioned-released" });
    // (gone's environment retires in a later frame.)
    telemetry.emit({ type: "function.changed", functionName: "gone", change: "deleted" });
    for (let i = 0; i < 60; i++) invoke("fn", `d${i % 2}`);
    await new Promise((r) => setImmediate(r));

    expect([...summed.summarized.values()].reduce((a: number, b: number) => a + b, 0)).toBeGreaterThan(0);
    for (const name of ["fn", "gone"]) {
      const [a, b] = [summed.cost.functions[name], whole.cost.functions[name]];
      expect({ name, requests: a.requests, provisionedRequests: a.provisionedRequests }).toEqual({ name, requests: b.requests, provisionedRequests: b.provisionedRequests });
      expect(a.gbSeconds).toBeCloseTo(b.gbSeconds, 9);
      expect(a.cost).toBeCloseTo(b.cost, 12);
    }
    expect(summed.cost.total).toBeCloseTo(whole.cost.total, 12);
  });
});
