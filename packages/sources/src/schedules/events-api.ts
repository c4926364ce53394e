import type { Operation } from "@lambda-sim/core";
import { MAX_TARGETS } from "../events/bus-operations.ts";
import { eventsPage } from "../events/events-page.ts";
import { parseScheduleExpression } from "./schedule-expression.ts";
import { eventsErrors } from "./schedule-errors.ts";
import type { ScheduleRunner } from "./schedule-runner.ts";
import { scheduleArn, type ScheduleRecord, type ScheduleStore, type ScheduleTarget } from "./schedule-store.ts";

type Input = Record<string, any>;

const BUS = "default";

/**
 * EventBridge scheduled rules (aws-facts §9.1) over AWS JSON 1.1, `X-Amz-Target: AWSEvents.<Op>`:
 * PutRule with a ScheduleExpression on the default bus, targets, enable/disable, describe, list,
 * delete. Rules with an EventPattern, and other buses, are the events source's (events/).
 */
export function ruleOperations(store: ScheduleStore, runner: ScheduleRunner, region: string, accountId: string): Record<string, Operation> {
  const arn = (r: ScheduleRecord) => scheduleArn(r, region, accountId);
  const find = (name: unknown, bus: unknown) => {
    checkBus(bus);
    const r = store.get("rule", BUS, String(name));
    if (r === undefined) throw eventsErrors.ruleNotFound(String(name));
    return r;
  };
  const rule = (r: ScheduleRecord) => ({
    Name: r.name,
    Arn: arn(r),
    ScheduleExpression: r.def.ScheduleExpression,
    State: r.def.State,
    Description: r.def.Description,
    RoleArn: r.def.Extra?.RoleArn,
    EventBusName: BUS,
  });
  const setState = (i: Input, State: "ENABLED" | "DISABLED") => {
    const r = find(i.Name, i.EventBusName);
    runner.save("rule", BUS, r.name, { ...r.def, State });
    return {};
  };
  return {
    PutRule: (i) => {
      // Name: 1-64 characters of [.\-_A-Za-z0-9], checked against the model.
      if (i.ScheduleExpression === undefined && i.EventPattern === undefined) throw eventsErrors.validation("Parameter(s) EventPattern or ScheduleExpression must be specified.");
      if (i.ScheduleExpression === undefined) throw eventsErrors.validation("lambda-sim simulates scheduled rules only: EventPattern rules are not supported yet.");
      if (i.EventBusName !== undefined && busName(i.EventBusName) !== BUS) throw eventsErrors.notDefaultBus();
      if (parseScheduleExpression(String(i.ScheduleExpression), "rule") === undefined) throw eventsErrors.invalidExpression();
      const old = store.get("rule", BUS, i.Name);
      const r = runner.save("rule", BUS, i.Name, {
        ScheduleExpression: i.ScheduleExpression,
        // Rules are always UTC (aws-facts §9.1).
        ScheduleExpressionTimezone: "UTC",
        State: i.State === "DISABLED" ? "DISABLED" : "ENABLED",
        Description: i.Description,
        FlexibleTimeWindow: { Mode: "OFF" },
        ActionAfterCompletion: "NONE",
        Targets: old?.def.Targets ?? [],
        Extra: i.RoleArn === undefined ? undefined : { RoleArn: i.RoleArn },
      });
      return { RuleArn: arn(r) };
    },
    DescribeRule: (i) => ({ ...rule(find(i.Name, i.EventBusName)), CreatedBy: accountId }),
    ListRules: (i) => {
      checkBus(i.EventBusName);
      const all = store.list("rule").filter((r) => r.name.startsWith(i.NamePrefix ?? "")).map(rule);
      return eventsPage(all, i, "Rules", `ListRules ${BUS}`, (r) => [r.Name]);
    },
    EnableRule: (i) => setState(i, "ENABLED"),
    DisableRule: (i) => setState(i, "DISABLED"),
    DeleteRule: (i) => {
      checkBus(i.EventBusName);
      const r = store.get("rule", BUS, String(i.Name));
      if (r === undefined) return {};
      if (r.def.Targets.length > 0 && i.Force !== true) throw eventsErrors.validation("Rule can't be deleted since it has targets.");
      runner.remove(r);
      return {};
    },
    PutTargets: (i) => {
      const r = find(i.Rule, i.EventBusName);
      // A list of 1-100 targets, each with an Id of [.\-_A-Za-z0-9] and an Arn: the model's checks.
      const given = i.Targets as (ScheduleTarget & Input)[];
      for (const t of given) {
        if ([t.Input, t.InputPath, t.InputTransformer].filter((x) => x !== undefined).length > 1) {
          throw eventsErrors.validation("Only one of Input, InputPath, or InputTransformer can be specified for a target.");
        }
      }
      const ids = new Set(given.map((t) => t.Id));
      const targets = [...r.def.Targets.filter((t) => !ids.has(t.Id)), ...given.map(({ Id, Arn, RoleArn, Input, InputPath, InputTransformer, RetryPolicy, DeadLetterConfig }) => ({ Id, Arn, RoleArn, Input, InputPath, InputTransformer, RetryPolicy, DeadLetterConfig }))];
      if (targets.length > MAX_TARGETS) throw eventsErrors.limitExceeded(`The requested resource exceeds the maximum number allowed.`);
      runner.save("rule", BUS, r.name, { ...r.def, Targets: targets });
      return { FailedEntryCount: 0, FailedEntries: [] };
    },
    RemoveTargets: (i) => {
      const r = find(i.Rule, i.EventBusName);
      const ids = new Set<string>(i.Ids ?? []);
      runner.save("rule", BUS, r.name, { ...r.def, Targets: r.def.Targets.filter((t) => !ids.has(t.Id!)) });
      return { FailedEntryCount: 0, FailedEntries: [] };
    },
    ListTargetsByRule: (i) => eventsPage(find(i.Rule, i.EventBusName).def.Targets, i, "Targets", `ListTargetsByRule ${BUS} ${String(i.Rule)}`, (t) => [t.Id ?? ""]),
  };
}

/** `default`, or the default bus's ARN. */
function busName(bus: unknown): string {
  const s = String(bus);
  return s.startsWith("arn:") ? s.slice(s.lastIndexOf("/") + 1) : s;
}

function checkBus(bus: unknown): void {
  if (bus !== undefined && busName(bus) !== BUS) throw eventsErrors.busNotFound(busName(bus));
}
