import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCli, startLambdaSim } from "./support/lambda-sim-process.ts";

// What a newcomer runs into first (issue 13), checked from outside as they would.
const run = (args: string[]) => runCli(args);
const HELLO = fileURLToPath(new URL("../examples/functions/hello", import.meta.url));

describe("CLI rough edges", () => {
  it("--version prints the package's version", async () => {
    const r = await run(["--version"]);
    const { version } = JSON.parse(readFileSync(new URL("../packages/cli/package.json", import.meta.url), "utf8")) as { version: string };
    expect(r).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it("a throttled invoke prints AWS's Reason", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lambda-sim-throttle-"));
    const config = join(dir, "lambda-sim.yaml");
    writeFileSync(config, `functions:\n  hello:\n    runtime: nodejs24.x\n    handler: index.handler\n    codeUri: ${HELLO}\n    reservedConcurrency: 0\n`);
    const sim = await startLambdaSim(["--config", config, "--in-memory"]);
    const r = await run(["invoke", "hello", "--endpoint", sim.endpoint]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("TooManyRequestsException: Rate Exceeded. (Reason: ReservedFunctionConcurrentInvocationLimitExceeded)\n");
  });

  it("the banner names a dozen functions and counts the rest, however many the state holds", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lambda-sim-banner-many-"));
    const config = join(dir, "lambda-sim.yaml");
    const names = Array.from({ length: 20 }, (_, i) => `fn-${String(i).padStart(2, "0")}`);
    writeFileSync(config, `functions:\n${names.map((n) => `  ${n}: { runtime: nodejs24.x, handler: index.handler, codeUri: ${HELLO} }\n`).join("")}`);
    const sim = await startLambdaSim(["--config", config, "--in-memory"]);
    expect(sim.output()).toContain(`functions (20): ${names.slice(0, 12).join(", ")} and 8 more (aws lambda list-functions)\n`);
  });

  it("invoke --log ends the log and the payload each with a newline, so a terminal shows them on lines of their own", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lambda-sim-invoke-log-"));
    const config = join(dir, "lambda-sim.yaml");
    writeFileSync(config, `functions:\n  hello:\n    runtime: nodejs24.x\n    handler: index.handler\n    codeUri: ${HELLO}\n`);
    const sim = await startLambdaSim(["--config", config, "--in-memory"]);
    const r = await run(["invoke", "hello", "--log", "--payload", '{"name":"Paris"}', "--endpoint", sim.endpoint]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^START RequestId: [\s\S]*\nREPORT RequestId: [^\n]*\n$/);
    expect(r.stdout).toMatch(/^\{[^\n]*\}\n$/);
  });

  it("run names a missing scenario as a scenario, and a missing architecture file by the scenario's line", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lambda-sim-scenario-"));
    const missing = await run(["run", join(dir, "nope.yaml")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`scenario file not found: ${join(dir, "nope.yaml")}`);
    const spike = join(dir, "spike.yaml");
    writeFileSync(spike, "name: spike\nduration: 10s\ntraffic: []\narchitecture: ../architecture/lambda-sim.yaml\n");
    const r = await run(["run", spike]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${spike}:4 architecture: file not found: ${join(dir, "../architecture/lambda-sim.yaml")}`);
  });

  it("invoke --payload @FILE names a file it cannot read in one line, exit 1, before calling anything", async () => {
    const missing = join(mkdtempSync(join(tmpdir(), "lambda-sim-payload-")), "missing.json");
    // No simulator on this endpoint: the file is read first.
    const r = await run(["invoke", "audit", "--payload", `@${missing}`, "--endpoint", "http://127.0.0.1:9"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`lambda-sim: --payload @${missing}: no such file\n`);
  });
});
