// Shared by the invoke benchmarks: keep-alive POSTs from N concurrent callers, and the bare
// node:http floor server they are compared with.
import { spawn, type ChildProcess } from "node:child_process";
import { Agent, request } from "node:http";
import { cpuMs, measureCalls, treeCpuMs } from "./support.ts";

export const agent = new Agent({ keepAlive: true, maxSockets: 64 });
const PAYLOAD = Buffer.from('{"bench":true}');

/** One POST of a small JSON payload; resolves with the status once the answer is read. */
export function post(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, path, method: "POST", agent, headers: { "Content-Type": "application/json", "Content-Length": PAYLOAD.length } },
      (res) => {
        res.on("data", () => {});
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(PAYLOAD);
  });
}

export interface Run {
  invocations: number;
  p50: number;
  p99: number;
  perSecond: number;
}

/** `total` calls from `callers` concurrent callers: latency percentiles and calls per second. */
export async function measure(callers: number, total: number, call: () => Promise<number>): Promise<Run> {
  return { ...(await measureCalls(callers, total, call)), invocations: total };
}

/** Starts `node args` and resolves once its stdout matches `ready` (group 1: the port). */
export function startProcess(args: string[], ready: RegExp): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (b: Buffer) => {
      out += b.toString();
      const m = ready.exec(out);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.on("exit", (code) => reject(new Error(`process exited with ${code}: ${out}`)));
  });
}

/** The floor: a bare node:http server in its own process answering every POST with a small JSON body. */
export function startFloorServer(): Promise<{ child: ChildProcess; port: number }> {
  return startProcess(["-e", FLOOR_SERVER], /port (\d+)/);
}

const FLOOR_SERVER = `
const http = require("node:http");
const body = Buffer.from('{"ok":true}');
const s = http.createServer({ keepAlive: true }, (req, res) => {
  req.on("data", () => {});
  req.on("end", () => { res.writeHead(200, { "Content-Type": "application/json", "Content-Length": body.length }); res.end(body); });
});
s.listen(0, "127.0.0.1", () => console.log("port " + s.address().port));
`;

/**
 * The isolation floor: the same node:http server, handing each request's body to a child process
 * of its own over a socket pair per direction (length-prefixed frames; the child blocks in read(2)
 * between them, as our bootstrap does, and answers on the other socket, so that the server reading
 * an answer does not wake it again: runtime-channel.ts; one child per request in flight, reused
 * once it has answered) and answering with the child's reply. The least any design pays that runs
 * every invocation in a process of its own: two more cross-process wake-ups and their system calls.
 */
export function startIsolationFloorServer(): Promise<{ child: ChildProcess; port: number }> {
  return startProcess(["-e", ISOLATION_FLOOR_SERVER], /port (\d+)/);
}

const ISOLATION_FLOOR_CHILD = `
const { readSync, writeSync } = require("node:fs");
const buf = Buffer.allocUnsafe(65536);
let filled = 0;
const fill = (n) => { while (filled < n) { const r = readSync(3, buf, filled, buf.length - filled, null); if (r === 0) process.exit(0); filled += r; } };
const loop = () => {
  fill(4);
  const n = buf.readUInt32BE(0);
  fill(4 + n);
  const out = Buffer.from(JSON.stringify(JSON.parse(buf.toString("utf8", 4, 4 + n)) && { ok: true }));
  buf.copy(buf, 0, 4 + n, filled);
  filled -= 4 + n;
  const frame = Buffer.allocUnsafe(4 + out.length);
  frame.writeUInt32BE(out.length, 0);
  out.copy(frame, 4);
  writeSync(4, frame);
  setImmediate(loop);
};
loop();
`;

const ISOLATION_FLOOR_SERVER = `
const http = require("node:http");
const { spawn } = require("node:child_process");
// One child per event in flight, reused once it has answered (as warm environments are).
const idle = [];
const children = [];
const start = () => {
  const child = spawn(process.execPath, ["-e", ${JSON.stringify(ISOLATION_FLOOR_CHILD)}], { stdio: ["ignore", "inherit", "inherit", "pipe", "pipe"] });
  children.push(child);
  const c = { channel: child.stdio[3], done: undefined, pending: Buffer.alloc(0) };
  child.stdio[4].on("data", (d) => {
    c.pending = c.pending.length ? Buffer.concat([c.pending, d]) : d;
    if (c.pending.length < 4 || c.pending.length < 4 + c.pending.readUInt32BE(0)) return;
    const body = c.pending.subarray(4, 4 + c.pending.readUInt32BE(0));
    c.pending = Buffer.alloc(0);
    const done = c.done;
    idle.push(c);
    done(body);
  });
  return c;
};
const s = http.createServer({ keepAlive: true }, (req, res) => {
  const parts = [];
  req.on("data", (d) => parts.push(d));
  req.on("end", () => {
    const payload = Buffer.concat(parts);
    const c = idle.pop() ?? start();
    c.done = (body) => { res.writeHead(200, { "Content-Type": "application/json", "Content-Length": body.length }); res.end(body); };
    const frame = Buffer.allocUnsafe(4 + payload.length);
    frame.writeUInt32BE(payload.length, 0);
    payload.copy(frame, 4);
    c.channel.write(frame);
  });
});
s.listen(0, "127.0.0.1", () => console.log("port " + s.address().port));
process.on("SIGTERM", () => { for (const c of children) c.kill(); process.exit(0); });
`;

/**
 * Waits until process `pid` and its children have used under 10% of a core for 200 ms (at most
 * 10 s; at once where /proc is missing). After a warm-up the sandbox pool is starting the
 * sandboxes its burst of cold starts called for (README "Cold starts"); a warm figure measured
 * meanwhile would measure their start-up instead.
 */
export async function settled(pid: number): Promise<void> {
  const treeCpu = () => treeCpuMs([pid]);
  for (let waited = 0; waited < 10_000 && cpuMs(pid) !== undefined; waited += 200) {
    const before = treeCpu();
    await new Promise((r) => setTimeout(r, 200));
    if (treeCpu() - before < 20) return;
  }
}

