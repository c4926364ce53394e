import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCli } from "./support/lambda-sim-process.ts";

// The README's sample run of examples/scenarios/sqs-reserved-concurrency-dlq.yaml, seed 7: a
// `model` run, so every figure but the wall seconds is the same on any machine (newuser3 found
// its timer count stale).
const ROOT = fileURLToPath(new URL("..", import.meta.url));

describe("the README's sample scenario run", () => {
  it("is what `lambda-sim run` prints, but the wall time", async () => {
    const readme = readFileSync(`${ROOT}README.md`, "utf8");
    const command = "lambda-sim run examples/scenarios/sqs-reserved-concurrency-dlq.yaml [--seed 7] [--trace run.jsonl]";
    const at = readme.indexOf(command);
    expect(at).toBeGreaterThan(0);
    const sample = /```\n([\s\S]*?)```/.exec(readme.slice(at))![1]!.split("\n").filter((l) => l !== "" && l.trim() !== "…");
    const r = await runCli(["run", `${ROOT}examples/scenarios/sqs-reserved-concurrency-dlq.yaml`, "--seed", "7"]);
    expect(r.code, r.stderr).toBe(0);
    const wall = (l: string) => l.replace(/in [\d.]+ s wall/, "in … s wall");
    const printed = new Set(r.stdout.split("\n").map(wall));
    expect(sample.map(wall).filter((l) => !printed.has(l))).toEqual([]);
  }, 60_000);
});
