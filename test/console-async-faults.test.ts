import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { startLambdaSim } from "./support/lambda-sim-process.ts";
import { until } from "./support/until.ts";

/**
 * Issue 15: `lambda-sim start` prints, by default, a line when an async event is sent to a
 * destination or dropped, and when a fault fires; `--quiet` turns them off. The user sees them on
 * the console of the simulator they started, not only through `tail`.
 */
function project(): string {
  const dir = mkdtempSync(join(tmpdir(), "lambda-sim-console-async-"));
  writeFileSync(join(dir, "index.mjs"), `export const ok = async () => "done";\nexport const fail = async () => { throw new Error("nope"); };\n`);
  writeFileSync(
    join(dir, "lambda-sim.yaml"),
    `functions:
  fine: { runtime: nodejs24.x, handler: index.ok, codeUri: ., eventInvokeConfig: { destinationConfig: { onSuccess: { destination: sqs:done } } } }
  broken: { runtime: nodejs24.x, handler: index.fail, codeUri: ., eventInvokeConfig: { maximumRetryAttempts: 0 } }
  flaky: { runtime: nodejs24.x, handler: index.ok, codeUri: . }
queues:
  done:
faults:
  - { kind: error, function: flaky, nth: 1, errorType: PaymentDeclined, errorMessage: card refused }
`,
  );
  return join(dir, "lambda-sim.yaml");
}

describe("the console of lambda-sim start, for async events and faults", () => {
  it("says an async event went to its destination, another was dropped, and a fault fired; --quiet says none of it", { timeout: 90_000 }, async () => {
    const config = project();
    for (const quiet of [false, true]) {
      const sim = await startLambdaSim(["--config", config, "--in-memory", ...(quiet ? ["--quiet"] : [])]);
      const lambda = new LambdaClient({ endpoint: sim.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
      const sent = await lambda.send(new InvokeCommand({ FunctionName: "fine", InvocationType: "Event", Payload: "{}" }));
      const dropped = await lambda.send(new InvokeCommand({ FunctionName: "broken", InvocationType: "Event", Payload: "{}" }));
      const faulted = await lambda.send(new InvokeCommand({ FunctionName: "flaky", Payload: "{}" }));
      expect(faulted.FunctionError).toBe("Unhandled");
      const lines = [
        `lambda-sim: async fine request ${sent.$metadata.requestId}: record sent to OnSuccess arn:aws:sqs:us-east-1:000000000000:done`,
        `lambda-sim: async broken request ${dropped.$metadata.requestId}: gave up (RetriesExhausted, 1 invocation(s)): dropped, no OnFailure destination or DLQ`,
        `lambda-sim: fault fault-1 fired (error) on flaky request ${faulted.$metadata.requestId}: PaymentDeclined`,
      ];
      // Both async events are finished once the async queue holds none: the simulator removes each
      // only after its given-up and delivered events.
      const stored = async () => ((await (await fetch(`${sim.endpoint}/_sim/state`)).json()) as { asyncEvents: number }).asyncEvents;
      await until(async () => (await stored()) === 0 && sim.output().includes("[broken] REPORT") && sim.output().includes("[fine] REPORT"), 30_000);
      if (quiet) {
        for (const l of lines) expect(sim.output()).not.toContain(l);
        expect(sim.output()).not.toContain("lambda-sim: ");
      } else {
        await until(() => lines.every((l) => sim.output().includes(l)), 10_000).catch(() => {
          throw new Error(`the console lacks some of:\n${lines.join("\n")}\nit printed:\n${sim.output()}`);
        });
      }
      // The function's own lines keep their prefix either way (printed a moment after its answer).
      await until(() => /^\[flaky\] START RequestId: /m.test(sim.output()), 10_000).catch(() => {
        throw new Error(`no [flaky] START line; it printed:\n${sim.output()}`);
      });
      lambda.destroy();
      await sim.kill();
    }
  });
});
