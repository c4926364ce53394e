// bench/extensions: what layers and an external extension cost an invocation (issue 20).
//
//   node bench/extensions.ts [--quick]
//
// Warm synchronous invocations (1 caller, p50/p99) and cold starts (a configuration change
// retires the environment; the next invocation runs Init) of one no-op Node handler three ways,
// in the same run: plain (the reference), with two layers mounted at /opt, and with a Node
// extension in a layer that registers for INVOKE and asks for its next event at once (so each
// invocation also waits for that extension's round trip through the Extensions API).
import { mkdirSync, mkdtempSync, writeFileSync, chmodSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { measureCalls, startSimulator } from "./support.ts";

const quick = process.argv.includes("--quick");
const WARM_N = quick ? 500 : 3000;
const COLD_N = quick ? 5 : 15;

const dir = mkdtempSync(join(tmpdir(), "bench-extensions-"));
mkdirSync(join(dir, "src"));
writeFileSync(join(dir, "src/index.js"), "exports.handler = async () => ({ ok: true });\n");
for (const l of ["a", "b"]) {
  mkdirSync(join(dir, `layers/${l}/nodejs/node_modules/lib-${l}`), { recursive: true });
  writeFileSync(join(dir, `layers/${l}/nodejs/node_modules/lib-${l}/index.js`), "module.exports = 1;\n");
}
mkdirSync(join(dir, "layers/ext/extensions"), { recursive: true });
const ext = join(dir, "layers/ext/extensions/noop");
writeFileSync(
  ext,
  `#!${process.execPath}
const api = "http://" + process.env.AWS_LAMBDA_RUNTIME_API + "/2020-01-01/extension";
(async () => {
  const r = await fetch(api + "/register", { method: "POST", headers: { "Lambda-Extension-Name": "noop" }, body: '{"events":["INVOKE"]}' });
  const id = r.headers.get("lambda-extension-identifier");
  for (;;) await (await fetch(api + "/event/next", { headers: { "Lambda-Extension-Identifier": id } })).text();
})();
`,
);
chmodSync(ext, 0o755);
writeFileSync(
  join(dir, "lambda-sim.yaml"),
  `layers:
  a: { contentUri: ./layers/a }
  b: { contentUri: ./layers/b }
  ext: { contentUri: ./layers/ext }
functions:
  plain: { runtime: nodejs24.x, handler: index.handler, codeUri: ./src }
  layered: { runtime: nodejs24.x, handler: index.handler, codeUri: ./src, layers: [a, b] }
  extension: { runtime: nodejs24.x, handler: index.handler, codeUri: ./src, layers: [ext] }
`,
);

const agent = new Agent({ keepAlive: true, maxSockets: 8 });
function call(port: number, method: string, path: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method, agent, headers: { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end(body);
  });
}

const { child, port } = await startSimulator([], ["--config", join(dir, "lambda-sim.yaml"), "--in-memory", "--quiet"]);
try {
  const rows: string[] = [];
  for (const fn of ["plain", "layered", "extension"]) {
    const invoke = () => call(port, "POST", `/2015-03-31/functions/${fn}/invocations`, "{}");
    await invoke();
    const warm = await measureCalls(1, WARM_N, invoke);
    const colds: number[] = [];
    for (let i = 0; i < COLD_N; i++) {
      await call(port, "PUT", `/2015-03-31/functions/${fn}/configuration`, JSON.stringify({ Description: `cold ${i}` }));
      const t0 = performance.now();
      if ((await invoke()) !== 200) throw new Error("cold invoke failed");
      colds.push(performance.now() - t0);
    }
    colds.sort((x, y) => x - y);
    rows.push(`${fn.padEnd(10)} warm p50 ${warm.p50.toFixed(2)} ms  p99 ${warm.p99.toFixed(2)} ms   cold p50 ${colds[Math.floor(colds.length / 2)]!.toFixed(1)} ms`);
  }
  console.log(`bench/extensions (${WARM_N} warm, ${COLD_N} cold each; plain is the reference)`);
  for (const r of rows) console.log(`  ${r}`);
} finally {
  child.kill("SIGKILL");
}
