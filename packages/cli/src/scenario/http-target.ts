import { dottedPath, suggestion } from "@lambda-sim/core";
import { apiId, RouteTable } from "@lambda-sim/sources";
import type { StartConfig } from "../template/start-config.ts";
import type { TrafficStep } from "./scenario-schema.ts";

type HttpBody = Extract<TrafficStep, { http: unknown }>["http"];
type Path = (string | number)[];

/**
 * Where an `http` step's requests go, as the run sends them (http-traffic.ts): an API by its id
 * and stage, or a function's URL (its url id is the simulator's, looked up when the step fires).
 * Written into the step's `target` as `api:ID/STAGE` or `url:FUNCTION[:QUALIFIER]`.
 */
export type HttpTarget = { kind: "api"; apiId: string; stage: string; protocolType: "REST" | "HTTP" } | { kind: "url"; functionName: string; qualifier?: string };

export function encodeHttpTarget(t: HttpTarget): string {
  return t.kind === "api" ? `api:${t.apiId}/${t.stage}/${t.protocolType}` : `url:${t.functionName}${t.qualifier === undefined ? "" : `:${t.qualifier}`}`;
}

export function decodeHttpTarget(s: string): HttpTarget {
  if (s.startsWith("api:")) {
    const [id, stage, protocolType] = s.slice(4).split("/") as [string, string, "REST" | "HTTP"];
    return { kind: "api", apiId: id, stage, protocolType };
  }
  const [functionName, qualifier] = s.slice(4).split(":") as [string, string | undefined];
  return { kind: "url", functionName, ...(qualifier === undefined ? {} : { qualifier }) };
}

interface ApiEntryView {
  protocolType?: "REST" | "HTTP";
  id?: string;
  stages?: Record<string, unknown>;
  routes?: Record<string, unknown>;
  corsConfiguration?: unknown;
}

/**
 * Resolves and checks an `http` step when the scenario loads, as the other steps' names are
 * (scenario-names.ts): the API by its name, a template's logical id (a template's APIs are named
 * by it) or its id; the stage (its only one when not written); a route that takes the method and
 * path (else which routes the API has); or a function that has a Function URL. `problem` records
 * what is wrong at its key path; the target returned is then a placeholder.
 */
export function resolveHttpTarget(a: StartConfig, h: HttpBody, path: Path, resolveFunction: (written: string, path: Path) => string, problem: (path: Path, text: string) => void): string {
  if (h.functionUrl !== undefined) {
    const [written, qualifier] = h.functionUrl.split(":") as [string, string | undefined];
    const name = resolveFunction(written, [...path, "functionUrl"]);
    const fn = a.functions.find((f) => f.functionName === name);
    const aliasUrl = (a.template?.actions ?? []).some((x) => x.kind === "function-url" && x.functionName === name);
    if (fn !== undefined && fn.functionUrl === undefined && !aliasUrl) {
      const withUrls = a.functions.filter((f) => f.functionUrl !== undefined).map((f) => f.functionName);
      problem([...path, "functionUrl"], `${dottedPath([...path, "functionUrl"])}: ${written} has no Function URL (functions with one: ${withUrls.join(", ") || "none"})`);
    }
    return encodeHttpTarget({ kind: "url", functionName: name, ...(qualifier === undefined ? {} : { qualifier }) });
  }
  const apis = (a.sources.apis ?? {}) as Record<string, ApiEntryView>;
  const ids = Object.entries(apis).map(([name, e]) => ({ name, id: e.id ?? apiId(a.accountId, a.region, name), entry: e }));
  const written = h.api!;
  const found = ids.find((x) => x.name === written || x.id === written);
  const apiPath = [...path, "api"];
  if (found === undefined) {
    const known = ids.map((x) => `${x.name} (${x.id})`);
    problem(apiPath, `${dottedPath(apiPath)}: no API named '${written}'${suggestion(written, ids.map((x) => x.name))} (the architecture has: ${known.join(", ") || "none"})`);
    return encodeHttpTarget({ kind: "api", apiId: written, stage: "$default", protocolType: "HTTP" });
  }
  const protocolType = found.entry.protocolType ?? "HTTP";
  // The stages the API's front serves (http-api.ts, rest-api.ts): `$default` or SAM's `Prod` unless declared.
  const stages = Object.keys(found.entry.stages ?? (protocolType === "REST" ? { Prod: {} } : { $default: {} }));
  let stage = h.stage;
  if (stage === undefined) {
    if (stages.length === 1) stage = stages[0]!;
    else if (stages.includes("$default")) stage = "$default";
    else problem(apiPath, `${dottedPath(path)}: ${written} has several stages (${stages.join(", ")}): say which with stage:`);
  } else if (!stages.includes(stage)) {
    problem([...path, "stage"], `${dottedPath([...path, "stage"])}: ${written} has no stage '${stage}' (it has: ${stages.join(", ")})`);
  }
  const routes = new RouteTable<true>();
  const keys = Object.keys(found.entry.routes ?? {});
  for (const key of keys) routes.add(key, true);
  // Checked with the first item's path (`{i}` as 0); said as written.
  const rawPath = h.path.replace(/\{i\}/g, "0").split("?")[0]!;
  // A CORS preflight is answered by the API itself, with or without a route (cors.ts).
  const preflight = h.method === "OPTIONS" && found.entry.corsConfiguration !== undefined;
  if (!preflight && routes.match(h.method, rawPath) === undefined) {
    problem([...path, "path"], `${dottedPath([...path, "path"])}: ${written} has no route for ${h.method} ${h.path.split("?")[0]} (its routes: ${keys.join(", ") || "none"})`);
  }
  return encodeHttpTarget({ kind: "api", apiId: found.id, stage: stage ?? "$default", protocolType });
}
