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
});
