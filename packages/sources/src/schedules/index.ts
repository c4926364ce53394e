import { expandShortName, loadMigrations, type Source, type TimerHandle } from "@lambda-sim/core";
import { extendEventsProtocol } from "../events/events-protocol.ts";
import { ruleOperations } from "./events-api.ts";
import { definitionOf, scheduleConfigSchema, scheduleKey, scheduleKeyParts, type ScheduleConfig } from "./schedule-config.ts";
import { scheduleDelivery } from "./schedule-delivery.ts";
import { ScheduleRunner, type MissedFires } from "./schedule-runner.ts";
import { DEFAULT_GROUP, ScheduleGroups } from "./schedule-groups.ts";
import { keyOf, ScheduleStore } from "./schedule-store.ts";
import { schedulerRestSpec, schedulerRoutes } from "./scheduler-api.ts";
import { scheduleGroupRoutes } from "./scheduler-group-api.ts";

/** What `/_sim/state` and the start banner show of one schedule or scheduled rule. */
export interface ScheduleView {
  kind: "scheduler" | "rule";
  /** A Scheduler schedule's group (`default`), a rule's bus (`default`). */
  group: string;
  name: string;
  expression: string;
  state: "ENABLED" | "DISABLED";
  lastFireAt: number | undefined;
  nextFireAt: number | undefined;
  /** Its targets' ARNs. */
  targets: string[];
  /** The targets with a constant Input, and that Input (the payload a Lambda target gets). */
  inputs: { arn: string; input: string }[];
  /** Declared by the configuration or a template's action, not made through the API (schedule-store.ts). */
  declared?: "config" | "template";
}

export interface SchedulesOptions {
  /** `lambda-sim start --catch-up`: one fire per schedule that missed fires while lambda-sim was down. */
  catchUp?: boolean;
}

/**
 * The schedules source (DESIGN.md `Source`), the one to copy when adding a source: a config
 * section, its own migrations, two AWS APIs on the router, a `/_sim/` route, and a runner that
 * keeps one Clock timer per schedule.
 *
 * - EventBridge Scheduler (`scheduler`, REST-JSON) and EventBridge scheduled rules (`events`,
 *   JSON 1.1) share one table and one runner; `schedules:` in lambda-sim.yaml declares Scheduler
 *   schedules.
 * - Targets are invoked asynchronously through the AsyncQueue (schedule-delivery.ts).
 * - After a restart, fires missed while down are skipped and listed in one warning, or fired
 *   once each with `catchUp`.
 */
export function createSchedulesSource(opts: SchedulesOptions = {}): Source<ScheduleConfig> {
  // Per simulator: one source object serves every Simulator of the process.
  return {
    name: "schedules",
    configKey: "schedules",
    configSchema: scheduleConfigSchema,
    migrations: loadMigrations("schedules", new URL("./migrations/", import.meta.url)),
    start(ctx, config) {
      const store = new ScheduleStore(ctx.store);
      const groups = new ScheduleGroups(ctx.store);
      const retries = new Set<TimerHandle>();
      const deliver = scheduleDelivery({ ...ctx, ids: ctx.rng.stream("schedule-event-ids"), retries });
      const r = new ScheduleRunner(ctx.clock, store, deliver, ctx.rng.stream("schedule-flexible-window"));
      const stop = () => {
        r.stop();
        for (const t of retries) t.cancel();
        retries.clear();
      };
      // The runner's timers run from resume(); a declared schedule refused afterwards stops them.
      try {
        // A schedule an earlier start declared that this configuration does not (removed, renamed,
        // moved to another group) goes, before anything of it fires or is reported missed, as
        // CloudFormation removes a resource taken out of a template (review19 R19-9). Schedules
        // made through the API are never declared, and stay. Started without any configuration
        // (`start --state X` from another folder), nothing is pruned (review22 R22-6).
        const declaredKeys = new Set(Object.keys(config ?? {}).map((k) => keyOf({ kind: "scheduler", ...scheduleKeyParts(k) })));
        // (A template's schedules on aliases are its start-up actions': template-actions.ts prunes those.)
        if (config !== undefined || ctx.configured === true) for (const s of store.list("scheduler")) if (s.declared === "config" && !declaredKeys.has(keyOf(s))) store.delete(s);
        const missed = r.resume(opts.catchUp ?? false);
        if (missed.length > 0) ctx.telemetry.emit({ type: "simulator.warning", message: missedLine(missed) });
        // The file is authoritative for the schedules it declares; API-made ones are left alone.
        const arnOf = (ref: string) => expandShortName(ref, ctx.region, ctx.accountId);
        for (const [key, declared] of Object.entries(config ?? {})) {
          const def = definitionOf(declared, arnOf, ctx.accountId);
          // A declared schedule's group is made for it, as a template's ScheduleGroup would be.
          const { group, name } = scheduleKeyParts(key);
          if (groups.get(group) === undefined) groups.create(group, ctx.clock.now());
          const old = store.get("scheduler", group, name);
          if (old === undefined || JSON.stringify(old.def) !== JSON.stringify(def)) r.save("scheduler", group, name, def);
          store.markDeclared({ kind: "scheduler", group, name });
        }
      } catch (e) {
        stop();
        throw e;
      }
      ctx.router.addRestRoutes("scheduler", [...schedulerRoutes(store, groups, r, ctx.clock, ctx.region, ctx.accountId), ...scheduleGroupRoutes(groups, store, r, ctx.clock, ctx.region, ctx.accountId)], schedulerRestSpec());
      extendEventsProtocol(ctx, (existing) => ({ ...existing, ...ruleOperations(store, r, ctx.region, ctx.accountId) }));
      // On-demand fire for workshops and tests: a Scheduler schedule of the default group (or of
      // GROUP: /_sim/schedules/GROUP/NAME/fire), else a rule.
      const fire = async (group: string, written: string) => {
        const name = store.get("scheduler", group, written) || store.get("rule", DEFAULT_GROUP, written) ? written : (templateName(ctx.view("resourceIds"), written) ?? written);
        const s = store.get("scheduler", group, name) ?? (group === DEFAULT_GROUP ? store.get("rule", DEFAULT_GROUP, name) : undefined);
        if (s === undefined) {
          // The names there are, as tail lists them (newuser11 N1-9: a template's schedule is named by the name it became).
          const known = store.list().map((x) => (x.kind === "rule" ? `rule ${x.name}` : scheduleKey(x.group, x.name)));
          const there = known.length === 0 ? "there are none" : `there are: ${known.slice(0, 20).join(", ")}${known.length > 20 ? ` and ${known.length - 20} more (GET /_sim/schedules)` : ""}`;
          throw new Error(`${group === DEFAULT_GROUP ? `no schedule or rule named ${name}` : `no schedule named ${name} in group ${group}`} (${there}; a template's schedule goes by the name it became: GET /_sim/template)`);
        }
        await r.fireNow(s);
        return { fired: name, group: s.group, kind: s.kind, time: new Date(ctx.clock.now()).toISOString() };
      };
      ctx.addSimRoute("/_sim/schedules/:name/fire", ({ name }) => fire(DEFAULT_GROUP, name!), "POST");
      ctx.addSimRoute("/_sim/schedules/:group/:name/fire", ({ group, name }) => fire(group!, name!), "POST");
      ctx.addStateView("schedules", () =>
        store.list().map((s): ScheduleView => ({
          kind: s.kind,
          group: s.group,
          name: s.name,
          expression: s.def.ScheduleExpression,
          state: s.def.State,
          lastFireAt: s.lastFireAt,
          nextFireAt: r.nextFireAt(s),
          targets: s.def.Targets.map((t) => t.Arn),
          inputs: s.def.Targets.flatMap((t) => (t.Input === undefined ? [] : [{ arn: t.Arn, input: t.Input }])),
          ...(s.declared === undefined ? {} : { declared: s.declared }),
        })),
      );
      ctx.addSimRoute("/_sim/schedules", () => {
        return store.list().map((s) => {
          const next = r.nextFireAt(s);
          return { kind: s.kind, group: s.group, name: s.name, expression: s.def.ScheduleExpression, state: s.def.State, lastFireAt: s.lastFireAt && new Date(s.lastFireAt).toISOString(), nextFireAt: next === undefined ? null : new Date(next).toISOString() };
        });
      });
      return { stop };
    },
  };
}

export const schedulesSource = createSchedulesSource();

/** One line for every schedule that missed fires while lambda-sim was down. */
function missedLine(missed: MissedFires[]): string {
  const total = missed.reduce((n, m) => n + m.count, 0);
  // As the config keys them: a schedule of another group than default after its group (newuser11 N1-10).
  const each = missed.map((m) => `${m.schedule.kind === "scheduler" ? scheduleKey(m.schedule.group, m.schedule.name) : m.schedule.name} (${m.count}${m.more ? "+" : ""})`).join(", ");
  const what = missed[0]!.caughtUp ? "fired each schedule once to catch up (--catch-up)" : "skipped them (start with --catch-up for one catch-up fire per schedule)";
  return `schedules: ${total}${missed.some((m) => m.more) ? "+" : ""} fire(s) were due while lambda-sim was down: ${each}; ${what}`;
}

/**
 * The name a template's schedule or rule became, written as its logical id (`TickFunctionEvery5`)
 * or as the start banner names a function's event (`TickFunction.Every5`), from the template's
 * `resourceIds` view (name → logical id by kind; newuser14 F7: only the generated name fired).
 */
function templateName(view: unknown, written: string): string | undefined {
  const ids = (view ?? {}) as Partial<Record<"rule" | "schedule", Record<string, string>>>;
  const logicalId = written.replace(".", "");
  for (const byName of [ids.schedule, ids.rule]) {
    const found = Object.entries(byName ?? {}).find(([, id]) => id === logicalId);
    if (found !== undefined) return found[0];
  }
  return undefined;
}
