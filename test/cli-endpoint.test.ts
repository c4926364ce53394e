import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { startLambdaSim, USER_SHELL_PATH } from "./support/lambda-sim-process.ts";

// Client commands find the simulator the way AWS tools find their endpoint (issue 13).
const CLI = fileURLToPath(new URL("../packages/cli/bin/lambda-sim.js", import.meta.url));
const EXAMPLE = fileURLToPath(new URL("../examples/lambda-sim.yaml", import.meta.url));

function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const clean = { ...process.env };
  delete clean.AWS_ENDPOINT_URL;
  delete clean.LAMBDA_SIM_ENDPOINT;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...clean, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => (stdout += b));
    child.stderr.on("data", (b: Buffer) => (stderr += b));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("client endpoints", () => {
  it("on another port, the banner's commands carry the endpoint, and invoke honours AWS_ENDPOINT_URL before LAMBDA_SIM_ENDPOINT", async () => {
    const sim = await startLambdaSim(["--config", EXAMPLE, "--in-memory"], { PATH: USER_SHELL_PATH });
    // npx: in the repository (as in a project that installed it), lambda-sim is not on the user's PATH.
    expect(sim.output()).toContain(`try: npx lambda-sim invoke hello --payload '{"name":"Paris"}' --log --endpoint ${sim.endpoint}\n`);
    expect(sim.output()).toContain(`eval "$(npx lambda-sim env --endpoint ${sim.endpoint})"`);

    const viaAws = await run(["invoke", "hello", "--payload", '{"name":"Ada"}'], { AWS_ENDPOINT_URL: sim.endpoint, LAMBDA_SIM_ENDPOINT: "http://127.0.0.1:1" });
    expect(viaAws.stderr).toBe("");
    expect(JSON.parse(viaAws.stdout)).toMatchObject({ message: "Hello, Ada!" });

    const viaSim = await run(["invoke", "hello"], { LAMBDA_SIM_ENDPOINT: sim.endpoint });
    expect(viaSim.code).toBe(0);

    const flagWins = await run(["invoke", "hello", "--endpoint", "http://127.0.0.1:1"], { AWS_ENDPOINT_URL: sim.endpoint });
    expect(flagWins.code).toBe(1);
    expect(flagWins.stderr).toContain("no simulator running at http://127.0.0.1:1");
  });

  it("env prints the exports a shell needs", async () => {
    const r = await run(["env", "--endpoint", "http://127.0.0.1:4566"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      "export AWS_ENDPOINT_URL=http://127.0.0.1:4566\nexport AWS_REGION=us-east-1\nexport AWS_DEFAULT_REGION=us-east-1\n" +
        "export AWS_ACCESS_KEY_ID=test\nexport AWS_SECRET_ACCESS_KEY=test\n",
    );
  });
});
