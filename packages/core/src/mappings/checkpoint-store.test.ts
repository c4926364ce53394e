import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CORE_MIGRATIONS } from "../startup/core-services.ts";
import { Store } from "../store/store.ts";
import { CheckpointStore } from "./checkpoint-store.ts";
import { windowFields, windowState } from "./tumbling-window.ts";

/** A shard's checkpoint as a restarted simulator reads it: saved, committed, the store closed and opened again. */
function afterRestart(save: (s: CheckpointStore) => void): ReturnType<CheckpointStore["get"]> {
  const dir = mkdtempSync(join(tmpdir(), "lambda-sim-checkpoints-"));
  const first = Store.open(dir, CORE_MIGRATIONS);
  const before = new CheckpointStore(first);
  save(before);
  before.flush();
  first.close();
  const second = Store.open(dir, CORE_MIGRATIONS);
  try {
    return new CheckpointStore(second).get("m-1", "shardId-000000000000");
  } finally {
    second.close();
  }
}

const event = (state: unknown) => JSON.parse(windowFields({ shardId: "shardId-000000000000", start: 0, end: 30_000, state, isFinalInvokeForWindow: false }, "arn:aws:kinesis:us-east-1:000000000000:stream/s"));

describe("CheckpointStore across a restart", () => {
  it("keeps the open window's state and records", () => {
    const records = { shardId: "shardId-000000000000", first: { sequenceNumber: "1", arrivalMs: 5 }, last: { sequenceNumber: "9", arrivalMs: 8 }, size: 3 };
    const cp = afterRestart((s) => s.save("m-1", "shardId-000000000000", { sequenceNumber: "9", window: { start: 30_000, state: { total: 7 }, records } }, 1));
    expect(cp).toEqual({ sequenceNumber: "9", window: { start: 30_000, state: { total: 7 }, records } });
    expect(event(cp!.window!.state)).toMatchObject({ state: { total: 7 }, isWindowTerminatedEarly: false });
  });

  it("keeps a window terminated early as such: its next invocation still gets a fresh state and isWindowTerminatedEarly (review18 R18-7)", () => {
    const early = windowState({ big: "x".repeat(1_100_000) }, () => {});
    const cp = afterRestart((s) => s.save("m-1", "shardId-000000000000", { sequenceNumber: "9", window: { start: 30_000, state: early } }, 1));
    expect(event(cp!.window!.state)).toMatchObject({ state: {}, isWindowTerminatedEarly: true });
  });
});
