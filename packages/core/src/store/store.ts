import { mkdirSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { SimError } from "../errors/sim-error.ts";
import { GroupCommit } from "./group-commit.ts";
import { migrate, type Migration } from "./migrate.ts";
import { BACKSTOP_CHECKPOINT_PAGES, WalCheckpointer } from "./wal-checkpointer.ts";

export type Db = Database.Database;

/**
 * One SQLite database for everything that must survive a restart (DESIGN.md "State and
 * durability"): a file under the state directory in WAL mode, or `:memory:` for tests. Each owner
 * (core, sqs, kinesis, ...) brings its own numbered migrations; the ledger refuses a database
 * written by newer code.
 */
/** SQLite's own automatic checkpoint size (PRAGMA wal_autocheckpoint default). */
const SQLITE_CHECKPOINT_PAGES = 1_000;
/** Commits after which a store counts as busy (a few seconds of steady traffic; chosen). */
const BUSY_AFTER_COMMITS = 1_000;

export class Store {
  readonly db: Db;
  readonly path: string;
  private checkpointer: WalCheckpointer | undefined;
  private groupCommit: GroupCommit | undefined;
  private commitCount = 0;

  /** Built once: better-sqlite3 compiles a wrapper per db.transaction() call. */
  private readonly runInTransaction: (fn: () => unknown) => unknown;

  private constructor(db: Db, path: string) {
    this.db = db;
    this.path = path;
    this.runInTransaction = db.transaction((fn: () => unknown) => fn());
  }

  /** Opens `<stateDir>/lambda-sim.db`, or an in-memory database when `stateDir` is undefined. */
  static open(stateDir: string | undefined, migrations: readonly Migration[]): Store {
    let path = ":memory:";
    if (stateDir !== undefined) {
      mkdirSync(stateDir, { recursive: true });
      path = join(stateDir, "lambda-sim.db");
    }
    let db: Db;
    try {
      db = new Database(path);
    } catch (cause) {
      throw new SimError("ERR_CONFIG", `cannot open the state database ${path}: ${String(cause)}`, { cause });
    }
    if (path !== ":memory:") {
      db.pragma("journal_mode = WAL");
      // WAL + NORMAL is durable against a process crash (SIGKILL), which is what DESIGN.md asks;
      // only an OS crash could lose the last transactions.
      db.pragma("synchronous = NORMAL");
    }
    db.pragma("foreign_keys = ON");
    db.pragma("busy_timeout = 5000");
    try {
      migrate(db, migrations);
    } catch (e) {
      db.close();
      throw e;
    }
    return new Store(db, path);
  }

  /**
   * The store's one group commit: the services writing to it (the async queue, SNS, SQS, event
   * buses) share each turn's transaction instead of committing once each.
   */
  get commits(): GroupCommit {
    return (this.groupCommit ??= new GroupCommit(this));
  }

  /**
   * `fn` as a transaction, built once (better-sqlite3 compiles a wrapper per db.transaction()
   * call), for a writer that commits often: its commits count towards the store being busy, as
   * the group commit's do (the SQS and async queues, SNS, buses), so that a simulator writing
   * mostly Kinesis records, log lines or SNS deliveries moves its checkpoints off the event loop too.
   */
  writer<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
    const tx = this.db.transaction(fn);
    return (...args) => {
      const out = tx(...args);
      this.noteCommit();
      return out;
    };
  }

  /** A commit, not a savepoint inside one (a writer called from a group commit's write). */
  private noteCommit(): void {
    if (!this.db.inTransaction && ++this.commitCount === BUSY_AFTER_COMMITS) this.checkpointInBackground();
  }

  /** Runs `fn` in one transaction (better-sqlite3 transactions are synchronous); it counts as a writer's. */
  transaction<T>(fn: () => T): T {
    const out = this.runInTransaction(fn) as T;
    this.noteCommit();
    return out;
  }


  /**
   * A database written at a high rate moves its WAL checkpoints (and their fsyncs) off the event
   * loop, keeping the loop's own as a backstop. Started on demand: the worker thread costs some
   * 14 MB of RSS that an idle simulator does not need.
   */
  checkpointInBackground(): void {
    if (this.checkpointer !== undefined || this.path === ":memory:" || !this.db.open) return;
    try {
      // Without its worker the event loop checkpoints again at SQLite's default size.
      this.checkpointer = new WalCheckpointer(this.path, () => {
        if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${SQLITE_CHECKPOINT_PAGES}`);
      });
    } catch {
      return; // no worker threads here: SQLite keeps checkpointing on the event loop
    }
    this.db.pragma(`wal_autocheckpoint = ${BACKSTOP_CHECKPOINT_PAGES}`);
  }

  close(): void {
    this.checkpointer?.stop();
    if (this.db.open) this.db.close();
  }
}
