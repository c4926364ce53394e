import type { Simulator } from "@lambda-sim/core";
import type { StartConfig } from "../template/start-config.ts";

/** A real-code function the report's note is about: its name, and how the scenario file can name it. */
export interface RealCodeFunction {
  name: string;
  /** The template's logical id when it has one (what survives a clone under another stack name), else the name. */
  shown: string;
}

/**
 * The functions whose report gets the note "ran real code, which takes no service time here":
 * real code (not `runtime: model`) without `serviceTime:`, and only where a handler's duration
 * could decide a throttle (walkthrough F7): a reserved concurrency, or an event source mapping
 * with ScalingConfig.MaximumConcurrency. Elsewhere (a one-shard stream consumer, a burst of async
 * events) no storm is in question and the note would read as a warning about nothing.
 */
export async function realCodeNotes(sim: Simulator, a: StartConfig, hasServiceTime: (name: string) => boolean): Promise<RealCodeFunction[]> {
  const views = sim.hub.view("functions") as { name: string; reservedConcurrency?: number | null }[];
  const bounded = new Set(views.filter((f) => typeof f.reservedConcurrency === "number").map((f) => f.name));
  for (const name of await cappedByMappings(sim.endpoint)) bounded.add(name);
  const logical = new Map(Object.entries(a.template?.names ?? {}).flatMap(([id, n]) => (n.kind === "function" ? [[n.name, id] as const] : [])));
  return a.functions
    .filter((f) => f.runtime !== "model" && !hasServiceTime(f.functionName) && bounded.has(f.functionName))
    .map((f) => ({ name: f.functionName, shown: logical.get(f.functionName) ?? f.functionName }));
}

/** Functions that a mapping with MaximumConcurrency invokes, as ListEventSourceMappings shows them. */
async function cappedByMappings(endpoint: string): Promise<string[]> {
  const names: string[] = [];
  let marker: string | undefined;
  do {
    const url = new URL("/2015-03-31/event-source-mappings/", endpoint);
    if (marker !== undefined) url.searchParams.set("Marker", marker);
    const res = await fetch(url);
    if (!res.ok) return names;
    const page = (await res.json()) as { EventSourceMappings?: { FunctionArn?: string; ScalingConfig?: { MaximumConcurrency?: number } }[]; NextMarker?: string };
    for (const m of page.EventSourceMappings ?? []) {
      // arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]
      const name = m.FunctionArn?.split(":")[6];
      if (name !== undefined && m.ScalingConfig?.MaximumConcurrency !== undefined) names.push(name);
    }
    marker = page.NextMarker;
  } while (marker !== undefined);
  return names;
}
