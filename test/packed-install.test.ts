import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packLambdaSim, scratchProject, startIn } from "./support/scratch-project.ts";
import { userEnv } from "./support/user-env.ts";
import { runReadmeVitestSetup } from "./support/readme-vitest-project.ts";

// lambda-sim as a user installs it for a project of their own (issue 13): packed, installed from
// the tarball by the machine's own npm into a folder outside the repository, started there on
// that folder's lambda-sim.yaml, and invoked through it.
const hasNpm = spawnSync("npm", ["--version"]).status === 0;
let tarball = "";
const stops: (() => void)[] = [];

beforeAll(() => {
  if (hasNpm) tarball = packLambdaSim();
}, 120_000);
afterAll(() => {
  for (const stop of stops) {
    try {
      stop();
    } catch {
      // already gone
    }
  }
});

describe.skipIf(!hasNpm)("the packed package (skipped without npm)", () => {
  it("npm install -D <tarball>: npx lambda-sim starts on the project's lambda-sim.yaml and invokes through it", async () => {
    const dir = scratchProject(tarball);
    const version = execFileSync("npx", ["lambda-sim", "--version"], { cwd: dir, env: userEnv(), encoding: "utf8" });
    expect(version.trim()).toMatch(/^\d+\.\d+\.\d+$/);

    const sim = await startIn(dir, "npm", ["run", "sim", "--", "--port", "0", "--in-memory"]);
    stops.push(() => process.kill(-sim.child.pid!, "SIGKILL"));
    expect(sim.output()).toContain("functions (1): greet");
    // The banner's commands as the user's shell runs them there: lambda-sim is not on its PATH, npx finds it.
    const tryLine = `npx lambda-sim invoke greet --payload '{}' --log --endpoint ${sim.endpoint}`;
    expect(sim.output()).toContain(`  try: ${tryLine}\n`);
    expect(sim.output()).toContain(`events: npx lambda-sim tail --endpoint ${sim.endpoint}\n`);
    expect(sim.output()).toContain(`AWS tools: eval "$(npx lambda-sim env --endpoint ${sim.endpoint})"\n`);
    const tried = spawnSync("sh", ["-c", tryLine], { cwd: dir, env: userEnv(), encoding: "utf8" });
    expect(tried.status, tried.stderr).toBe(0);
    expect(JSON.parse(tried.stdout)).toMatchObject({ greeting: "Hi, undefined!" });

    const out = execFileSync("npx", ["lambda-sim", "invoke", "greet", "--payload", '{"name":"Ada"}'], { cwd: dir, env: userEnv({ AWS_ENDPOINT_URL: sim.endpoint }), encoding: "utf8" });
    const result = JSON.parse(out) as { greeting: string; node: string; sdk: string };
    expect(result.greeting).toBe("Hi, Ada!");
    expect(result.sdk).toBe("function");
    // The function runs on the Node lambda-sim runs on: 24, whatever the machine's own is.
    expect(result.node).toMatch(/^v24\./);
    const queues = await fetch(`${sim.endpoint}/_sim/queues/jobs/messages`);
    expect(queues.status).toBe(200);
    // The event stream and the dashboard, as `tail` and a browser reach them: the packed build is
    // compiled, not type-stripped, and its first subscriber once crashed it.
    const { WebSocket } = await import("ws");
    const ws = new WebSocket(`${sim.endpoint.replace(/^http/, "ws")}/_sim/events`);
    const first = await new Promise<string>((resolve, reject) => {
      ws.once("message", (d) => resolve(String(d)));
      ws.once("error", reject);
    });
    expect(JSON.parse(first)).toMatchObject({ kind: "snapshot" });
    ws.close();
    expect((await fetch(`${sim.endpoint}/_sim/ui`)).status).toBe(200);
    // The library the page imports comes from the installed package's dependencies (mount-dashboard.ts).
    const vendor = await fetch(`${sim.endpoint}/_sim/ui/vendor/morphdom.js`);
    expect([vendor.status, vendor.headers.get("content-type")]).toEqual([200, expect.stringContaining("javascript")]);
    expect(await vendor.text()).toContain("export default morphdom");
    expect((await fetch(`${sim.endpoint}/_sim/health`)).status).toBe(200);

    const exited = new Promise<number | null>((resolve) => sim.child.once("exit", (code) => resolve(code)));
    process.kill(-sim.child.pid!, "SIGINT");
    expect(await exited).toBe(0);

    // The README's vitest global setup and integration test, in this project, on the packed lambda-sim.
    const readme = await runReadmeVitestSetup(dir, join(dir, "node_modules/.bin/node"));
    expect(readme, readme.output).toMatchObject({ code: 0 });
    expect(readme.output).toMatch(/✓ .*a message the consumer keeps failing ends in the DLQ/);
  }, 240_000);

  it("npm install -g <tarball>: the global lambda-sim starts and invokes from any folder", async () => {
    const prefix = mkdtempSync(join(tmpdir(), "lambda-sim-global-"));
    execFileSync("npm", ["install", "-g", "--prefix", prefix, "--no-audit", "--no-fund", "--prefer-offline", tarball], { env: userEnv(), stdio: ["ignore", "ignore", "inherit"] });
    // A folder of the user's with a lambda-sim.yaml and no install; the global bin on the shell's PATH.
    const elsewhere = mkdtempSync(join(tmpdir(), "elsewhere-"));
    mkdirSync(join(elsewhere, "fn"));
    writeFileSync(join(elsewhere, "fn/index.mjs"), "export const handler = async (event) => ({ greeting: `Hi, ${event.name}!`, node: process.version });\n");
    writeFileSync(join(elsewhere, "lambda-sim.yaml"), "functions:\n  greet: { runtime: nodejs24.x, handler: index.handler, codeUri: ./fn }\n");
    const shell = userEnv({ PATH: `${join(prefix, "bin")}:${userEnv().PATH}` });
    // Started by whatever `node` the user's PATH has (Debian's 20 here), it runs on its own Node 24.
    const env = execFileSync("lambda-sim", ["env", "--endpoint", "http://127.0.0.1:4000"], { cwd: elsewhere, env: shell, encoding: "utf8" });
    expect(env).toContain("export AWS_ENDPOINT_URL=http://127.0.0.1:4000\n");
    const sim = await startIn(elsewhere, "lambda-sim", ["start", "--port", "0", "--in-memory"], shell);
    stops.push(() => process.kill(-sim.child.pid!, "SIGKILL"));
    // The banner's commands name the global lambda-sim as the shell finds it, without npx.
    const tryLine = `lambda-sim invoke greet --payload '{}' --log --endpoint ${sim.endpoint}`;
    expect(sim.output()).toContain(`  try: ${tryLine}\n`);
    expect(sim.output()).toContain(`AWS tools: eval "$(lambda-sim env --endpoint ${sim.endpoint})"\n`);
    const tried = spawnSync("sh", ["-c", tryLine], { cwd: elsewhere, env: shell, encoding: "utf8" });
    expect(tried.status, tried.stderr).toBe(0);
    const out = execFileSync("lambda-sim", ["invoke", "greet", "--payload", '{"name":"Ada"}'], { cwd: elsewhere, env: { ...shell, AWS_ENDPOINT_URL: sim.endpoint }, encoding: "utf8" });
    expect(JSON.parse(out)).toEqual({ greeting: "Hi, Ada!", node: expect.stringMatching(/^v24\./) });
    const exited = new Promise<number | null>((resolve) => sim.child.once("exit", (code) => resolve(code)));
    process.kill(-sim.child.pid!, "SIGINT");
    expect(await exited).toBe(0);
  }, 240_000);
});
