import { randomUUID } from "node:crypto";
import type { Clock } from "../clock/clock.ts";
import { clockMode } from "../clock/clock-mode.ts";
import type { Invoker } from "../invocation/invoker.ts";
import type { EventSourceMappings } from "../mappings/event-source-mappings.ts";
import type { FunctionRegistry } from "../registry/function-registry.ts";
import type { FunctionVersionConfig } from "../registry/function-model.ts";
import type { EventHub } from "../telemetry/event-hub.ts";
import { CostMeter } from "../telemetry/lambda-cost.ts";
import { MappingCounters } from "../telemetry/mapping-counters.ts";
import { faultView, type FaultInjector } from "../faults/fault-injector.ts";

/**
 * Core's state views in the dashboard's snapshot (the sources add theirs): read-only accessors on
 * the registry, the invoker, the governor and the mappings. Each is what the matching events then
 * update, so a late joiner starts from the same place as a client that saw everything.
 */
export function addCoreViews(hub: EventHub, parts: { clock: Clock; registry: FunctionRegistry; invoker: Invoker; mappings: EventSourceMappings; faults: FaultInjector }): void {
  const { clock, registry, invoker, mappings, faults } = parts;
  const governor = invoker.governor;
  const cost = new CostMeter((name, version) => {
    if (!registry.has(name)) return undefined;
    const rec = registry.get(name);
    return pricedBy(rec.versions.get(version) ?? rec.latest);
  });
  hub.observe((e) => cost.record(e));
  hub.addView("time", () => clock.now());
  // This start: when (service time) and which. Every count and the cost below is since it, so a
  // page says so ("since 11:08:24, this start"), and a client that reconnects to another start (the
  // simulator restarted) tells it apart: the page starts its lists afresh, agreeing with the
  // counters (newuser14 F6/F11); tail tells the new run's events, numbered from 1 again, from those
  // it has printed (F20). Not from the seeded rng: two starts with the same --seed are two starts.
  const started = { at: clock.now(), id: randomUUID() };
  hub.addView("started", () => started, { snapshotOnly: true });
  // How that time runs (×N, paused, virtual): the dashboard's header, kept live by the sampled frames.
  hub.addView("clock", () => clockMode(clock));
  // Environments retired since the start, by function and reason: a page opened after a function's
  // last one went says they all retired, and why, not that it never had one (walkthrough F7).
  const retired = new Map<string, Record<string, number>>();
  hub.observe((e) => {
    if (e.type !== "environment.state-changed" || e.to !== "retired") return;
    let byReason = retired.get(e.functionName);
    if (byReason === undefined) retired.set(e.functionName, (byReason = {}));
    const reason = e.reason ?? "unknown";
    byReason[reason] = (byReason[reason] ?? 0) + 1;
  });
  hub.addView("account", () => ({ ...governor.accountLimits(), inFlight: governor.inFlight() }));
  hub.addView("functions", () =>
    registry.list().map((r) => ({
      name: r.name,
      runtime: r.latest.runtime,
      memorySize: r.latest.memorySize,
      architecture: r.latest.architectures[0] ?? "x86_64",
      timeout: r.latest.timeout,
      reservedConcurrency: governor.reserved(r.name),
      inFlight: governor.inFlight(r.name),
      versions: [...r.versions.keys()],
      // A published version keeps the memory and architecture it was published with (PublishVersion
      // snapshots code and config, immutable: aws-facts §11): the page prices its invocations, and
      // writes their REPORT line, by them.
      versionConfigs: Object.fromEntries([...r.versions].map(([v, c]) => [v, pricedBy(c)])),
      retired: retired.get(r.name),
    })),
  );
  hub.addView("environments", () => invoker.environments());
  hub.addView("asyncRetries", () => invoker.asyncQueue.waitingRetries());
  hub.addView("asyncStored", () => invoker.asyncQueue.stored());
  const counts = new MappingCounters();
  hub.observe((e) => counts.note(e));
  hub.addView("mappings", () => mappings.overview().map((m) => ({ ...m, events: counts.get(m.uuid) })));
  hub.addView("cost", () => cost.view());
  // The faults added, with their counters and windows: a workshop's page shows what the teacher injected.
  hub.addView("faults", () => faults.list().map(faultView));
}

/** What an invocation of a version is priced by: its memory and architecture (Lambda's price is per GB-second by architecture). */
function pricedBy(c: FunctionVersionConfig): { memorySize: number; architecture: string } {
  return { memorySize: c.memorySize, architecture: c.architectures[0] ?? "x86_64" };
}
