import type { Operation, Store } from "@lambda-sim/core";
import { eventsErrors } from "../schedules/schedule-errors.ts";
import type { EventStore } from "./event-store.ts";

type Operations = Record<string, Operation>;

/** EventBridge's list form of tags (botocore events TagList). */
export type TagList = readonly { Key: string; Value: string }[];

/** "You can associate as many as 50 tags with a resource" (EventBridge API reference, TagResource). */
export const MAX_EVENTS_TAGS = 50;

/**
 * The tags of EventBridge buses and rules, persisted; a bus's and its rules' go with DeleteEventBus,
 * a rule's with DeleteRule. Keys are the resource without region and account (`event-bus/NAME`,
 * `rule/BUS/NAME`), so a restart under another region keeps them with their resources.
 */
export class EventTags {
  private readonly store: Store;

  constructor(store: Store) {
    this.store = store;
  }

  /** Refuses more tags than a resource may have, before the resource is created. */
  static check(tags: TagList | undefined): void {
    if (tags !== undefined && new Set(tags.map((t) => t.Key)).size > MAX_EVENTS_TAGS) throw tooMany();
  }

  static bus(name: string): string {
    return `event-bus/${name}`;
  }

  static rule(bus: string, name: string): string {
    return `rule/${bus}/${name}`;
  }

  get(resource: string): Record<string, string> {
    const row = this.store.db.prepare("SELECT tags FROM events_tags WHERE resource = ?").pluck().get(resource) as string | undefined;
    return row === undefined ? {} : (JSON.parse(row) as Record<string, string>);
  }

  /** TagResource's rule: a new key is added, a key the resource has gets the new value. */
  tag(resource: string, tags: TagList | undefined): void {
    if (tags === undefined || tags.length === 0) return;
    const merged = { ...this.get(resource), ...Object.fromEntries(tags.map((t) => [t.Key, t.Value])) };
    if (Object.keys(merged).length > MAX_EVENTS_TAGS) throw tooMany();
    this.save(resource, merged);
  }

  untag(resource: string, keys: readonly string[]): void {
    const left = this.get(resource);
    for (const k of keys) delete left[k];
    this.save(resource, left);
  }

  /** Drops the resource's tags; `prefix` drops every key under it (a bus's rules: `rule/BUS/`). */
  forget(resource: string, prefix = false): void {
    if (prefix) this.store.db.prepare("DELETE FROM events_tags WHERE substr(resource, 1, length(?)) = ?").run(resource, resource);
    else this.store.db.prepare("DELETE FROM events_tags WHERE resource = ?").run(resource);
  }

  private save(resource: string, tags: Record<string, string>): void {
    if (Object.keys(tags).length === 0) return this.forget(resource);
    this.store.db.prepare("INSERT OR REPLACE INTO events_tags (resource, tags) VALUES (?, ?)").run(resource, JSON.stringify(tags));
  }
}

// AWS's code and wording for the 51st tag are unrecorded: LimitExceededException, our message.
const tooMany = () => eventsErrors.limitExceeded(`A resource can have at most ${MAX_EVENTS_TAGS} tags.`);

/**
 * TagResource / UntagResource / ListTagsForResource on a bus ARN (`…:event-bus/NAME`) or a rule ARN
 * (`…:rule/NAME` on the default bus, `…:rule/BUS/NAME`), which must exist: a pattern rule here, or a
 * scheduled rule the schedules source holds (asked through its DescribeRule).
 */
export function tagOperations(o: { tags: EventTags; store: EventStore; region: string; accountId: string; scheduled: Operations }): Operations {
  const { tags, store, scheduled } = o;
  const resourceOf = (arn: string, ctx: Parameters<Operation>[1]): string => {
    const prefix = `arn:aws:events:${o.region}:${o.accountId}:`;
    // Another shape of ARN: EventBridge's answer is unrecorded; a ValidationException naming it.
    if (!arn.startsWith(prefix)) throw eventsErrors.validation(`Parameter ResourceARN is not valid: ${arn}`);
    const path = arn.slice(prefix.length).split("/");
    if (path[0] === "event-bus" && path.length === 2) {
      if (store.bus(path[1]!) === undefined) throw eventsErrors.busNotFound(path[1]!);
      return EventTags.bus(path[1]!);
    }
    if (path[0] === "rule" && (path.length === 2 || path.length === 3)) {
      const [bus, name] = path.length === 2 ? ["default", path[1]!] : [path[1]!, path[2]!];
      if (store.rule(bus, name) === undefined) {
        if (bus !== "default" || scheduled.DescribeRule === undefined) throw eventsErrors.ruleNotFound(name, bus);
        scheduled.DescribeRule({ Name: name }, ctx);
      }
      return EventTags.rule(bus, name);
    }
    throw eventsErrors.validation(`Parameter ResourceARN is not valid: ${arn}`);
  };
  return {
    TagResource: (i, ctx) => {
      tags.tag(resourceOf(String(i.ResourceARN), ctx), i.Tags as TagList);
      return {};
    },
    UntagResource: (i, ctx) => {
      tags.untag(resourceOf(String(i.ResourceARN), ctx), (i.TagKeys as string[] | undefined) ?? []);
      return {};
    },
    ListTagsForResource: (i, ctx) => ({ Tags: Object.entries(tags.get(resourceOf(String(i.ResourceARN), ctx))).map(([Key, Value]) => ({ Key, Value })) }),
  };
}
