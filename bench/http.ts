// bench/http: an HTTP API request to a warm no-op function (issue 18).
//
//   node bench/http.ts [--quick] [--no-peer]
//
// GET requests with keep-alive clients, 1 and 8 at once (p50, p99, requests/s), each level after a
// warm-up at the same concurrency, to:
// lambda-sim's HTTP API front (payload 2.0, through the Invoker to a Node process per environment),
// and the same function through the Lambda Invoke API (what the front adds);
// a bare node:http server answering the same body (the floor); and serverless-offline (HTTP API
// event, its default worker-thread handlers) when it can be installed: it is installed by package
// name into a scratch folder under the system temp directory (kept for later runs), never as a
// dependency of this repository. `--no-peer` skips it. Each server runs in its own process.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, measureCalls as measure, startSimulator } from "./support.ts";

const quick = process.argv.includes("--quick");
const noPeer = process.argv.includes("--no-peer");
const N = quick ? 2_000 : 10_000;
const WARMUP = quick ? 200 : 1_000;
/** The serverless-offline line (v13 is the last for Serverless Framework v3, which needs no login). */
const PEER = ["serverless@3", "serverless-offline@13"];

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

function get(port: number, path: string, method = "GET"): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method, agent }, (res) => {
      res.on("data", () => {});
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end();
  });
}


const HANDLER = "export const handler = async () => ({ statusCode: 200, body: 'ok' });\n";

function project(): { dir: string; config: string } {
  const dir = mkdtempSync(join(tmpdir(), "lambda-sim-bench-http-"));
  writeFileSync(join(dir, "index.mjs"), HANDLER);
  const config = join(dir, "lambda-sim.yaml");
  writeFileSync(config, ["functions:", "  noop: { runtime: nodejs24.x, handler: index.handler, codeUri: . }", "apis:", "  bench:", "    id: benchapi01", '    routes: { "GET /noop": noop }', ""].join("\n"));
  return { dir, config };
}

const FLOOR = `
const http = require("node:http");
const s = http.createServer({ keepAlive: true }, (req, res) => { req.resume(); req.on("end", () => { res.writeHead(200, { "content-type": "text/plain", "content-length": "2" }); res.end("ok"); }); });
s.listen(0, "127.0.0.1", () => console.log("port " + s.address().port));
`;

function startProcess(command: string, args: string[], ready: RegExp, opts: { cwd?: string } = {}): Promise<ChildProcess> {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], cwd: opts.cwd });
  return new Promise((resolve, reject) => {
    let out = "";
    const seen = (b: Buffer) => {
      out += b.toString();
      if (ready.test(out)) resolve(child);
    };
    child.stdout!.on("data", seen);
    child.stderr!.on("data", seen);
    child.on("exit", (code) => reject(new Error(`${command} exited with ${code}: ${out.slice(-2000)}`)));
  });
}

/** serverless-offline in a scratch folder, or why it could not be run. */
async function startPeer(): Promise<{ child: ChildProcess; port: number } | string> {
  const dir = join(tmpdir(), "lambda-sim-bench-serverless-offline");
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(dir, "node_modules", "serverless-offline"))) {
    writeFileSync(join(dir, "package.json"), '{ "name": "bench-serverless-offline", "private": true }\n');
    console.log(`installing ${PEER.join(" ")} into ${dir} (once)...`);
    const npm = spawnSync("npm", ["install", ...PEER, "--no-audit", "--no-fund", "--loglevel=error"], { cwd: dir, encoding: "utf8", timeout: 600_000 });
    if (npm.status !== 0) return `npm install failed: ${(npm.stderr || npm.error?.message || "").trim().split("\n").slice(-3).join(" ")}`;
  }
  writeFileSync(join(dir, "handler.mjs"), HANDLER);
  const port = await freePort();
  const lambdaPort = await freePort();
  writeFileSync(
    join(dir, "serverless.yml"),
    ["service: bench", "frameworkVersion: '3'", "provider: { name: aws, runtime: nodejs20.x }", "plugins: [serverless-offline]", "functions:", "  noop:", "    handler: handler.handler", "    events: [{ httpApi: { method: GET, path: /noop } }]", ""].join("\n"),
  );
  const bin = join(dir, "node_modules", "serverless", "bin", "serverless.js");
  try {
    const child = await startProcess(process.execPath, [bin, "offline", "start", "--httpPort", String(port), "--lambdaPort", String(lambdaPort), "--noTimeout"], /Server ready/, { cwd: dir });
    return { child, port };
  } catch (e) {
    return `serverless-offline did not start: ${(e as Error).message.split("\n").slice(-3).join(" ")}`;
  }
}

async function runAll(label: string, port: number, path: string, method = "GET"): Promise<void> {
  for (const clients of [1, 8]) {
    // Warm-up at the same concurrency, so that 8 clients meet 8 warm environments, not cold starts.
    await measure(clients, WARMUP, () => get(port, path, method));
    const r = await measure(clients, N, () => get(port, path, method));
    console.log(`${label.padEnd(28)} ${String(clients).padStart(2)} client${clients === 1 ? " " : "s"}  p50 ${r.p50.toFixed(3).padStart(7)} ms  p99 ${r.p99.toFixed(3).padStart(7)} ms  ${Math.round(r.perSecond).toString().padStart(6)} req/s`);
  }
}

async function main(): Promise<void> {
  console.log(`bench/http: ${N} requests per line after ${WARMUP} warm-up requests at the same concurrency, keep-alive clients`);
  const { dir, config } = project();
  const sim = await startSimulator([], ["--in-memory", "--quiet", "--config", config]);
  try {
    // Eight environments made warm before anything is measured: cold starts are not the subject here.
    await measure(8, WARMUP * 2, () => get(sim.port, "/_aws/execute-api/benchapi01/noop"));
    await runAll("lambda-sim HTTP API", sim.port, "/_aws/execute-api/benchapi01/noop");
    // The same function through the Lambda Invoke API: what the front adds on top of an invocation.
    await runAll("lambda-sim Invoke API", sim.port, "/2015-03-31/functions/noop/invocations", "POST");
    const floorServer = await startFloor();
    try {
      await runAll("node:http floor", floorServer.port, "/noop");
    } finally {
      floorServer.child.kill();
    }
    if (noPeer) console.log("serverless-offline: skipped (--no-peer)");
    else {
      const peer = await startPeer();
      if (typeof peer === "string") console.log(`serverless-offline: not measured (${peer})`);
      else {
        try {
          await runAll("serverless-offline (worker)", peer.port, "/noop");
        } finally {
          peer.child.kill();
        }
      }
    }
  } finally {
    sim.child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The bare node:http floor in its own process. */
async function startFloor(): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ["-e", FLOOR], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (b: Buffer) => {
      out += b.toString();
      const m = /port (\d+)/.exec(out);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.on("exit", (code) => reject(new Error(`floor exited with ${code}`)));
  });
}

await main();
agent.destroy();
