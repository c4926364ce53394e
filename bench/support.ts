// Shared by the benchmarks: a simulator in its own process, like a real deployment.
import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Agent, createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";

const CLI = fileURLToPath(new URL("../packages/cli/bin/lambda-sim.js", import.meta.url));

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/**
 * `lambda-sim start` with `startArgs` (node flags first in `nodeArgs`). Its stdout goes to
 * /dev/null so that a benchmark measures the service, not how fast this process drains a pipe.
 */
export async function startSimulator(nodeArgs: string[], startArgs: string[], env: Record<string, string> = {}): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeArgs, CLI, "start", ...startArgs, "--port", String(port)], { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, ...env } });
  // Up to a minute: on a loaded machine, type-stripping the simulator's modules alone takes seconds.
  for (let i = 0; i < 1200; i++) {
    if (child.exitCode !== null) throw new Error(`simulator exited with ${child.exitCode}`);
    const ok = await fetch(`http://127.0.0.1:${port}/_sim/health`).then((r) => r.ok, () => false);
    if (ok) return { child, port };
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("simulator did not become healthy");
}

/**
 * A bare better-sqlite3 database with the Store's own settings (WAL, synchronous=NORMAL): the floor
 * the benchmarks print beside the simulator's figures.
 */
export function rawSqlite(file: string) {
  const Database = createRequire(new URL("../packages/core/package.json", import.meta.url))("better-sqlite3");
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  return db;
}

/** Latency percentiles (ms) and rate of `total` calls spread over `callers` concurrent callers. */
export async function measureCalls(callers: number, total: number, call: () => Promise<number>, okStatus = 200): Promise<{ p50: number; p99: number; perSecond: number }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (next < total) {
        next++;
        const t0 = performance.now();
        const status = await call();
        latencies.push(performance.now() - t0);
        if (status !== okStatus) throw new Error(`status ${status}`);
      }
    }),
  );
  const elapsed = performance.now() - started;
  latencies.sort((a, b) => a - b);
  return { p50: latencies[Math.floor(latencies.length * 0.5)]!, p99: latencies[Math.floor(latencies.length * 0.99)]!, perSecond: (total / elapsed) * 1000 };
}

export const awsJsonAgent = new Agent({ keepAlive: true, maxSockets: 16 });

/**
 * One AWS JSON-protocol call (`X-Amz-Target: <target>`) on a keep-alive agent; rejects on any
 * status but 200 with the service's answer.
 */
export function awsJsonCall(port: number, target: string, input: unknown, contentType = "application/x-amz-json-1.0"): Promise<any> {
  const body = Buffer.from(JSON.stringify(input));
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path: "/", method: "POST", agent: awsJsonAgent, headers: { "Content-Type": contentType, "X-Amz-Target": target, "Content-Length": body.length } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString();
        if (res.statusCode !== 200) reject(new Error(`${target}: ${res.statusCode} ${text}`));
        else resolve(JSON.parse(text));
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

/**
 * CPU time (user + system, ms) a process has used so far, from /proc (Linux; undefined elsewhere).
 * On a shared machine a rate moves with the load; the simulator's CPU per message much less.
 */
export function cpuMs(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

/** CPU ms (user + system) used so far by these processes and their living children (the functions' processes), from /proc. */
export function treeCpuMs(pids: number[]): number {
  const tick = 1000 / 100; // USER_HZ is 100 on Linux
  let total = 0;
  const seen = new Set<number>();
  const visit = (pid: number) => {
    if (seen.has(pid)) return;
    seen.add(pid);
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      total += (Number(f[11]) + Number(f[12])) * tick;
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        for (const c of readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8").trim().split(/\s+/)) if (c) visit(Number(c));
      }
    } catch {
      // gone meanwhile
    }
  };
  for (const p of pids) visit(p);
  return total;
}

/**
 * How many times a process's main thread and its children's have gone to sleep so far
 * (voluntary_ctxt_switches in /proc/PID/status): `{ own, children }`. Each sleep is a wake-up to
 * come, and on a virtual machine a wake-up on an idle CPU costs about as much as a no-op
 * invocation's JavaScript (issue 16), so wake-ups per invocation are a figure of their own.
 */
export function sleeps(pid: number): { own: number; children: number } {
  const count = (p: number | string) => {
    try {
      return Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, "utf8"))?.[1] ?? 0);
    } catch {
      return 0; // gone meanwhile
    }
  };
  let children = 0;
  try {
    for (const c of readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/)) if (c) children += count(c);
  } catch {
    // not Linux, or gone
  }
  return { own: count(pid), children };
}

/** The median (of an even count, the mean of the middle two). */
export function median(xs: number[]): number {
  const s = xs.slice().sort((x, y) => x - y);
  const mid = s.length / 2;
  return s.length % 2 === 1 ? s[Math.floor(mid)]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * A 90% bootstrap interval of `stat` over `xs`: `stat` of 2,000 resamples (with replacement, from
 * a fixed seed: the same pairs give the same interval), their 5th and 95th percentiles. On a
 * shared machine, where single rounds swing by tens of percent, it says whether a figure is
 * apart from a bar or within the noise of the run.
 */
export function bootstrapInterval(xs: number[], stat: (sample: number[]) => number): [number, number] {
  let seed = 0x2545f491;
  const next = () => {
    // xorshift32: enough to pick indices uniformly
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 0x1_0000_0000;
  };
  const stats: number[] = [];
  for (let i = 0; i < 2_000; i++) stats.push(stat(xs.map(() => xs[Math.floor(next() * xs.length)]!)));
  stats.sort((a, b) => a - b);
  return [stats[Math.floor(stats.length * 0.05)]!, stats[Math.floor(stats.length * 0.95)]!];
}
