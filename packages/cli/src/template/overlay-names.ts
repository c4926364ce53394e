import { SimError } from "@lambda-sim/core";
import { scheduleKey, scheduleKeyParts } from "@lambda-sim/sources";
import { CONFIG_SECTION, declaredNames } from "../config/check-references.ts";
import type { LoadedConfig } from "../config/load-config.ts";
import type { NamedKind } from "./logical-names.ts";
import type { TemplateSummary } from "./load-template.ts";

/**
 * The overlay's functions, queues, streams, topics and buses keyed by a template resource's
 * logical id stand for that resource: they take its physical name (the stack's
 * `shop-WorkerFunction-GGHJX3BX9JPS`, which holds the clone's folder name), and so replace it, as
 * faults and scenarios already read a logical id (newuser9 P2-11: a function was added as a second
 * one; review19 R19-6: a queue too, the template's producers sending to one and the overlay's
 * mapping polling the other). The overlay's references to them were rewritten as it loaded
 * (check-references.ts).
 */
export function byPhysicalNames(native: LoadedConfig, fromTemplate: LoadedConfig, summary: TemplateSummary): LoadedConfig {
  const physical = (kind: NamedKind, name: string | undefined) => {
    const l = name === undefined ? undefined : summary.names[name];
    return l?.kind === kind && !declaredNames(fromTemplate, kind).includes(name!) ? l.name : undefined;
  };
  // Two keys of one section standing for one resource (its logical id and its name): one would be
  // dropped without a word (review21 R21-6).
  const twice: string[] = [];
  const at = (section: string, key: string) => `${native.file}:${native.lineAt([section, key]) ?? ""}`;
  const once = (section: string, noun: string, keys: readonly string[], resolve: (key: string) => string) => {
    const seen = new Map<string, string>();
    for (const k of keys) {
      const name = resolve(k);
      const other = seen.get(name);
      if (other !== undefined) twice.push(`${at(section, k)} ${section}.${k}: names the same template ${noun} as ${other} (${at(section, other)}): ${name}; keep one`);
      seen.set(name, k);
    }
  };
  once("functions", "function", [...native.functions.map((f) => f.functionName), ...(native.functionSettings ?? []).map((s) => s.key)], (k) => physical("function", k) ?? k);
  const sources = { ...native.sources };
  for (const kind of ["queue", "stream", "topic", "bus"] as const) {
    const section = sources[CONFIG_SECTION[kind]] as Record<string, unknown> | undefined;
    if (section === undefined) continue;
    once(CONFIG_SECTION[kind], kind, Object.keys(section), (k) => physical(kind, k) ?? k);
    sources[CONFIG_SECTION[kind]] = Object.fromEntries(Object.entries(section).map(([k, v]) => [physical(kind, k) ?? k, v]));
  }
  // A schedule keyed by a template schedule's logical id (bare, or after its group) stands for it
  // too (newuser11 N1-6: it was added beside the template's, which then fired as well).
  const schedules = sources.schedules as Record<string, unknown> | undefined;
  if (schedules !== undefined) {
    const templateKeys = Object.keys((fromTemplate.sources.schedules as object | undefined) ?? {});
    const templateSchedule = (key: string) => {
      if (templateKeys.includes(key)) return undefined;
      const { group, name } = scheduleKeyParts(key);
      const arn = summary.created[name]?.type === "AWS::Scheduler::Schedule" ? summary.created[name]!.arn : undefined;
      const m = arn === undefined ? null : /:schedule\/([^/]+)\/(.+)$/.exec(arn);
      // A bare logical id names the template's schedule in whichever group it is; GROUP/id only in that group.
      return m === null || (key.includes("/") && m[1] !== group) ? undefined : scheduleKey(m[1]!, m[2]!);
    };
    // A SAM `Type: Schedule` event is an EventBridge rule, not a Scheduler schedule: an entry keyed by
    // its logical id would be a second trigger beside it (review22 R22-9).
    for (const k of Object.keys(schedules)) {
      const rule = templateKeys.includes(k) ? undefined : summary.created[k];
      if (rule?.type === "AWS::Events::Rule") twice.push(`${at("schedules", k)} schedules.${k}: ${k} is the template's scheduled EventBridge rule ${rule.name} (SAM Type: Schedule), not a Scheduler schedule: an entry here would fire beside it; change the rule in the template, or name this schedule otherwise`);
    }
    once("schedules", "schedule", Object.keys(schedules), (k) => templateSchedule(k) ?? k);
    sources.schedules = Object.fromEntries(Object.entries(schedules).map(([k, v]) => [templateSchedule(k) ?? k, v]));
  }
  if (twice.length > 0) throw new SimError("ERR_CONFIG", twice.join("\n"));
  return {
    ...native,
    sources,
    functions: native.functions.map((f) => {
      const name = physical("function", f.functionName);
      return name === undefined ? f : { ...f, functionName: name };
    }),
    eventSourceMappings: native.eventSourceMappings.map((m) => {
      const name = physical("function", m.FunctionName);
      return name === undefined ? m : { ...m, FunctionName: name };
    }),
  };
}
