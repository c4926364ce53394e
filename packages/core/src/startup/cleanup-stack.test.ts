import { describe, expect, it } from "vitest";
import { CleanupStack } from "./cleanup-stack.ts";

describe("CleanupStack", () => {
  it("runs every undo last first, awaiting each, once however often run() is called", async () => {
    const done: string[] = [];
    const stack = new CleanupStack();
    stack.defer(() => done.push("store"));
    stack.defer(async () => {
      await Promise.resolve();
      done.push("server");
    });
    await Promise.all([stack.run(), stack.run()]);
    await stack.run();
    expect(done).toEqual(["server", "store"]);
  });

  it("keeps going past a failing undo and rethrows the first failure", async () => {
    const done: string[] = [];
    const stack = new CleanupStack();
    stack.defer(() => done.push("first"));
    stack.defer(() => {
      throw new Error("second failed");
    });
    stack.defer(() => {
      throw new Error("third failed");
    });
    await expect(stack.run()).rejects.toThrow("third failed");
    expect(done).toEqual(["first"]);
  });
});
