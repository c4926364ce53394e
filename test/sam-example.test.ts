import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { startLambdaSim } from "./support/lambda-sim-process.ts";
import { until } from "./support/until.ts";

/**
 * The bundled SAM example (examples/sam-app), started as the README's walkthrough starts it: its
 * REST API takes an order over HTTP onto the orders queue, and the queue's consumer processes it.
 */
const TEMPLATE = fileURLToPath(new URL("../examples/sam-app/template.yaml", import.meta.url));

describe("examples/sam-app", () => {
  it("answers POST /orders with 202 and the message id, and the order reaches ProcessOrderFunction through the queue", async () => {
    const sim = await startLambdaSim(["--template", TEMPLATE, "--parameter-overrides", "Stage=dev", "--in-memory"]);
    try {
      const base = /ServerlessRestApi \(REST API, stage Prod\): (\S+)/.exec(sim.output())?.[1];
      expect(base, sim.output()).toBeDefined();
      const post = (body: string) => fetch(new URL("orders", base), { method: "POST", headers: { "content-type": "application/json" }, body });
      const res = await post('{"id": 41}');
      expect(res.status).toBe(202);
      expect(await res.json()).toEqual({ messageId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
      await until(() => sim.output().includes("order 41 processed in a batch of 1 (dev)"), 30_000);
      expect(sim.output()).toMatch(/\[sam-app-ProcessOrderFunction-\w+\] .*order 41 processed/);

      const bad = await post("not json");
      expect(bad.status).toBe(400);
      expect(await bad.json()).toEqual({ message: expect.stringContaining("expected the order as a JSON object") });
    } finally {
      await sim.kill();
    }
  }, 60_000);
});
