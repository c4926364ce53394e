import type { Store } from "@lambda-sim/core";
import { logsErrors } from "./logs-errors.ts";
import type { LogGroupRow, LogStore } from "./log-store.ts";

/** A resource "can have no more than 50 tags" (TooManyTagsException, botocore logs). */
const MAX_TAGS = 50;

export interface NewLogGroup {
  kmsKeyId?: string;
  logGroupClass?: string;
  deletionProtection?: boolean;
  tags?: Record<string, string>;
}

/**
 * What a user sets on a log group (T1): CreateLogGroup's KMS key, class, deletion protection and
 * tags, PutRetentionPolicy's retention and the tags of TagResource. A group created here is the one
 * a function's logs go to when it has that name: Lambda writes into an existing `/aws/lambda/NAME`
 * and creates it only when it is missing (Lambda developer guide, "Sending Lambda function logs to
 * CloudWatch Logs"), so the group a function auto-created has none of these, and CreateLogGroup on
 * it is ResourceAlreadyExistsException as on AWS. Kept in `logs_groups`: it survives restarts and
 * goes with DeleteLogGroup.
 */
export class LogGroupSettings {
  private readonly logs: LogStore;
  private readonly s;

  constructor(store: Store, logs: LogStore, now: () => number) {
    this.logs = logs;
    const db = store.db;
    this.s = {
      insert: db.prepare(
        "INSERT INTO logs_groups (name, created_at, kms_key_id, log_group_class, deletion_protection, tags) VALUES (@name, @now, @kms, @cls, @protect, @tags)",
      ),
      retention: db.prepare("UPDATE logs_groups SET retention_in_days = ? WHERE name = ?"),
      protection: db.prepare("UPDATE logs_groups SET deletion_protection = ? WHERE name = ?"),
      tags: db.prepare("UPDATE logs_groups SET tags = ? WHERE name = ?"),
    };
    this.now = now;
  }

  private readonly now: () => number;

  /** CreateLogGroup: refused when the group exists, made by a user or by a function's first log line. */
  create(name: string, g: NewLogGroup): void {
    if (this.logs.group(name) !== undefined) throw logsErrors.groupExists();
    const tags = g.tags ?? {};
    if (Object.keys(tags).length > MAX_TAGS) throw logsErrors.tooManyTags(name);
    this.s.insert.run({
      name,
      now: this.now(),
      kms: g.kmsKeyId ?? null,
      cls: g.logGroupClass ?? "STANDARD",
      protect: g.deletionProtection === true ? 1 : 0,
      tags: JSON.stringify(tags),
    });
  }

  /** PutRetentionPolicy (days) or DeleteRetentionPolicy (null: never expire, AWS's default). */
  setRetention(name: string, days: number | null): void {
    this.existing(name);
    this.s.retention.run(days, name);
  }

  setDeletionProtection(name: string, on: boolean): void {
    this.existing(name);
    this.s.protection.run(on ? 1 : 0, name);
  }

  /** DeleteLogGroup's check: a protected group stays. */
  checkDeletable(name: string): void {
    const g = this.logs.group(name);
    if (g !== undefined && g.deletion_protection === 1) throw logsErrors.deletionProtected();
  }

  tags(name: string): Record<string, string> {
    return JSON.parse(this.existing(name).tags) as Record<string, string>;
  }

  /** TagResource / TagLogGroup: new keys added, existing ones replaced; at most 50 in all. */
  tag(name: string, add: Record<string, string>): void {
    const tags = { ...this.tags(name), ...add };
    if (Object.keys(tags).length > MAX_TAGS) throw logsErrors.tooManyTags(name);
    this.s.tags.run(JSON.stringify(tags), name);
  }

  /** UntagResource / UntagLogGroup: keys the group does not have are ignored. */
  untag(name: string, keys: string[]): void {
    const tags = this.tags(name);
    for (const k of keys) delete tags[k];
    this.s.tags.run(JSON.stringify(tags), name);
  }

  private existing(name: string): LogGroupRow {
    const g = this.logs.group(name);
    if (g === undefined) throw logsErrors.groupNotFound();
    return g;
  }
}
