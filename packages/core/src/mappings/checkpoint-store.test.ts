import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CORE_MIGRATIONS } from "../startup/core-services.ts";
import { Store } from "../store/store.ts";
import { CheckpointStore } from "./checkpoint-store.ts";
import { windowFields, windowState } from "./tumbling-window.ts";

const open = () => Store.open(undefined, CORE_MIGRATIONS);
const stored = (store: Store) => store.db.prepare("SELECT shard_id, sequence_number, window_state FROM esm_checkpoints ORDER BY shard_id").all();
const endOfTurn = () => new Promise((resolve) => setImmediate(resolve));

/** A shard's checkpoint as a restarted simulator reads it: saved, committed, the store closed and opened again. */
function afterRestart(save: (s: CheckpointStore) => void): ReturnType<CheckpointStore["get"]> {
  const dir = mkdtempSync(join(tmpdir(), "lambda-sim-checkpoints-"));
  try {
    return reopened(dir, save);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function reopened(dir: string, save: (s: CheckpointStore) => void): ReturnType<CheckpointStore["get"]> {
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

describe("CheckpointStore", () => {
  it("commits the saves of one turn together at its end, the latest per shard, and reads them back before", async () => {
    const store = open();
    const checkpoints = new CheckpointStore(store);
    checkpoints.save("m1", "shard-0", { sequenceNumber: "1" }, 0);
    checkpoints.save("m1", "shard-0", { sequenceNumber: "2" }, 0);
    const state = { count: 1 };
    checkpoints.save("m1", "shard-1", { sequenceNumber: "7", window: { start: 0, state } }, 0);
    state.count = 99;
    expect(checkpoints.get("m1", "shard-0")).toEqual({ sequenceNumber: "2" });
    expect(stored(store)).toEqual([]);
    await endOfTurn();
    expect(stored(store)).toEqual([
      { shard_id: "shard-0", sequence_number: "2", window_state: null },
      { shard_id: "shard-1", sequence_number: "7", window_state: '{"count":1}' },
    ]);
    expect(checkpoints.get("m1", "shard-1")).toEqual({ sequenceNumber: "7", window: { start: 0, state: { count: 1 } } });
  });

  it("forgets a deleted mapping's saves not yet committed, and commits on flush", async () => {
    const store = open();
    const checkpoints = new CheckpointStore(store);
    checkpoints.save("gone", "shard-0", { sequenceNumber: "1" }, 0);
    checkpoints.deleteMapping("gone");
    checkpoints.save("kept", "shard-0", { sequenceNumber: "3" }, 0);
    checkpoints.flush();
    expect(stored(store)).toEqual([{ shard_id: "shard-0", sequence_number: "3", window_state: null }]);
    await endOfTurn();
    expect(checkpoints.get("gone", "shard-0")).toBeUndefined();
  });


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

describe("CheckpointStore: held batches' attempts (review37 #11)", () => {
  it("saves them in the checkpoints' commit, reads the ones not committed yet, and forgets a deleted mapping's", async () => {
    const store = open();
    try {
      const cps = new CheckpointStore(store);
      cps.saveHeld("m-1", "shardId-000000000000", "49001", { retries: 3, invokes: 4 });
      cps.saveHeld("m-1", "shardId-000000000000", "49002", { retries: 1, invokes: 1 });
      cps.saveHeld("m-2", "shardId-000000000000", "49001", { retries: 2, invokes: 2 });
      expect([...cps.held("m-1")]).toEqual([["shardId-000000000000 49001", { retries: 3, invokes: 4 }], ["shardId-000000000000 49002", { retries: 1, invokes: 1 }]]);
      await endOfTurn();
      cps.saveHeld("m-1", "shardId-000000000000", "49002", undefined);
      expect([...new CheckpointStore(store).held("m-1").keys()]).toEqual(["shardId-000000000000 49001", "shardId-000000000000 49002"]);
      expect([...cps.held("m-1").keys()]).toEqual(["shardId-000000000000 49001"]);
      cps.deleteMapping("m-1");
      expect(cps.held("m-1").size).toBe(0);
      expect([...cps.held("m-2").values()]).toEqual([{ retries: 2, invokes: 2 }]);
    } finally {
      store.close();
    }
  });
});
