import { intrinsicName, TemplateError } from "./intrinsics.ts";
import type { TemplateResource } from "./template-stack.ts";

/** The Globals sections SAM defines, and the resource type each applies to. */
const SECTIONS: Record<string, string> = {
  Function: "AWS::Serverless::Function",
  Api: "AWS::Serverless::Api",
  HttpApi: "AWS::Serverless::HttpApi",
  SimpleTable: "AWS::Serverless::SimpleTable",
  StateMachine: "AWS::Serverless::StateMachine",
  LayerVersion: "AWS::Serverless::LayerVersion",
  CapacityProvider: "AWS::Serverless::CapacityProvider",
};

/**
 * SAM's `Globals`, applied to each resource of its section's type before anything is resolved,
 * with SAM's merge rules: a value the resource sets wins, maps are merged key by key, lists are
 * the globals' entries followed by the resource's. An intrinsic counts as a single value.
 */
export function applyGlobals(globals: unknown, resources: Record<string, TemplateResource>, problems: TemplateError[]): void {
  if (globals === undefined || globals === null) return;
  if (typeof globals !== "object" || Array.isArray(globals)) {
    problems.push(new TemplateError(["Globals"], "expected a map of sections (Function, Api, HttpApi, SimpleTable)"));
    return;
  }
  for (const [section, values] of Object.entries(globals)) {
    const type = SECTIONS[section];
    if (type === undefined) {
      problems.push(new TemplateError(["Globals", section], `unknown Globals section (SAM has ${Object.keys(SECTIONS).join(", ")})`));
      continue;
    }
    if (values === null || typeof values !== "object" || Array.isArray(values)) continue;
    for (const r of Object.values(resources)) {
      if (r.Type === type) r.Properties = merge(values, r.Properties) as Record<string, unknown>;
    }
  }
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v) && intrinsicName(v) === undefined;
}

export function merge(global: unknown, local: unknown): unknown {
  if (local === undefined) return global;
  if (Array.isArray(global) && Array.isArray(local)) return [...global, ...local];
  if (isMap(global) && isMap(local)) {
    const out: Record<string, unknown> = { ...global };
    for (const [k, v] of Object.entries(local)) out[k] = merge(global[k], v);
    return out;
  }
  return local;
}
