import { execFileSync, spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// The README's set-up runs on a machine whose own Node is older than lambda-sim needs (Debian's
// Node 20 here): `npm install` brings Node 24, and every entry point either uses it or says in one
// line which Node it needs.
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BIN = join(ROOT, "packages/cli/bin/lambda-sim.js");
const OLD_NODE = "/usr/bin/node";

function nodeMajor(node: string): number {
  try {
    return Number(execFileSync(node, ["-p", "process.versions.node.split('.')[0]"], { encoding: "utf8" }).trim());
  } catch {
    return Infinity;
  }
}
const hasOldNode = existsSync(OLD_NODE) && nodeMajor(OLD_NODE) < 22;
const hasNpm = spawnSync("npm", ["--version"]).status === 0;

describe("on a Node older than 22.12", () => {
  it.skipIf(!hasOldNode)("the bin runs itself with the Node 24 npm installed beside it (skipped without a Node < 22 at /usr/bin/node)", () => {
    const r = spawnSync(OLD_NODE, [BIN, "--help"], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("invoke");
    expect(r.status).toBe(0);
  });

  it.skipIf(!hasOldNode)("the bin says in one line which Node it needs when none is installed beside it (skipped without a Node < 22 at /usr/bin/node)", () => {
    const dir = mkdtempSync(join(tmpdir(), "lambda-sim-old-node-"));
    mkdirSync(join(dir, "bin"));
    copyFileSync(BIN, join(dir, "bin/lambda-sim.js"));
    const r = spawnSync(OLD_NODE, [join(dir, "bin/lambda-sim.js"), "start"], { encoding: "utf8", cwd: dir });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^lambda-sim: needs Node\.js >= 22\.12 \(24 recommended\), this is v\d+\.\d+\.\d+ .*install Node 24/);
  });

  it.skipIf(!hasOldNode)("npm scripts say in one line which Node they need (skipped without a Node < 22 at /usr/bin/node)", () => {
    const r = spawnSync(OLD_NODE, [join(ROOT, "scripts/require-node.cjs")], { encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain("needs Node.js >= 22.12");
    expect(r.stderr).toContain("npm install");
  });
});

describe("npm start", () => {
  it.skipIf(!hasNpm)("Ctrl-C stops it with exit status 0 and no npm error (skipped without npm)", async () => {
    // Ctrl-C in a terminal signals the whole foreground process group: npm, the script's shell and
    // lambda-sim; npm also forwards it to its child, so lambda-sim sees SIGINT twice.
    const child = spawn("npm", ["start", "--", "--port", "0", "--in-memory"], { cwd: ROOT, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stderr.on("data", (b: Buffer) => (out += b));
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (b: Buffer) => {
        out += b;
        if (/listening on http/.test(out)) resolve();
      });
      child.on("exit", () => reject(new Error(`npm start exited early: ${out}`)));
    });
    process.kill(-child.pid!, "SIGINT");
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(out).toContain("SIGINT: stopping environments and closing the database");
    expect(out).not.toMatch(/npm error|ERR!|ELIFECYCLE/);
  });
});
