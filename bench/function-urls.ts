// bench/function-urls: Function URLs and response streaming (issue 18), beside references measured
// in the same run.
//
//   node bench/function-urls.ts [--quick]
//
// - A warm no-op function through its Function URL (payload 2.0 event built, answer read) beside
//   the same function through Invoke, and a bare node:http loopback round trip: p50, p99, req/s,
//   1 and 8 keep-alive callers.
// - Streaming: a handler that writes one chunk, then 200 ms later the rest. Time to the first byte
//   through a RESPONSE_STREAM URL and through InvokeWithResponseStream, beside the time to the
//   whole answer (what a BUFFERED URL makes the client wait).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { measureCalls, median, startSimulator } from "./support.ts";

const quick = process.argv.includes("--quick");
const N = quick ? 2_000 : 10_000;
const STREAM_N = quick ? 5 : 20;
const agent = new Agent({ keepAlive: true, maxSockets: 64 });
const PAYLOAD = Buffer.from('{"bench":true}');

function call(port: number, method: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method, agent, headers: { "Content-Type": "application/json", "Content-Length": PAYLOAD.length } }, (res) => {
      res.on("data", () => {});
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end(PAYLOAD);
  });
}

/** Milliseconds to the first body byte and to the end of the answer. */
function timed(port: number, method: string, path: string): Promise<{ first: number; all: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    let first = 0;
    const req = request({ host: "127.0.0.1", port, path, method, agent, headers: { "Content-Type": "application/json", "Content-Length": PAYLOAD.length } }, (res) => {
      res.on("data", () => (first ||= performance.now() - t0));
      res.on("end", () => resolve({ first, all: performance.now() - t0 }));
    });
    req.on("error", reject);
    req.end(PAYLOAD);
  });
}

const FLOOR = `
const http = require("node:http");
const body = Buffer.from('{"ok":true}');
const s = http.createServer({ keepAlive: true }, (req, res) => { req.on("data", () => {}); req.on("end", () => { res.writeHead(200, { "Content-Type": "application/json", "Content-Length": body.length }); res.end(body); }); });
s.listen(0, "127.0.0.1", () => console.log("port " + s.address().port));
`;

function floorServer(): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ["-e", FLOOR], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve) => child.stdout!.on("data", (b: Buffer) => resolve({ child, port: Number(/port (\d+)/.exec(b.toString())![1]) })));
}

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), "lambda-sim-bench-urls-"));
  mkdirSync(join(dir, "fn"));
  writeFileSync(
    join(dir, "fn", "index.mjs"),
    `export const noop = async () => ({ ok: true });
export const slow = awslambda.streamifyResponse(async (_event, stream) => {
  stream.write("first chunk;");
  await new Promise((r) => setTimeout(r, 200));
  stream.end("rest");
});
`,
  );
  const fn = (name: string, handler: string, url: string) => `  ${name}:\n    runtime: nodejs24.x\n    handler: index.${handler}\n    codeUri: ./fn\n    functionUrl: ${url}\n`;
  writeFileSync(
    join(dir, "lambda-sim.yaml"),
    `functions:\n${fn("noop", "noop", "{ authType: NONE }")}${fn("slow", "slow", "{ authType: NONE, invokeMode: RESPONSE_STREAM }")}${fn("slowbuffered", "slow", "{ authType: NONE }")}`,
  );
  return join(dir, "lambda-sim.yaml");
}

const fmt = (n: number) => n.toFixed(3).padStart(8);

async function main(): Promise<void> {
  const floor = await floorServer();
  const sim = await startSimulator([], ["--in-memory", "--config", project()]);
  try {
    const state = (await (await fetch(`http://127.0.0.1:${sim.port}/_sim/state`)).json()) as { functionUrls: { functionName: string; pathUrl: string }[] };
    const pathOf = (name: string) => new URL(state.functionUrls.find((u) => u.functionName === name)!.pathUrl).pathname;
    const url = pathOf("noop");
    const invoke = "/2015-03-31/functions/noop/invocations";
    await measureCalls(8, 500, () => call(sim.port, "POST", url));
    console.log(`warm no-op, ${N} requests each (ms; req/s):`);
    for (const callers of [1, 8]) {
      const u = await measureCalls(callers, N, () => call(sim.port, "POST", url));
      const i = await measureCalls(callers, N, () => call(sim.port, "POST", invoke));
      const f = await measureCalls(callers, N, () => call(floor.port, "POST", "/"));
      console.log(`  ${callers} caller(s)  Function URL p50 ${fmt(u.p50)} p99 ${fmt(u.p99)} ${u.perSecond.toFixed(0).padStart(6)}/s`);
      console.log(`              Invoke       p50 ${fmt(i.p50)} p99 ${fmt(i.p99)} ${i.perSecond.toFixed(0).padStart(6)}/s`);
      console.log(`              node:http    p50 ${fmt(f.p50)} p99 ${fmt(f.p99)} ${f.perSecond.toFixed(0).padStart(6)}/s`);
    }
    const stream = { url: [] as number[], sdk: [] as number[], all: [] as number[], buffered: [] as number[] };
    await timed(sim.port, "GET", pathOf("slow"));
    await timed(sim.port, "GET", pathOf("slowbuffered"));
    for (let k = 0; k < STREAM_N; k++) {
      const s = await timed(sim.port, "GET", pathOf("slow"));
      stream.url.push(s.first);
      stream.all.push(s.all);
      stream.sdk.push((await timed(sim.port, "POST", "/2021-11-15/functions/slow/response-streaming-invocations")).first);
      stream.buffered.push((await timed(sim.port, "GET", pathOf("slowbuffered"))).first);
    }
    console.log(`\nstreaming: a chunk, then 200 ms, then the rest (median of ${STREAM_N}, ms):`);
    console.log(`  first byte, RESPONSE_STREAM URL     ${fmt(median(stream.url))}`);
    console.log(`  first byte, InvokeWithResponseStream ${fmt(median(stream.sdk))}`);
    console.log(`  whole answer, RESPONSE_STREAM URL   ${fmt(median(stream.all))}`);
    console.log(`  first byte, BUFFERED URL (reference) ${fmt(median(stream.buffered))}`);
  } finally {
    floor.child.kill();
    sim.child.kill("SIGTERM");
    agent.destroy();
  }
}

await main();
