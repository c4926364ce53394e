// The real dashboard page (/_sim/ui) in Debian's chromium, for bench/subscribers (BENCH_PAGE=browser):
// headless at a projector's 1600×1000, as bench/page.ts shows it. chromium is launched by
// playwright-core, but the page is not one of playwright's: playwright turns on the Network domain
// of every page it drives and is sent each WebSocket frame's text (Network.webSocketFrameReceived),
// so the page's renderer would copy every events frame into the DevTools protocol and the
// benchmark's own process, its load generator, would parse it again. The page here is a tab opened
// on the browser's own DevTools session, which playwright leaves alone (it adopts no page outside
// its own contexts), and is talked to on a session of its own with only the Page domain on.
import { existsSync } from "node:fs";
import { chromium, type Browser, type CDPSession } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";

/**
 * Run in the page before its own scripts: counts the events of the `events` frames the page parses
 * (what its status line counts as the rate), and notes the first snapshot (the page is connected
 * and subscribed). Wrapping JSON.parse costs a property read per parse; the page parses each
 * frame once (dashboard.js), so nothing is parsed twice.
 */
const COUNT_EVENTS = `{
  const parse = JSON.parse;
  const seen = { events: 0, snapshot: false };
  JSON.parse = function (text, reviver) {
    const v = parse.call(this, text, reviver);
    if (v !== null && typeof v === "object") {
      if (v.kind === "events" && Array.isArray(v.events)) seen.events += v.events.length;
      else if (v.kind === "snapshot") seen.snapshot = true;
    }
    return v;
  };
  Object.defineProperty(window, "__benchSeen", { value: seen });
}`;

export interface ChromiumPage {
  /** chromium's name and version. */
  version: string;
  /** Events the page has got so far. */
  events(): Promise<number>;
  /** CPU ms every chromium process (browser, renderers, GPU, utilities) has used so far. */
  cpuMs(): Promise<number>;
  /** The same, by process type (browser, renderer, GPU, utility: the network service). */
  cpuMsByType(): Promise<Record<string, number>>;
  /**
   * Seconds the page's main thread has spent so far, in all (its tasks) and on script, style and
   * layout (chromium's Performance.getMetrics); paint's raster runs on other threads, outside these.
   */
  mainThread(): Promise<{ tasks: number; script: number; style: number; layout: number }>;
  /** A DevTools command to the page's tab (bench/page.ts' BENCH_PAGE_PROFILE: the Profiler domain). */
  send(method: string, params?: object): Promise<any>;
  close(): Promise<void>;
}

/** A DevTools session to one tab, over the browser's session (Target.sendMessageToTarget): not one playwright knows. */
function tabSession(browserCdp: CDPSession, sessionId: string) {
  let next = 0;
  const waiting = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  browserCdp.on("Target.receivedMessageFromTarget", (e: { sessionId: string; message: string }) => {
    if (e.sessionId !== sessionId) return;
    const m = JSON.parse(e.message) as { id?: number; result?: unknown; error?: { message: string } };
    const w = m.id === undefined ? undefined : waiting.get(m.id);
    if (!w) return; // a Page event: not needed
    waiting.delete(m.id!);
    if (m.error) w.reject(new Error(m.error.message));
    else w.resolve(m.result);
  });
  return (method: string, params: object = {}): Promise<any> =>
    new Promise((resolve, reject) => {
      const id = ++next;
      waiting.set(id, { resolve, reject });
      browserCdp.send("Target.sendMessageToTarget", { sessionId, message: JSON.stringify({ id, method, params }) }).catch(reject);
    });
}

/** Launches chromium and opens the dashboard of the simulator on `port`; resolves once the page has its snapshot. */
export async function openChromiumPage(port: number): Promise<ChromiumPage> {
  if (!existsSync(CHROMIUM)) throw new Error(`BENCH_PAGE=browser: Debian's chromium is not at ${CHROMIUM} (apt-get install chromium)`);
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"] });
  try {
    const cdp = await browser.newBrowserCDPSession();
    const { targetId } = (await cdp.send("Target.createTarget", { url: "about:blank" })) as { targetId: string };
    const { sessionId } = (await cdp.send("Target.attachToTarget", { targetId, flatten: false })) as { sessionId: string };
    const tab = tabSession(cdp, sessionId);
    await tab("Page.enable"); // Page.addScriptToEvaluateOnNewDocument takes effect only with it
    await tab("Performance.enable");
    await tab("Emulation.setDeviceMetricsOverride", { width: 1600, height: 1000, deviceScaleFactor: 1, mobile: false });
    await tab("Page.addScriptToEvaluateOnNewDocument", { source: COUNT_EVENTS });
    await tab("Page.navigate", { url: `http://127.0.0.1:${port}/_sim/ui` });
    const seen = async () => (await tab("Runtime.evaluate", { expression: "window.__benchSeen ?? null", returnByValue: true })).result.value as { events: number; snapshot: boolean } | null;
    // Up to a minute, as the simulator's start is given (support.ts): a loaded machine is slow to start a browser.
    for (let i = 0; ; i++) {
      if ((await seen())?.snapshot) break;
      if (i === 1200) throw new Error("the dashboard page did not get its snapshot");
      await new Promise((r) => setTimeout(r, 50));
    }
    const cpuMsByType = async () => {
      const info = (await cdp.send("SystemInfo.getProcessInfo")) as { processInfo: { type: string; cpuTime: number }[] };
      const out: Record<string, number> = {};
      for (const p of info.processInfo) out[p.type] = (out[p.type] ?? 0) + p.cpuTime * 1000;
      return out;
    };
    return {
      version: `chromium ${browser.version()}`,
      events: async () => (await seen())?.events ?? 0,
      cpuMs: async () => Object.values(await cpuMsByType()).reduce((s, ms) => s + ms, 0),
      cpuMsByType,
      async mainThread() {
        const { metrics } = (await tab("Performance.getMetrics")) as { metrics: { name: string; value: number }[] };
        const m = (name: string) => metrics.find((x) => x.name === name)?.value ?? 0;
        return { tasks: m("TaskDuration"), script: m("ScriptDuration"), style: m("RecalcStyleDuration"), layout: m("LayoutDuration") };
      },
      send: tab,
      close: () => browser.close(),
    };
  } catch (e) {
    await browser.close();
    throw e;
  }
}
