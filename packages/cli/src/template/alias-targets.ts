import { arnService, expandShortName } from "@lambda-sim/core";
import { scheduleDefinitionOf, scheduleKeyParts, type ScheduleConfig } from "@lambda-sim/sources";
import type { LoadedConfig } from "../config/load-config.ts";
import type { TemplateAction } from "./template-actions.ts";

/**
 * The event source mappings and function URLs that name a version or alias, taken out of the start
 * config (validated with it) and applied as actions once the simulator listens: the aliases and
 * versions of a template (AutoPublishAlias, AWS::Lambda::Alias) are made then, and Lambda refuses a
 * mapping or URL on one that does not exist yet. A function with AutoPublishAlias has its events
 * qualified by the alias (function-resource.ts: SAM "points all event sources to the Alias"), and
 * its `FunctionUrlConfig` is on the alias (SAM's AWS::Lambda::Url gets the alias ARN as
 * TargetFunctionArn).
 * Schedules on a version or alias wait for it too: a Scheduler rate() schedule "starts invoking the
 * target immediately" (Scheduler user guide, schedule types) and would fire at an alias not yet
 * there, its delivery refused and dropped; a scheduled rule's first fire, one period after its
 * creation, is counted from after the alias exists, as CloudFormation creates a rule after the
 * alias it targets (SAM's rule and schedule depend on the alias: sam_resources.py).
 * `mappingPlaces` are where each config mapping was declared; those of the ones taken out go with
 * them. `placeOf` names where the template declares a native key path (a schedule's).
 */
export function deferAliasTargets(config: LoadedConfig, actions: TemplateAction[], mappingPlaces: string[], placeOf: (path: readonly PropertyKey[]) => string = () => ""): { config: LoadedConfig; mappingPlaces: string[] } {
  const published = new Map(actions.flatMap((a) => (a.kind === "publish-alias" ? [[a.functionName, a] as const] : [])));
  const kept: LoadedConfig["eventSourceMappings"] = [];
  const places: string[] = [];
  config.eventSourceMappings.forEach((m, i) => {
    if (qualifierOf(m.FunctionName) === undefined) {
      kept.push(m);
      places.push(mappingPlaces[i]!);
      return;
    }
    const place = mappingPlaces[i]!;
    actions.push({ kind: "mapping", logicalId: place, place, input: m });
  });
  const functions = config.functions.map((f) => {
    const alias = published.get(f.functionName);
    if (alias === undefined || f.functionUrl === undefined) return f;
    actions.push({ kind: "function-url", logicalId: `${alias.logicalId}Url`, functionName: f.functionName, qualifier: alias.alias, url: f.functionUrl });
    const { functionUrl: _onTheAlias, ...rest } = f;
    return rest;
  });
  const schedules: Record<string, DeclaredSchedule> = {};
  for (const [key, s] of Object.entries((config.sources.schedules ?? {}) as Record<string, DeclaredSchedule>)) {
    if (!onVersionOrAlias(expandShortName(s.target.arn, config.region, config.accountId))) schedules[key] = s;
    else actions.push({ kind: "schedule", logicalId: key, place: placeOf(["schedules", key]), key, ...scheduleKeyParts(key), input: createScheduleInput(s, key, config) });
  }
  // Rules on a version or alias after every alias and version the template makes, in their order.
  const rules = actions.filter((a) => a.kind === "rule" && a.targets.some((t) => typeof t.Arn === "string" && onVersionOrAlias(t.Arn)));
  for (const r of rules) actions.splice(actions.indexOf(r), 1);
  actions.push(...rules);
  const sources = config.sources.schedules === undefined ? config.sources : { ...config.sources, schedules };
  return { config: { ...config, eventSourceMappings: kept, functions, sources }, mappingPlaces: places };
}

/** A validated `schedules:` entry (the schedules source's schema output). */
type DeclaredSchedule = ScheduleConfig[string];

/** The CreateSchedule request a declared schedule is: its stored definition, one target, dates in epoch seconds (REST-JSON). */
function createScheduleInput(s: DeclaredSchedule, key: string, config: LoadedConfig): Record<string, unknown> {
  const { Targets, StartDate, EndDate, ...rest } = scheduleDefinitionOf(s, (ref) => expandShortName(ref, config.region, config.accountId), config.accountId);
  return {
    ...rest,
    GroupName: scheduleKeyParts(key).group,
    StartDate: StartDate === undefined ? undefined : StartDate / 1000,
    EndDate: EndDate === undefined ? undefined : EndDate / 1000,
    // CreateSchedule requires a role: the template's, else a placeholder (lambda-sim checks no IAM).
    Target: Targets[0],
  };
}

/** A Lambda ARN naming a version or alias. */
function onVersionOrAlias(arn: string): boolean {
  return arnService(arn) === "lambda" && qualifierOf(arn) !== undefined;
}

/** `name:live`, `arn:aws:lambda:r:a:function:name:live` → `live`; unqualified or `$LATEST` → undefined. */
function qualifierOf(functionName: string | undefined): string | undefined {
  const q = String(functionName ?? "").replace(/^arn:[^:]+:lambda:[^:]*:[^:]*:function:/, "").split(":")[1];
  return q === undefined || q === "$LATEST" ? undefined : q;
}
