import { describe, expect, it } from "vitest";
import { invocationTrace, lineageCounts, lineageId, LoopGuard, RECURSIVE_LOOP_LIMIT } from "./recursive-loop.ts";
import type { LoopGuard as Guard } from "./recursive-loop.ts";

const random = { hex: (bytes: number) => "ab".repeat(bytes) } as never;
const fn = (name: string) => {
  const arn = `arn:aws:lambda:us-east-1:000000000000:function:${name}`;
  return { config: { functionName: name, functionArn: arn }, invokedFunctionArn: arn, executedVersion: "$LATEST" } as never;
};

/** Invokes `names` in turn, each with the trace the previous one ran with, until one is stopped: the step, or undefined. */
function chain(names: string[], steps: number): number | undefined {
  let header: string | undefined;
  for (let i = 0; i < steps; i++) {
    const id = lineageId(`arn:aws:lambda:us-east-1:000000000000:function:${names[i % names.length]}`);
    const t = invocationTrace(header, id, random, 0);
    if (t.count >= RECURSIVE_LOOP_LIMIT) return i;
    header = t.header;
  }
  return undefined;
}

describe("Lineage", () => {
  it("keeps the most recently invoked functions' counts: a loop after a long pipeline, or a ring of 8, is stopped (review18 R18-1)", () => {
    const ring = Array.from({ length: 8 }, (_, i) => `f${i}`);
    expect(chain(ring, 1000)).toBe(8 * RECURSIVE_LOOP_LIMIT);
    // Seven distinct functions, then x and y calling each other.
    const names = ["p1", "p2", "p3", "p4", "p5", "p6", "p7", ...Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? "x" : "y"))];
    let header: string | undefined;
    let stoppedAt: number | undefined;
    for (let i = 0; i < names.length && stoppedAt === undefined; i++) {
      const t = invocationTrace(header, lineageId(names[i]!), random, 0);
      if (t.count >= RECURSIVE_LOOP_LIMIT) stoppedAt = i;
      header = t.header;
    }
    expect(stoppedAt).toBe(7 + 2 * RECURSIVE_LOOP_LIMIT);
  });

  it("reads counts strictly: digits only, the Lineage key itself, boto3's encoded |", () => {
    expect(lineageCounts("Root=1-a-b;Lineage=1:abcdef12:3%7C0a1b2c3d:4")).toEqual(new Map([["abcdef12", 3], ["0a1b2c3d", 4]]));
    expect(lineageCounts("Lineage=abcdef12:")).toBeUndefined();
    expect(lineageCounts("Lineage=abcdef12:0x10")).toBeUndefined();
    expect(lineageCounts("Root=1-a-b;MyLineage=abcdef12:3")).toBeUndefined();
  });
});

describe("LoopGuard with a batch's traces", () => {
  const guard = (): Guard => new LoopGuard({ get: () => ({}) } as never, { emit: () => {} } as never, random, { now: () => 0 } as never);
  const at = (count: number) => `Root=1-67891234-abcdef012345678912345678;Parent=1234567890abcdef;Sampled=0;Lineage=1:${lineageId("arn:aws:lambda:us-east-1:000000000000:function:worker")}:${count}`;

  it("carries the shallowest for the function: messages of unrelated chains batched together do not add up (review18 R18-2)", () => {
    expect(guard().trace(fn("worker"), [at(15), at(2)], "sqs")).toMatch(/:3$/);
    expect(guard().trace(fn("worker"), [at(15), "Root=1-67891234-abcdef012345678912345678;Sampled=0"], "sqs")).toMatch(/:0$/);
    // Every message that deep in the loop: stopped.
    expect(guard().trace(fn("worker"), [at(15), at(15)], "sqs")).toBeUndefined();
  });
});
