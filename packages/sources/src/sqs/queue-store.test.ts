import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Store } from "@lambda-sim/core";
import { sqsSource } from "../index.ts";
import { QueueStore } from "./queue-store.ts";

/**
 * The statements on the send/receive/delete path must stay index lookups: a plan that reads the
 * whole queue turns a deep backlog into seconds per receive. This happened once, silently: a new
 * index led by `queue` made the planner read every message of the queue for each receipt handle.
 */
const HOT = ["visible", "visibleFifo", "markReceived", "byReceipt", "deleteByReceipt", "deleteMessage", "expire", "nextVisible", "counts", "insertMessage"];

/** All a plan needs of a prepared statement: its SQL (better-sqlite3's `source`). */
type Statement = { source: string };

function plan(db: Store["db"], stmt: Statement): string[] {
  const source = stmt.source;
  const named = [...source.matchAll(/@(\w+)/g)].map((m) => m[1]!);
  const explain = db.prepare(`EXPLAIN QUERY PLAN ${source}`);
  const rows = (named.length > 0 ? explain.all(Object.fromEntries(named.map((n) => [n, 0]))) : explain.all(...Array.from(source.matchAll(/\?/g), () => 0))) as { detail: string }[];
  return rows.map((r) => r.detail);
}

describe("QueueStore query plans", () => {
  const store = Store.open(undefined, sqsSource.migrations);
  const statements = (new QueueStore(store) as unknown as { s: Record<string, Statement> }).s;

  it.each(HOT)("%s reads through an index, without scanning or sorting the queue", (name) => {
    const details = plan(store.db, statements[name]!);
    expect(details.filter((d) => /^SCAN sqs_messages\b/.test(d))).toEqual([]);
    // FIFO sorts its visible, unblocked messages into send order (a known cost, FIFO only).
    if (name !== "visibleFifo") expect(details.filter((d) => d.includes("TEMP B-TREE"))).toEqual([]);
  });

  it("finds a receipt handle's message by its row, and receives standard queues in visibility order", () => {
    expect(plan(store.db, statements.byReceipt!).join()).toBe("SEARCH sqs_messages USING INTEGER PRIMARY KEY (rowid=?)");
    expect(plan(store.db, statements.deleteByReceipt!).join()).toBe("SEARCH sqs_messages USING INTEGER PRIMARY KEY (rowid=?)");
    expect(plan(store.db, statements.visible!).join()).toBe("SEARCH sqs_messages USING INDEX sqs_messages_by_visibility (queue=? AND visible_at<?)");
  });
});

describe("upgrading to receipt handles that name their row (migration 4)", () => {
  it("keeps the messages, never reuses a row, and still accepts the handles given out before", () => {
    const dir = mkdtempSync(join(tmpdir(), "lambda-sim-sqs-migration-"));
    try {
      const before = Store.open(dir, sqsSource.migrations.filter((m) => m.version < 4));
      before.db.exec("INSERT INTO sqs_queues (name, fifo, attributes, tags, created_at, modified_at) VALUES ('q', 0, '{}', '{}', 0, 0)");
      const insert = before.db.prepare("INSERT INTO sqs_messages (queue, message_id, body, md5_body, sent_at, visible_at, receipt_handle) VALUES ('q', ?, 'b', 'm', 0, 0, ?)");
      for (let i = 1; i <= 3; i++) insert.run(`id-${i}`, `old-handle-${i}`);
      before.db.exec("DELETE FROM sqs_messages WHERE message_id = 'id-3'");
      before.close();

      const after = Store.open(dir, sqsSource.migrations);
      const store = new QueueStore(after);
      expect(store.peek("q", 10).map((m) => m.messageId)).toEqual(["id-1", "id-2"]);
      expect(store.deleteByReceipt("q", "old-handle-1", undefined)).toBe(true);
      expect(store.byReceipt("q", "old-handle-2", undefined)?.messageId).toBe("id-2");
      store.insertMessage({ queue: "q", messageId: "id-4", body: "b", md5Body: "m", sentAt: 0, visibleAt: 0, groupId: null, dedupId: null, sequenceNumber: null });
      expect(store.peek("q", 10).map((m) => m.seq)).toEqual([2, 4]);
      after.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
