import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { runCli, startLambdaSim } from "./support/lambda-sim-process.ts";

/**
 * `lambda-sim fault`: a workshop's "fail the next one" as one short command (newuser14 F7), with
 * what the caller then sees through the SDK, and the list saying when a fault is spent.
 */
const HANDLERS = fileURLToPath(new URL("./fixtures/functions/http-handlers/", import.meta.url));

describe("lambda-sim fault", () => {
  it("adds, lists and clears faults on a running simulator; the SDK's caller sees them", { timeout: 90_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "fault-cli-"));
    writeFileSync(join(dir, "lambda-sim.yaml"), `functions:\n  orders: { runtime: nodejs24.x, handler: index.noop, codeUri: ${JSON.stringify(HANDLERS)} }\n`);
    const sim = await startLambdaSim(["--config", join(dir, "lambda-sim.yaml"), "--in-memory", "--clock", "virtual"]);
    const cli = (...args: string[]) => runCli(["fault", ...args, "--endpoint", sim.endpoint]);
    const lambda = new LambdaClient({ endpoint: sim.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" }, maxAttempts: 1 });
    try {
      expect((await cli()).stdout).toBe("no faults\n");
      const added = await cli("add", "error", "--function", "orders", "--times", "1", "--error-type", "PaymentDeclined");
      expect([added.code, added.stdout]).toEqual([0, "added fault-1 error on orders: fired 0 of 1 (0 matched)\n"]);
      const throttle = await cli("add", "throttle", "--function", "orders", "--after", "1m", "--for", "10m", "--reason", "CallerRateLimitExceeded");
      expect(throttle.stdout).toBe("added fault-2 throttle on orders: fired 0 of 0 matched\n");

      const failed = await lambda.send(new InvokeCommand({ FunctionName: "orders" }));
      expect(failed.FunctionError).toBe("Unhandled");
      expect(JSON.parse(Buffer.from(failed.Payload!).toString())).toMatchObject({ errorType: "PaymentDeclined", errorMessage: "injected fault" });
      expect((await lambda.send(new InvokeCommand({ FunctionName: "orders" }))).FunctionError).toBeUndefined();

      const list = (await cli("list")).stdout.split("\n");
      expect(list[0]).toBe("fault-1 error on orders: fired 1 of 1 (1 matched), used up");
      expect(list[1]).toMatch(/^fault-2 throttle on orders: fired 0 of 0 matched, from \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      // A fault for the n-th matching invocation only is spent once that one has passed (walk39: it still said "active").
      await cli("add", "error", "--function", "orders", "--nth", "1", "--error-type", "Once");
      expect((await lambda.send(new InvokeCommand({ FunctionName: "orders" }))).FunctionError).toBe("Unhandled");
      expect((await cli("list")).stdout.split("\n")[2]).toBe("fault-3 error on orders, nth 1: fired 1 of 1 matched, used up");
      expect((await cli("clear", "fault-3")).stdout).toBe("cleared 1 fault(s)\n");
      // Service time moves into the throttle's window: the caller gets its 429 with the Reason.
      await runCli(["clock", "advance", "90s", "--endpoint", sim.endpoint]);
      expect((await cli()).stdout).toMatch(/fault-2 throttle on orders: fired 0 of 0 matched, active until /);
      const throttled = await lambda.send(new InvokeCommand({ FunctionName: "orders" })).catch((e: { name: string; Reason?: string }) => e);
      expect(throttled).toMatchObject({ name: "TooManyRequestsException", Reason: "CallerRateLimitExceeded" });

      // The JSON the API takes, as is; a fault on every function says so.
      const json = await cli("add", '{"kind":"latency","ms":5}');
      expect(json.stdout).toBe("added fault-4 latency on every function: fired 0 of 0 matched\n");
      expect(json.stderr).toMatch(/^lambda-sim: warning: .*every function/);
      // Each event's first two attempts (an async event's invocations, an SQS message's receives).
      expect((await cli("add", "error", "--function", "orders", "--attempt", "1,2")).stdout).toBe("added fault-5 error on orders, attempt 1,2: fired 0 of 0 matched\n");

      // Mistakes: said by name, before or by the simulator.
      const unknown = await cli("add", "error", "--function", "ordres");
      expect([unknown.code, unknown.stderr]).toEqual([1, "lambda-sim: fault.function: Function not found: ordres (the simulator has: orders)\n"]);
      expect((await cli("add", "error", "--nth", "0")).stderr).toContain("option '--nth <n[,n...]>' argument '0' is invalid. expected whole numbers ≥ 1, such as 3 or 1,2.");
      expect((await cli("add", "sneeze")).stderr).toMatch(/^lambda-sim: fault: kind: expected kind: one of error, timeout/);
      expect((await cli("add", '{"kind":"error"}', "--times", "2")).stderr).toBe("lambda-sim: fault add: give the fault as JSON or as a kind with options, not both (--times)\n");
      expect((await cli("add", "[]")).stderr).toBe("lambda-sim: fault add: the list holds no fault\n");
      expect((await cli("clear", "fault-9")).stderr).toBe("lambda-sim: fault: no fault fault-9\n");
      expect((await cli("clear", "fault-1")).stdout).toBe("cleared 1 fault(s)\n");
      expect((await cli("clear")).stdout).toBe("cleared 3 fault(s)\n");
      expect((await cli()).stdout).toBe("no faults\n");
    } finally {
      lambda.destroy();
      await sim.kill();
    }
  });
});
