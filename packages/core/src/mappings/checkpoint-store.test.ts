import { describe, expect, it } from "vitest";
import { loadMigrations } from "../store/migrate.ts";
import { Store } from "../store/store.ts";
import { CheckpointStore } from "./checkpoint-store.ts";

const open = () => Store.open(undefined, loadMigrations("core", new URL("../store/migrations/", import.meta.url)));
const stored = (store: Store) => store.db.prepare("SELECT shard_id, sequence_number, window_state FROM esm_checkpoints ORDER BY shard_id").all();
const endOfTurn = () => new Promise((resolve) => setImmediate(resolve));

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
});
