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

  it("looks receipt handles up in their own index, and receives standard queues in visibility order", () => {
    expect(plan(store.db, statements.byReceipt!).join()).toContain("sqs_messages_by_receipt");
    expect(plan(store.db, statements.deleteByReceipt!).join()).toContain("sqs_messages_by_receipt");
    expect(plan(store.db, statements.visible!).join()).toBe("SEARCH sqs_messages USING INDEX sqs_messages_by_visibility (queue=? AND visible_at<?)");
  });
});
