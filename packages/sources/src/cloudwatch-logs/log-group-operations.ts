import type { Operation } from "@lambda-sim/core";
import { logsErrors } from "./logs-errors.ts";
import type { LogGroupSettings } from "./log-group-settings.ts";
import type { LogStore } from "./log-store.ts";

/**
 * PutRetentionPolicy's `retentionInDays`: "Possible values are: 1, 3, 5, ... and 3653" (botocore
 * logs 2014-03-28, shape `Days`; the model types it as a bare integer, so the check is here).
 */
export const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/**
 * Log-group management as Terraform's aws_cloudwatch_log_group, CDK/CloudFormation and deploy
 * scripts call it (T1): CreateLogGroup, Put/DeleteRetentionPolicy, PutLogGroupDeletionProtection,
 * the tag operations on a log group's ARN (TagResource, UntagResource, ListTagsForResource) and
 * their older per-group forms (TagLogGroup, UntagLogGroup, ListTagsLogGroup, deprecated but still
 * in the CLI), and DeleteLogGroup.
 */
export function logGroupOperations(store: LogStore, settings: LogGroupSettings, region: string, accountId: string): Record<string, Operation> {
  /**
   * The group a tag operation's `resourceArn` names: `arn:aws:logs:REGION:ACCOUNT:log-group:NAME`,
   * the ARN without `:*` (the LogGroup shape's `logGroupArn`); the `arn` with `:*` is accepted too
   * (AWS's answer to it is not documented: chosen). Any other ARN names nothing here.
   */
  const groupOfArn = (arn: string): string => {
    const m = /^arn:aws[a-z-]*:logs:([^:]*):(\d*):log-group:(.+?)(?::\*)?$/.exec(arn);
    if (m === null || m[1] !== region || m[2] !== accountId) throw logsErrors.groupNotFound();
    return m[3]!;
  };
  /** `logGroupIdentifier`: a name or an ARN. */
  const groupOfIdentifier = (id: string): string => (id.startsWith("arn:") ? groupOfArn(id) : id);
  const checkDays = (days: number) => {
    if (!(RETENTION_DAYS as readonly number[]).includes(days)) {
      // Coral's enum message, as the service answers an out-of-set value.
      throw logsErrors.invalidParameter(`1 validation error detected: Value '${days}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [${RETENTION_DAYS.join(", ")}]`);
    }
  };

  return {
    CreateLogGroup: (i) => {
      settings.create(i.logGroupName, { kmsKeyId: i.kmsKeyId, logGroupClass: i.logGroupClass, deletionProtection: i.deletionProtectionEnabled, tags: i.tags });
      return {};
    },

    DeleteLogGroup: (i) => {
      settings.checkDeletable(i.logGroupName);
      if (!store.deleteGroup(i.logGroupName)) throw logsErrors.groupNotFound();
      return {};
    },

    PutRetentionPolicy: (i) => {
      checkDays(i.retentionInDays);
      settings.setRetention(i.logGroupName, i.retentionInDays);
      return {};
    },

    DeleteRetentionPolicy: (i) => {
      settings.setRetention(i.logGroupName, null);
      return {};
    },

    PutLogGroupDeletionProtection: (i) => {
      settings.setDeletionProtection(groupOfIdentifier(i.logGroupIdentifier), i.deletionProtectionEnabled === true);
      return {};
    },

    TagResource: (i) => {
      settings.tag(groupOfArn(i.resourceArn), i.tags);
      return {};
    },
    UntagResource: (i) => {
      settings.untag(groupOfArn(i.resourceArn), i.tagKeys);
      return {};
    },
    ListTagsForResource: (i) => ({ tags: settings.tags(groupOfArn(i.resourceArn)) }),

    TagLogGroup: (i) => {
      settings.tag(i.logGroupName, i.tags);
      return {};
    },
    UntagLogGroup: (i) => {
      settings.untag(i.logGroupName, i.tags);
      return {};
    },
    ListTagsLogGroup: (i) => ({ tags: settings.tags(i.logGroupName) }),
  };
}
