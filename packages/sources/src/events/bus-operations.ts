import { AwsError, compilePattern, isInvalidEventPattern, type Clock, type Operation } from "@lambda-sim/core";
import { eventsErrors } from "../schedules/schedule-errors.ts";
import { eventsPage } from "./events-page.ts";
import type { EventStore, EventTarget, RuleRecord } from "./event-store.ts";
import { EventTags, type TagList } from "./event-tags.ts";
import type { RuleIndex } from "./rule-index.ts";

/** The members of EventBridge's `Target` shape (botocore events-2015-10-07). */
const TARGET_MEMBERS = ["Id", "Arn", "RoleArn", "Input", "InputPath", "InputTransformer", "KinesisParameters", "RunCommandParameters", "EcsParameters", "BatchParameters", "SqsParameters", "HttpParameters", "RedshiftDataParameters", "SageMakerPipelineParameters", "DeadLetterConfig", "RetryPolicy", "AppSyncParameters"] as const;

type Input = Record<string, any>;
type Operations = Record<string, Operation>;

export const DEFAULT_BUS = "default";
/** Targets per rule (EventBridge quotas: 5, not adjustable). */
export const MAX_TARGETS = 5;

const events = (code: string, message: string) => new AwsError(code, 400, message, { messageKey: "message" });

export interface BusNames {
  busArn: (bus: string) => string;
  ruleArn: (bus: string, name: string) => string;
  /** The bus a name or ARN names (`default` when omitted), whether or not it exists. */
  nameOf: (nameOrArn: string | undefined) => string;
}

export function busNames(region: string, accountId: string): BusNames {
  return {
    busArn: (bus) => `arn:aws:events:${region}:${accountId}:event-bus/${bus}`,
    // Rules of the default bus keep the short ARN; others name their bus.
    ruleArn: (bus, name) => `arn:aws:events:${region}:${accountId}:rule/${bus === DEFAULT_BUS ? "" : `${bus}/`}${name}`,
    nameOf: (v) => (v === undefined || v === "" ? DEFAULT_BUS : v.startsWith("arn:") ? v.slice(v.lastIndexOf("/") + 1) : v),
  };
}

/**
 * Buses and pattern rules over the EventBridge API (user guide "Event buses", "Rules"). Rules with
 * a ScheduleExpression stay the schedules source's: a call about a rule this source does not hold
 * goes to the operations registered before (`scheduled`).
 */
export function busOperations(o: { store: EventStore; rules: RuleIndex; clock: Clock; names: BusNames; accountId: string; scheduled: Operations; tags: EventTags }): Operations {
  const { store, rules, names, scheduled, tags } = o;
  const existingBus = (v: string | undefined) => {
    const bus = names.nameOf(v);
    if (store.bus(bus) === undefined) throw eventsErrors.busNotFound(bus);
    return bus;
  };
  const mine = (i: Input, key = "Name"): RuleRecord | undefined => store.rule(existingBus(i.EventBusName), String(i[key]));
  const delegate = (op: string, i: Input, ctx: Parameters<Operation>[1], key = "Name") => {
    const bus = names.nameOf(i.EventBusName);
    if (bus !== DEFAULT_BUS || scheduled[op] === undefined) throw eventsErrors.ruleNotFound(String(i[key]), bus);
    return scheduled[op]!(i, ctx);
  };
  /** Every scheduled rule of the default bus, read page by page from the schedules source. */
  const scheduledRules = (NamePrefix: string | undefined, ctx: Parameters<Operation>[1]): { Name: string }[] => {
    const out: { Name: string }[] = [];
    if (scheduled.ListRules === undefined) return out;
    let NextToken: string | undefined;
    do {
      const p = scheduled.ListRules({ NamePrefix, NextToken }, ctx) as { Rules: { Name: string }[]; NextToken?: string };
      out.push(...p.Rules);
      NextToken = p.NextToken;
    } while (NextToken !== undefined);
    return out;
  };
  const save = (r: RuleRecord) => {
    store.putRule(r.bus, r.name, r.def);
    rules.rebuild();
  };
  const describe = (r: RuleRecord) => ({
    Name: r.name,
    Arn: names.ruleArn(r.bus, r.name),
    EventPattern: r.def.EventPattern,
    State: r.def.State,
    Description: r.def.Description,
    RoleArn: r.def.RoleArn,
    EventBusName: r.bus,
  });
  const busView = (b: { name: string; description?: string; createdAt: number; modifiedAt: number }) => ({
    Name: b.name,
    Arn: names.busArn(b.name),
    Description: b.description,
    CreationTime: b.createdAt / 1000,
    LastModifiedTime: b.modifiedAt / 1000,
  });
  const setState = (op: string, State: "ENABLED" | "DISABLED"): Operation => (i, ctx) => {
    const r = mine(i);
    if (r === undefined) return delegate(op, i, ctx);
    save({ ...r, def: { ...r.def, State } });
    return {};
  };
  /** Whether PutRule updates a rule: a pattern rule of that bus, or a scheduled rule of the default bus. */
  const ruleExists = (i: Input, ctx: Parameters<Operation>[1]): boolean => {
    const bus = names.nameOf(i.EventBusName);
    if (store.rule(bus, String(i.Name)) !== undefined) return true;
    if (bus !== DEFAULT_BUS || scheduled.DescribeRule === undefined) return false;
    try {
      scheduled.DescribeRule({ Name: i.Name }, ctx);
      return true;
    } catch {
      return false;
    }
  };
  const putRule: Operation = (i, ctx) => {
    const bus = names.nameOf(i.EventBusName);
    if (i.ScheduleExpression !== undefined) {
      // A scheduled rule: the schedules source's, on the default bus only.
      if (store.rule(bus, i.Name) !== undefined) store.deleteRule(bus, i.Name);
      rules.rebuild();
      return delegate("PutRule", i, ctx);
    }
    if (i.EventPattern === undefined) throw eventsErrors.validation("Parameter(s) EventPattern or ScheduleExpression must be specified.");
    existingBus(i.EventBusName);
    validateEventPattern(i.EventPattern);
    // Replacing a scheduled rule of the same name with a pattern rule.
    if (bus === DEFAULT_BUS && scheduled.DeleteRule !== undefined) scheduled.DeleteRule({ Name: i.Name, Force: true }, ctx);
    const old = store.rule(bus, i.Name);
    save({ bus, name: i.Name, def: { EventPattern: i.EventPattern, State: i.State === "DISABLED" ? "DISABLED" : "ENABLED", Description: i.Description, RoleArn: i.RoleArn, Targets: old?.def.Targets ?? [] } });
    return { RuleArn: names.ruleArn(bus, i.Name) };
  };
  return {
    ...scheduled,
    CreateEventBus: (i) => {
      if (store.bus(i.Name) !== undefined) throw events("ResourceAlreadyExistsException", `Event bus ${i.Name} already exists.`);
      if (i.EventSourceName !== undefined) throw eventsErrors.validation("lambda-sim does not simulate partner event sources.");
      EventTags.check(i.Tags as TagList | undefined);
      store.putBus(i.Name, i.Description, o.clock.now());
      tags.tag(EventTags.bus(i.Name), i.Tags as TagList | undefined);
      return { EventBusArn: names.busArn(i.Name), Description: i.Description };
    },
    DeleteEventBus: (i) => {
      if (i.Name === DEFAULT_BUS) throw eventsErrors.validation("Cannot delete event bus default.");
      store.deleteBus(i.Name);
      tags.forget(EventTags.bus(i.Name));
      tags.forget(EventTags.rule(i.Name, ""), true);
      rules.rebuild();
      return {};
    },
    DescribeEventBus: (i) => {
      const bus = store.bus(existingBus(i.Name));
      return { ...busView(bus!) };
    },
    ListEventBuses: (i) => {
      const all = store.buses().filter((b) => b.name.startsWith(i.NamePrefix ?? ""));
      return eventsPage(all.map(busView), i, "EventBuses", "ListEventBuses", (b) => [b.Name]);
    },
    PutRule: (i, ctx) => {
      // "If you are updating an existing rule, any tags you specify in the PutRule operation are
      // ignored. To update the tags of an existing rule, use TagResource and UntagResource."
      // (botocore events 2015-10-07 PutRule). A new rule's tags are checked before anything is written.
      const existed = ruleExists(i, ctx);
      if (!existed) EventTags.check(i.Tags as TagList | undefined);
      const out = putRule(i, ctx);
      if (!existed) tags.tag(EventTags.rule(names.nameOf(i.EventBusName), i.Name), i.Tags as TagList | undefined);
      return out;
    },
    DescribeRule: (i, ctx) => {
      const r = mine(i);
      return r === undefined ? delegate("DescribeRule", i, ctx) : { ...describe(r), CreatedBy: o.accountId };
    },
    ListRules: (i, ctx) => {
      const bus = existingBus(i.EventBusName);
      const own = store.rules().filter((r) => r.bus === bus && r.name.startsWith(i.NamePrefix ?? "")).map(describe);
      const sched = bus === DEFAULT_BUS ? scheduledRules(i.NamePrefix, ctx) : [];
      return eventsPage([...own, ...sched], i, "Rules", `ListRules ${bus}`, (r) => [r.Name]);
    },
    EnableRule: setState("EnableRule", "ENABLED"),
    DisableRule: setState("DisableRule", "DISABLED"),
    DeleteRule: (i, ctx) => {
      const r = mine(i);
      const bus = names.nameOf(i.EventBusName);
      if (r === undefined) {
        if (bus !== DEFAULT_BUS || scheduled.DeleteRule === undefined) return {};
        const out = scheduled.DeleteRule(i, ctx);
        tags.forget(EventTags.rule(bus, i.Name));
        return out;
      }
      if (r.def.Targets.length > 0 && i.Force !== true) throw eventsErrors.validation("Rule can't be deleted since it has targets.");
      store.deleteRule(r.bus, r.name);
      tags.forget(EventTags.rule(r.bus, r.name));
      rules.rebuild();
      return {};
    },
    PutTargets: (i, ctx) => {
      const r = mine(i, "Rule");
      if (r === undefined) return delegate("PutTargets", i, ctx, "Rule");
      // Every member of AWS's Target shape is kept and listed back as put (newuser13 N13-2: the
      // *Parameters of targets lambda-sim does not run too); unknown members are not.
      const given = (i.Targets as Record<string, unknown>[]).map((t) => Object.fromEntries(TARGET_MEMBERS.filter((k) => t[k] !== undefined).map((k) => [k, t[k]])) as unknown as EventTarget);
      for (const t of given) {
        if ([t.Input, t.InputPath, t.InputTransformer].filter((x) => x !== undefined).length > 1) {
          throw eventsErrors.validation("Only one of Input, InputPath, or InputTransformer can be specified for a target.");
        }
      }
      const ids = new Set(given.map((t) => t.Id));
      // An Id names one target of its rule (Target.Id): a request repeating one keeps its last
      // (our choice; AWS's answer to the repeat is unrecorded; newuser13: both were kept and delivered).
      const unique = given.filter((t, i) => given.findLastIndex((u) => u.Id === t.Id) === i);
      const targets = [...r.def.Targets.filter((t) => !ids.has(t.Id)), ...unique];
      if (targets.length > MAX_TARGETS) throw eventsErrors.limitExceeded("The requested resource exceeds the maximum number allowed.");
      save({ ...r, def: { ...r.def, Targets: targets } });
      return { FailedEntryCount: 0, FailedEntries: [] };
    },
    RemoveTargets: (i, ctx) => {
      const r = mine(i, "Rule");
      if (r === undefined) return delegate("RemoveTargets", i, ctx, "Rule");
      const ids = new Set<string>(i.Ids ?? []);
      save({ ...r, def: { ...r.def, Targets: r.def.Targets.filter((t) => !ids.has(t.Id)) } });
      return { FailedEntryCount: 0, FailedEntries: [] };
    },
    ListTargetsByRule: (i, ctx) => {
      const r = mine(i, "Rule");
      // In Id order (AWS's order is unrecorded: our choice), so a token names a target by its Id.
      return r === undefined ? delegate("ListTargetsByRule", i, ctx, "Rule") : eventsPage(r.def.Targets, i, "Targets", `ListTargetsByRule ${r.bus} ${r.name}`, (t) => [t.Id]);
    },
    TestEventPattern: (i) => {
      validateEventPattern(i.EventPattern);
      let event: unknown;
      try {
        event = JSON.parse(i.Event);
      } catch {
        throw eventsErrors.validation("Parameter Event is not valid.");
      }
      // AWS refuses an event without these fields, with the same message (LocalStack's AWS-validated
      // TestEventPattern; the API reference also lists `resources`, which AWS does not require).
      if (typeof event !== "object" || event === null || Array.isArray(event) || !TEST_EVENT_FIELDS.every((f) => f in event)) throw eventsErrors.validation("Parameter Event is not valid.");
      return { Result: compilePattern(i.EventPattern)(event) };
    },
  };
}

/** The fields TestEventPattern's Event must have (TestEventPattern API reference, less `resources`). */
const TEST_EVENT_FIELDS = ["id", "account", "source", "time", "region", "detail-type"] as const;

/** InvalidEventPatternException with event-ruler's reason (patterns/invalid-event-pattern.ts). */
export function validateEventPattern(pattern: string): void {
  try {
    compilePattern(pattern);
  } catch (e) {
    if (isInvalidEventPattern(e)) throw events("InvalidEventPatternException", e.message);
    throw e;
  }
}
