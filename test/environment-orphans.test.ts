import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { startLambdaSim } from "./support/lambda-sim-process.ts";
import { alive } from "./support/process-alive.ts";

const EXAMPLE = fileURLToPath(new URL("../examples/lambda-sim.yaml", import.meta.url));

describe.runIf(process.platform === "linux")("environments of a killed simulator", () => {
  it("die with it: a SIGKILLed lambda-sim leaves no frozen or running environment behind", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "lambda-sim-orphans-"));
    try {
      const sim = await startLambdaSim(["--config", EXAMPLE, "--state", stateDir]);
      const lambda = new LambdaClient({ endpoint: sim.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
      const out = await lambda.send(new InvokeCommand({ FunctionName: "hello", Payload: Buffer.from('{"name":"Ada"}') }));
      expect(out.FunctionError).toBeUndefined();
      lambda.destroy();
      // The ledger names every live environment process; hello's is now idle and frozen.
      const ledger = join(stateDir, "run", "processes");
      const pids = readdirSync(ledger).map((f) => Number(readFileSync(join(ledger, f), "utf8").split(" ")[0]));
      expect(pids.length).toBeGreaterThan(0);
      expect(pids.every(alive)).toBe(true);

      await sim.kill();
      for (let i = 0; i < 100 && pids.some(alive); i++) await new Promise((r) => setTimeout(r, 50));
      expect(pids.filter(alive)).toEqual([]);
    } finally {
      rmSync(stateDir, { recursive: true, force: true, maxRetries: 5 });
    }
  });
});
