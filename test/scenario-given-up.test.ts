import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./support/lambda-sim-process.ts";

/**
 * newuser3 R5: `givenUp` counts the async events Lambda gave up on (retries exhausted, too old),
 * as AWS's AsyncEventsDropped does, whether an OnFailure destination or a DLQ then took them:
 * "given up" is not "lost", and the report says which were lost.
 */
function scenario(notify: string): string {
  const dir = mkdtempSync(join(tmpdir(), "lambda-sim-given-up-"));
  const file = join(dir, "given-up.yaml");
  writeFileSync(
    file,
    [
      "seed: 1",
      "duration: 10m",
      "functions:",
      `  notify: ${notify}`,
      "queues:",
      "  notify-failed: {}",
      "  notify-dlq: {}",
      "traffic:",
      "  - invoke: { function: notify, count: 4 }",
      "expect:",
      "  givenUp: { notify: 4 }",
    ].join("\n"),
  );
  return file;
}

const FAILING = "runtime: model, model: { durationMs: 10, errorProbability: 1 }, eventInvokeConfig: { maximumRetryAttempts: 0";

describe("lambda-sim run: async events given up", () => {
  it("counts the events sent on to OnFailure and the DLQ, and says none was lost", async () => {
    const r = await runCli(["run", scenario(`{ ${FAILING}, destinationConfig: { onFailure: { destination: sqs:notify-failed } } }, deadLetterConfig: { targetArn: sqs:notify-dlq } }`)]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("✓ givenUp of notify: 4 (expected = 4)");
    expect(r.stdout).toMatch(/notify: .*, 4 given up, /);
    expect(r.stdout).toContain("delivered: 4 to notify-failed, 4 to notify-dlq");
  }, 60_000);

  it("says how many of them nothing took", async () => {
    const r = await runCli(["run", scenario(`{ ${FAILING} } }`)]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/notify: .*, 4 given up \(4 with no OnFailure nor DLQ to take them\), /);
  }, 60_000);
});
