import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BACKSTOP_CHECKPOINT_PAGES } from "./wal-checkpointer.ts";
import { Store } from "./store.ts";

/** Polls `check` until it holds (the worker thread runs on its own schedule). */
async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const end = performance.now() + ms;
  while (!check()) {
    if (performance.now() > end) throw new Error("condition not met");
    await new Promise((r) => setImmediate(r));
  }
}

describe("WAL checkpoints off the event loop", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it("start once a store has had a thousand group commits, and copy committed pages into the database file beside the event loop", async () => {
    dir = mkdtempSync(join(tmpdir(), "lambda-sim-wal-"));
    const store = Store.open(dir, []);
    store.db.exec("CREATE TABLE t (v BLOB)");
    const insert = store.db.prepare("INSERT INTO t (v) VALUES (?)");
    const commits = store.commits;
    expect(store.db.pragma("wal_autocheckpoint", { simple: true })).toBe(1000);
    for (let i = 0; i < 1000; i++) await commits.write(() => void insert.run(Buffer.alloc(16)));
    expect(store.db.pragma("wal_autocheckpoint", { simple: true })).toBe(BACKSTOP_CHECKPOINT_PAGES);
    // 8 MB in one commit: some 2,000 pages, under the event loop's own threshold now, so only the
    // worker copies them into the database file.
    const file = join(dir, "lambda-sim.db");
    const before = statSync(file).size;
    store.transaction(() => {
      for (let i = 0; i < 2000; i++) insert.run(Buffer.alloc(4096));
    });
    await until(() => statSync(file).size >= before + 2000 * 4096);
    expect(store.db.prepare("SELECT count(*) FROM t").pluck().get()).toBe(3000);
    store.close();
  });

  it("start too once a store's writers (Kinesis records, log lines) have committed a thousand times between them", () => {
    dir = mkdtempSync(join(tmpdir(), "lambda-sim-wal-"));
    const store = Store.open(dir, []);
    store.db.exec("CREATE TABLE t (v BLOB)");
    const insert = store.db.prepare("INSERT INTO t (v) VALUES (?)");
    const records = store.writer((n: number) => void insert.run(Buffer.alloc(n)));
    const logs = store.writer(() => void insert.run(Buffer.alloc(8)));
    for (let i = 0; i < 499; i++) (records(16), logs());
    records(16);
    expect(store.db.pragma("wal_autocheckpoint", { simple: true })).toBe(1000);
    logs();
    expect(store.db.pragma("wal_autocheckpoint", { simple: true })).toBe(BACKSTOP_CHECKPOINT_PAGES);
    expect(store.db.prepare("SELECT count(*) FROM t").pluck().get()).toBe(1000);
    store.close();
  });
});
