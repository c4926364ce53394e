// bench/subscribers: the cost of watching (issue 15). Warm invocations with nobody watching,
// beside the same with the dashboard open (a WebSocket client on /_sim/events sampling the views
// once a second, as the page does) and `lambda-sim tail` attached, in alternating rounds of the
// same run. The issue's bar: at most 10% fewer invocations per second.
// BENCH_WATCHERS=ws or =tail attaches only one of the two (to see which costs what).
// BENCH_TAIL_LOGS=0 attaches `lambda-sim tail` as it starts by default, without --logs (one line
// per invocation instead of four: START, END and REPORT as well).
// BENCH_PAGE=browser opens the real page instead of that stand-in: /_sim/ui in Debian's chromium
// (bench/page-in-chromium.ts), launched for each watched round as the stand-in is started, its CPU
// that of every chromium process, its events those the page parsed. The stand-in (the default)
// leaves out the page's model and drawing; the browser adds them, and its own processes' work.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { bootstrapInterval, median, treeCpuMs as cpuMs } from "./support.ts";

const WS_MODULE = createRequire(import.meta.url).resolve("ws");

const CLI = fileURLToPath(new URL("../packages/cli/bin/lambda-sim.js", import.meta.url));

interface Watchers {
  events: () => number;
  /** CPU ms the watchers' processes have used so far. */
  cpuMs: () => Promise<number>;
  stop(): Promise<void>;
}

/** BENCH_PAGE=browser: the real page in chromium; otherwise the stand-in below. */
const inBrowser = process.env.BENCH_PAGE === "browser";

/** What the page asks for when it opens (packages/cli/src/dashboard/page: dashboard.js, model.js). */
const PAGE_MODEL: string = "../packages/cli/src/dashboard/page/model.js";
const PAGE_DECODER = new URL("../packages/cli/src/dashboard/page/compact-events.js", import.meta.url).href;
const PAGE_CADENCE = new URL("../packages/cli/src/dashboard/page/cadence.js", import.meta.url).href;
const PAGE_SUBSCRIPTION = JSON.stringify(((await import(PAGE_MODEL)) as { PAGE_SUBSCRIPTION: object }).PAGE_SUBSCRIPTION);

/**
 * The dashboard's side, in a process of its own as a browser would be (parsing the stream in the
 * benchmark's own process would slow its load generator instead of the simulator): a WebSocket
 * client on /_sim/events that subscribes as the page does, asks for the views once a second,
 * parses and decodes the events it gets as the page does, and counts them; once the stream is
 * busy it asks for the page's longer frames, as the page does (cadence.js: 2 a second, not 20). It
 * does not model the page's own work on the events: its model and its drawing.
 */
const PAGE = `
const { WebSocket } = require(process.argv[2]);
let events = 0;
Promise.all([import(process.argv[4]), import(process.argv[5])]).then(([{ decodeEvent }, { isBusy, frameInterval }]) => {
  const ws = new WebSocket(process.argv[1]);
  let fields = [];
  let thisSecond = 0, busy = false, interval = 0;
  ws.on("message", (d) => {
    const f = JSON.parse(String(d));
    if (f.kind === "compact") fields = f.fields;
    else if (f.kind === "events") for (const item of f.events) {
      const e = decodeEvent(item, fields);
      if (e.seq > 0) events++;
      thisSecond += e.type === "invocations.summarized" ? e.environments.reduce((n, x) => n + x[3], 0) : 1;
    }
  });
  ws.on("open", () => {
    ws.send(process.argv[3]);
    console.log("open");
    setInterval(() => {
      busy = isBusy(busy, thisSecond, false);
      thisSecond = 0;
      ws.send('{"kind":"sample"}');
      if (frameInterval(busy) !== interval) ws.send(JSON.stringify({ ...JSON.parse(process.argv[3]), intervalMs: (interval = frameInterval(busy)) }));
    }, 1000);
  });
});
process.on("SIGINT", () => { console.log("events " + events); process.exit(0); });
`;

/** BENCH_PROFILE=dir (bench/invoke.ts) profiles the watchers too, in dir/page (the stand-in only) and dir/tail. */
const profile = (who: string) => (process.env.BENCH_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE}/${who}`] : []);

async function watch(port: number): Promise<Watchers> {
  const which = process.env.BENCH_WATCHERS ?? "both";
  let events = 0;
  const page: ChildProcess | undefined =
    which === "tail" || inBrowser ? undefined : spawn(process.execPath, [...profile("page"), "-e", PAGE, `ws://127.0.0.1:${port}/_sim/events`, WS_MODULE, PAGE_SUBSCRIPTION, PAGE_DECODER, PAGE_CADENCE], { stdio: ["ignore", "pipe", "inherit"] });
  if (page) {
    let out = "";
    page.stdout!.on("data", (b: Buffer) => {
      out += b;
      const m = /events (\d+)/.exec(out);
      if (m) events = Number(m[1]);
    });
    await new Promise<void>((r) => page.stdout!.once("data", () => r()));
  }
  // Loaded only then: the default run's process (the load generator) does not carry playwright.
  const browserPage = which !== "tail" && inBrowser ? await (await import("./page-in-chromium.ts")).openChromiumPage(port) : undefined;
  // tail writes its lines to a pipe we drain, as a terminal would take them.
  const logs = process.env.BENCH_TAIL_LOGS === "0" ? [] : ["--logs"];
  const tail: ChildProcess | undefined = which === "ws" ? undefined : spawn(process.execPath, [...profile("tail"), CLI, "tail", ...logs, "--endpoint", `http://127.0.0.1:${port}`], { stdio: ["ignore", "pipe", "pipe"] });
  tail?.stdout!.resume();
  if (tail) await new Promise<void>((r) => tail.stderr!.once("data", () => r()));
  const pids = [page?.pid, tail?.pid].filter((p): p is number => p !== undefined);
  return {
    events: () => events,
    cpuMs: async () => cpuMs(pids) + (browserPage ? await browserPage.cpuMs() : 0),
    async stop() {
      tail?.kill("SIGINT");
      if (browserPage) {
        events = await browserPage.events();
        await browserPage.close();
      }
      if (page) {
        const gone = new Promise((r) => page.once("exit", r));
        page.kill("SIGINT");
        await gone;
      }
    },
  };
}

export interface SubscriberRun {
  invocations: number;
  perSecond: number;
  p50: number;
}

/** Unmeasured blocks (`settle`) after the watchers attach, before a watched round ... */
const WATCHER_WARM_BLOCKS = 5;
/**
 * ... and for at least this long: the page in chromium boots for its first 2 s or so under this
 * load (its renderer took 300-590 ms of CPU in the first second after its snapshot, 80-100 in the
 * second, 20-40 a second from the third on), which a page open for a workshop's length is past.
 */
const WATCHER_WARM_MS = 5_000;

/**
 * Alternates rounds without and with watchers (BENCH_ROUNDS pairs, default 6), each pair's two
 * rounds back to back and in turn in either order (alone first, then watched first: a trend in
 * the machine's load does not favour one side), each round after a short unmeasured block in
 * the same condition (`settle`: the watchers' exit behind us; freshly attached watchers get
 * WATCHER_WARM_BLOCKS of them, for WATCHER_WARM_MS at least, their code warm as a dashboard and
 * a tail left open for a workshop's length are: V8 optimises their parsing and formatting over
 * their first thousands of events; measured within their first thousand, the watchers took 41 µs
 * of CPU per invocation, warm ones about 25: tail --logs 17, the page 8), and prints
 * - invocations per second, median of each kind of round, and the median of the pairs' losses
 *   with its 90% bootstrap interval (support.ts);
 * - CPU time per invocation of the simulator and its functions' processes, and of the watchers'
 *   processes: on a machine others load too, throughput swings with their load, and the CPU
 *   the simulator spends per invocation less (though it too moved from 170 to 300 µs between
 *   runs of the noisiest sittings). With every core busy, the rate lost to watching is about the
 *   CPU added per invocation over the CPU an invocation takes alone.
 * `run` measures one round; `simPid` is the simulator's process.
 */
export async function compareSubscribers(port: number, callers: number, run: () => Promise<SubscriberRun>, simPid?: number, settle: () => Promise<unknown> = async () => {}): Promise<void> {
  const alone: SubscriberRun[] = [];
  const watched: SubscriberRun[] = [];
  const cpu = { alone: [] as number[], watchedSim: [] as number[], watchers: [] as number[] };
  const rounds = Number(process.env.BENCH_ROUNDS ?? 6);
  const simCpu = () => (simPid === undefined ? 0 : cpuMs([simPid]));
  let seen = 0;
  let invocations = 0;
  const measureAlone = async () => {
    await settle();
    const c0 = simCpu();
    const a = await run();
    alone.push(a);
    cpu.alone.push(simCpu() - c0);
    invocations = a.invocations;
  };
  const measureWatched = async () => {
    const w = await watch(port);
    const attached = performance.now();
    for (let i = 0; i < WATCHER_WARM_BLOCKS || performance.now() - attached < WATCHER_WARM_MS; i++) await settle();
    const c0 = simCpu();
    const w0 = await w.cpuMs();
    watched.push(await run());
    cpu.watchedSim.push(simCpu() - c0);
    cpu.watchers.push((await w.cpuMs()) - w0);
    await w.stop();
    seen += w.events();
  };
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) {
      await measureAlone();
      await measureWatched();
    } else {
      await measureWatched();
      await measureAlone();
    }
  }
  const a = { perSecond: median(alone.map((r) => r.perSecond)), p50: median(alone.map((r) => r.p50)) };
  const b = { perSecond: median(watched.map((r) => r.perSecond)), p50: median(watched.map((r) => r.p50)) };
  const loss = 1 - b.perSecond / a.perSecond;
  const pairLosses = watched.map((w, i) => 1 - w.perSecond / alone[i]!.perSecond);
  const pairLoss = median(pairLosses);
  const [low, high] = bootstrapInterval(pairLosses, median);
  const which = process.env.BENCH_WATCHERS ?? "both";
  const tail = process.env.BENCH_TAIL_LOGS === "0" ? "lambda-sim tail" : "lambda-sim tail --logs";
  const pageName = inBrowser ? "dashboard page in chromium" : "dashboard WebSocket";
  const who = which === "ws" ? pageName : which === "tail" ? tail : `${pageName} + ${tail}`;
  console.log(`\nwatched (${who}), ${callers} caller${callers === 1 ? "" : "s"}, median of ${rounds} pairs of rounds, alternating which goes first:`);
  console.log(`  nobody watching:  ${a.perSecond.toFixed(0).padStart(6)} inv/s  p50 ${a.p50.toFixed(3)} ms`);
  console.log(`  watched:          ${b.perSecond.toFixed(0).padStart(6)} inv/s  p50 ${b.p50.toFixed(3)} ms   (${which === "tail" ? "page not attached" : `${seen} events streamed to the page`})`);
  console.log(`  loss:             ${(loss * 100).toFixed(1)}% (issue 15's bar: at most 10%); median of the pairs' losses ${(pairLoss * 100).toFixed(1)}% (90% interval ${(low * 100).toFixed(1)}% to ${(high * 100).toFixed(1)}%)`);
  console.log(`  pairs (alone/watched inv/s): ${alone.map((x, i) => `${x.perSecond.toFixed(0)}/${watched[i]!.perSecond.toFixed(0)}`).join("  ")}`);
  if (simPid !== undefined) {
    const per = (ms: number) => (ms / invocations) * 1000;
    const simAlone = median(cpu.alone.map(per));
    const simWatched = median(cpu.watchedSim.map(per));
    const watchers = median(cpu.watchers.map(per));
    const added = simWatched - simAlone + watchers;
    console.log(`  CPU µs per invocation (median): simulator + functions alone ${simAlone.toFixed(0)}, watched ${simWatched.toFixed(0)}; the watchers' processes ${watchers.toFixed(0)}`);
    console.log(`  CPU added by watching: ${((added / simAlone) * 100).toFixed(1)}% of an invocation's (the simulator's share ${(((simWatched - simAlone) / simAlone) * 100).toFixed(1)}%)`);
  }
}
