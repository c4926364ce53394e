import { createRequire } from "node:module";
import type { Worker } from "node:worker_threads";

/** How often the worker copies the WAL into the database (wall time: a storage chore, not service time). */
const CHECKPOINT_EVERY_MS = 100;
/**
 * The event loop's own automatic checkpoint, kept as a backstop should the worker fall behind:
 * 10,000 pages (40 MB of WAL) instead of SQLite's 1,000.
 */
export const BACKSTOP_CHECKPOINT_PAGES = 10_000;

// The worker: its own connection, a PASSIVE checkpoint (it never waits for readers or writers)
// every CHECKPOINT_EVERY_MS until told to stop. Plain CommonJS, run with `eval`.
const WORKER = `
const { workerData } = require("node:worker_threads");
const Database = require(workerData.betterSqlite3);
const stop = new Int32Array(workerData.stop);
let db;
try {
  db = new Database(workerData.path);
  while (Atomics.wait(stop, 0, 0, workerData.everyMs) !== "ok" && Atomics.load(stop, 0) === 0) {
    db.pragma("wal_checkpoint(PASSIVE)");
  }
} catch {
  // The database went away (a test removed its directory): nothing left to checkpoint.
} finally {
  try { db?.close(); } catch {}
}
`;

/**
 * Checkpoints a WAL database from a worker thread. In WAL mode with synchronous=NORMAL a commit
 * does not sync, but a checkpoint syncs the WAL and then the database file; SQLite runs it inside
 * whichever commit crosses 1,000 pages, so every few hundred commits one of them stalled the
 * event loop (and every request waiting on it) for the fsyncs. Here they happen beside it. A
 * PASSIVE checkpoint changes nothing a reader or a crash can see: committed transactions are
 * durable in the WAL either way.
 */
export class WalCheckpointer {
  private readonly worker: Worker;
  private readonly stopFlag = new Int32Array(new SharedArrayBuffer(4));

  /** `onExit`: the worker ended without being told to (it could not open the database, or it broke). */
  constructor(path: string, onExit: () => void) {
    const betterSqlite3 = createRequire(import.meta.url).resolve("better-sqlite3");
    // node:worker_threads only once a checkpointer starts (an idle simulator has none: issue 16).
    const { Worker } = process.getBuiltinModule("node:worker_threads");
    this.worker = new Worker(WORKER, { eval: true, workerData: { path, betterSqlite3, stop: this.stopFlag.buffer, everyMs: CHECKPOINT_EVERY_MS } });
    // A chore: it neither keeps the process alive nor takes it down.
    this.worker.unref();
    this.worker.on("error", () => {});
    this.worker.on("exit", () => {
      if (Atomics.load(this.stopFlag, 0) === 0) onExit();
    });
  }

  /** Tells the worker to finish its checkpoint in progress, close its connection and exit. */
  stop(): void {
    Atomics.store(this.stopFlag, 0, 1);
    Atomics.notify(this.stopFlag, 0);
  }
}
