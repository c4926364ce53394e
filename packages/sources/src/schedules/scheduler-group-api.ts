import { jsonBody, listPage, type Clock, type RestRoute } from "@lambda-sim/core";
import { schedulerErrors } from "./schedule-errors.ts";
import { DEFAULT_GROUP, type ScheduleGroup, type ScheduleGroups } from "./schedule-groups.ts";
import type { ScheduleRunner } from "./schedule-runner.ts";
import type { ScheduleStore } from "./schedule-store.ts";

/** ListScheduleGroups: MaxResults 1-100 (botocore scheduler 2021-06-30). */
const MAX_RESULTS = 100;
/**
 * "Maximum user-created tags per resource: 50" and "the aws: prefix is reserved for AWS use"
 * (AWS's tagging guide, which the Scheduler guide's schedule-group page points to; the model's
 * TagList allows 200 a request). Scheduler's answers to either are unrecorded: a
 * ValidationException, with our wording.
 */
const MAX_TAGS = 50;

/**
 * EventBridge Scheduler's schedule groups over REST-JSON (botocore scheduler 2021-06-30):
 * CreateScheduleGroup, GetScheduleGroup, ListScheduleGroups, DeleteScheduleGroup, and the
 * tagging operations, whose resources are schedule groups only (TagResourceArn's pattern).
 * Member types, lengths and patterns are the router's model checks.
 */
export function scheduleGroupRoutes(groups: ScheduleGroups, store: ScheduleStore, runner: ScheduleRunner, clock: Clock, region: string, accountId: string): RestRoute[] {
  const arn = (name: string) => `arn:aws:scheduler:${region}:${accountId}:schedule-group/${name}`;
  const find = (name: string) => {
    const g = groups.get(name);
    if (g === undefined) throw schedulerErrors.groupNotFound(name);
    return g;
  };
  /** The group a tagging ARN names: one of this region and account, that exists. */
  const byArn = (resourceArn: string) => {
    const m = /^arn:aws(?:-[a-z]+)?:scheduler:([a-z0-9-]+):(\d{12}):schedule-group\/(.+)$/.exec(resourceArn);
    const g = m !== null && m[1] === region && m[2] === accountId ? groups.get(m[3]!) : undefined;
    if (g === undefined) throw schedulerErrors.groupNotFound(m?.[3] ?? resourceArn);
    return g;
  };
  const summary = (g: ScheduleGroup) => ({ Arn: arn(g.name), CreationDate: seconds(g.createdAt), LastModificationDate: seconds(g.modifiedAt), Name: g.name, State: "ACTIVE" });
  return [
    {
      method: "POST",
      path: "/schedule-groups/{Name}",
      operation: "CreateScheduleGroup",
      handler: (req) => {
        const name = req.params.Name!;
        const body = jsonBody(req);
        const token = typeof body.ClientToken === "string" ? body.ClientToken : undefined;
        const existing = groups.get(name);
        // ClientToken is an idempotency token (botocore's model; the SDKs send one and reuse it on
        // a retry): the same request again answers the group it made, not a conflict.
        if (existing !== undefined && token !== undefined && existing.clientToken === token) return { body: { ScheduleGroupArn: arn(name) } };
        // AWS's wording for an existing group is unrecorded: CreateSchedule's, for a group (our choice).
        if (existing !== undefined) throw schedulerErrors.groupConflict(name);
        const tags = tagMap(body.Tags);
        checkTags(tags, {});
        groups.create(name, clock.now(), tags, token);
        return { body: { ScheduleGroupArn: arn(name) } };
      },
    },
    {
      method: "GET",
      path: "/schedule-groups/{Name}",
      operation: "GetScheduleGroup",
      handler: (req) => ({ body: summary(find(req.params.Name!)) }),
    },
    {
      method: "DELETE",
      path: "/schedule-groups/{Name}",
      operation: "DeleteScheduleGroup",
      handler: (req) => {
        const g = find(req.params.Name!);
        // "You can't delete, or edit, the default group" (Scheduler guide, deleting a schedule group); the API's answer is unrecorded: our choice.
        if (g.name === DEFAULT_GROUP) throw schedulerErrors.validation("You cannot delete the default group.");
        // "Deleting a schedule group results in EventBridge Scheduler deleting all schedules
        // associated with the group" (DeleteScheduleGroup). AWS does it over time (the group is
        // DELETING meanwhile); here at once: nothing of the group fires after this answer.
        for (const s of store.list("scheduler")) if (s.group === g.name) runner.remove(s);
        groups.delete(g.name);
        return { body: {} };
      },
    },
    {
      method: "GET",
      path: "/schedule-groups",
      operation: "ListScheduleGroups",
      handler: (req) => {
        const prefix = req.query.get("NamePrefix") ?? "";
        const page = listPage(
          groups.list().filter((g) => g.name.startsWith(prefix)),
          {
            listing: "ListScheduleGroups",
            position: (g) => [g.name],
            count: Number(req.query.get("MaxResults") ?? MAX_RESULTS),
            token: req.query.get("NextToken"),
            invalidToken: () => schedulerErrors.validation("The NextToken provided is invalid."),
          },
        );
        return { body: { ScheduleGroups: page.items.map(summary), NextToken: page.next } };
      },
    },
    {
      method: "GET",
      path: "/tags/{ResourceArn}",
      operation: "ListTagsForResource",
      handler: (req) => ({ body: { Tags: Object.entries(byArn(req.params.ResourceArn!).tags).map(([Key, Value]) => ({ Key, Value })) } }),
    },
    {
      method: "POST",
      path: "/tags/{ResourceArn}",
      operation: "TagResource",
      handler: (req) => {
        const g = editable(byArn(req.params.ResourceArn!));
        const tags = tagMap(jsonBody(req).Tags);
        checkTags(tags, g.tags);
        groups.tag(g.name, tags);
        return { body: {} };
      },
    },
    {
      method: "DELETE",
      path: "/tags/{ResourceArn}",
      operation: "UntagResource",
      handler: (req) => {
        const g = editable(byArn(req.params.ResourceArn!));
        const keys = req.query.getAll("TagKeys");
        const reserved = keys.find(isReserved);
        if (reserved !== undefined) throw reservedKey(reserved);
        groups.untag(g.name, keys);
        return { body: {} };
      },
    },
  ];
}

/**
 * "You can't delete, or edit, the default group" (Scheduler guide, managing a schedule group):
 * its tags included. The API's answer is unrecorded: a ValidationException (our choice), as
 * DeleteScheduleGroup answers for it.
 */
function editable(g: ScheduleGroup): ScheduleGroup {
  if (g.name === DEFAULT_GROUP) throw schedulerErrors.validation("You cannot edit the default group.");
  return g;
}

const isReserved = (key: string) => key.toLowerCase().startsWith("aws:");
const reservedKey = (key: string) => schedulerErrors.validation(`Tag key ${key} is invalid: the aws: prefix is reserved for AWS use.`);

/** `added` may join `existing`: no reserved key, at most MAX_TAGS in all (see MAX_TAGS). */
function checkTags(added: Record<string, string>, existing: Record<string, string>): void {
  const reserved = Object.keys(added).find(isReserved);
  if (reserved !== undefined) throw reservedKey(reserved);
  const total = new Set([...Object.keys(existing), ...Object.keys(added)]).size;
  if (total > MAX_TAGS) throw schedulerErrors.validation(`A schedule group can have at most ${MAX_TAGS} tags; this request would leave it ${total}.`);
}

/** A TagList (checked by the model: Key and Value strings) as a map; a later duplicate key wins. */
function tagMap(list: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of (list as { Key: string; Value: string }[] | undefined) ?? []) out[t.Key] = t.Value;
  return out;
}

/** REST-JSON timestamps are epoch seconds. */
const seconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);
