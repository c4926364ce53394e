import { describe, expect, it } from "vitest";
import { GroupCommit } from "./group-commit.ts";
import { Store } from "./store.ts";

describe("GroupCommit", () => {
  it("commits the writes queued in one turn in order, rejecting only a failing one", async () => {
    const store = Store.open(undefined, []);
    store.db.exec("CREATE TABLE t (k TEXT PRIMARY KEY)");
    const insert = store.db.prepare("INSERT INTO t (k) VALUES (?)");
    const commits = new GroupCommit(store);
    // The second "a" breaks the primary key.
    const results = await Promise.allSettled(["a", "b", "a", "c"].map((k) => commits.write(() => void insert.run(k))));
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled"]);
    expect(store.db.prepare("SELECT k FROM t ORDER BY rowid").pluck().all()).toEqual(["a", "b", "c"]);
    store.close();
  });

  it("rejects writes once the store is closed", async () => {
    const store = Store.open(undefined, []);
    const commits = new GroupCommit(store);
    store.close();
    await expect(commits.write(() => {})).rejects.toThrow("the state database is closed");
  });
});
