import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, startLambdaSim } from "./support/lambda-sim-process.ts";

/** A lambda-sim.yaml in a fresh directory. */
function config(lines: string[]): string {
  const file = join(mkdtempSync(join(tmpdir(), "lambda-sim-reserved-")), "lambda-sim.yaml");
  writeFileSync(file, lines.join("\n"));
  return file;
}

describe("reservedConcurrency under a small account (F4)", () => {
  it("is refused with AWS's message, the file and line, and a hint naming account.unreservedConcurrencyMinimum; with a smaller minimum it starts", async () => {
    // DESIGN.md's sketch: 50 concurrent executions keep all 50 unreserved (AWS: min(100, limit)).
    const small = config(["account: { concurrentExecutions: 50 }", "functions:", "  orders:", "    runtime: model", "    model: { durationMs: 1 }", "    reservedConcurrency: 2"]);
    const refused = await runCli(["start", "--in-memory", "--port", "0", "--config", small]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `${small}:6 functions.orders.reservedConcurrency: Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [50]. ` +
        "account.concurrentExecutions 50 must keep 50 unreserved (AWS's minimum is 100, or the whole limit below 100), so nothing is reservable. " +
        "To show throttling with a small account, set a smaller minimum, e.g. account: { concurrentExecutions: 50, unreservedConcurrencyMinimum: 10 }",
    );

    // With a minimum, the function whose reservation crosses it is named, with what is left.
    const two = config([
      "account: { concurrentExecutions: 50, unreservedConcurrencyMinimum: 10 }",
      "functions:",
      "  a: { runtime: model, model: { durationMs: 1 }, reservedConcurrency: 30 }",
      "  b: { runtime: model, model: { durationMs: 1 }, reservedConcurrency: 20 }",
    ]);
    const second = await runCli(["start", "--in-memory", "--port", "0", "--config", two]);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`${two}:4 functions.b.reservedConcurrency: Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [10].`);
    expect(second.stderr).toContain("leaves only 10 more reservable");

    const fixed = config(["account: { concurrentExecutions: 50, unreservedConcurrencyMinimum: 10 }", "functions:", "  orders: { runtime: model, model: { durationMs: 1 }, reservedConcurrency: 2 }"]);
    const sim = await startLambdaSim(["--in-memory", "--config", fixed]);
    const concurrency = await fetch(`${sim.endpoint}/2019-09-30/functions/orders/concurrency`);
    expect(await concurrency.json()).toEqual({ ReservedConcurrentExecutions: 2 });
    await sim.kill();
  }, 60_000);
});
