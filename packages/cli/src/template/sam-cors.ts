import { TemplateError, type TemplatePath } from "./intrinsics.ts";
import { mockRoute } from "./mock-integrations.ts";
import type { Translation } from "./translation.ts";

type Props = Record<string, unknown>;

/** SAM's CorsProperties, and its default origin (api_generator.py `_CORS_WILDCARD`). */
const CORS_KEYS = ["AllowMethods", "AllowHeaders", "AllowOrigin", "MaxAge", "AllowCredentials"];
const WILDCARD = "'*'";
/** API Gateway's ANY, as SAM's swagger editor expands it for AllowMethods (`_ALL_HTTP_METHODS`). */
const ALL_HTTP_METHODS = ["OPTIONS", "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"];
const ANY_METHOD = "x-amazon-apigateway-any-method";

interface Cors {
  origin: string;
  headers: string | undefined;
  methods: string | undefined;
  maxAge: string | undefined;
  credentials: boolean;
  at: TemplatePath;
}

/** Each REST API's OpenAPI path items as SAM's definition ends up with them: path → the item's keys (`get`, `x-amazon-apigateway-any-method`...). */
const pathItems = new WeakMap<Translation, Map<string, Map<string, Set<string>>>>();
/** Each AWS::Serverless::Api's Cors, read with the resource, applied once every event has added its path. */
const corsOf = new WeakMap<Translation, Map<string, Cors>>();

/**
 * Notes a path of a REST API's definition and keys of its path item: an Api event's method, or a
 * DefinitionBody path item's keys. SAM merges both into the one definition its `Cors` then reads.
 */
export function notePathItem(t: Translation, logicalId: string, path: string, keys: Iterable<string>): void {
  let apis = pathItems.get(t);
  if (apis === undefined) pathItems.set(t, (apis = new Map()));
  let paths = apis.get(logicalId);
  if (paths === undefined) apis.set(logicalId, (paths = new Map()));
  const item = paths.get(path) ?? new Set<string>();
  for (const k of keys) item.add(k);
  paths.set(path, item);
}

/** An Api event's method as its path item's key in SAM's definition. */
export function pathItemKey(method: string): string {
  return method === "ANY" ? ANY_METHOD : method.toLowerCase();
}

/**
 * An AWS::Serverless::Api's `Cors` (or `Globals: Api: Cors`), checked as SAM's api_generator.py
 * `_add_cors` checks it: a string is AllowOrigin alone; a map takes only CorsProperties' keys, its
 * AllowOrigin defaulting to `'*'`; `AllowCredentials: true` with that origin is refused; an API
 * whose definition is a `DefinitionUri` is refused (SAM edits inline definitions only). Values are
 * API Gateway mapping expressions: a header's literal value is written quoted, `"'*'"`. SAM passes
 * an unquoted one on and API Gateway's import refuses it at deploy ("Invalid mapping expression
 * specified", aws-sam-developer-guide#55): refused here at start.
 * @see https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-api-corsconfiguration.html
 */
export function readCors(t: Translation, logicalId: string, v: unknown, inlineDefinition: boolean, at: TemplatePath): void {
  try {
    const cors = parseCors(v, inlineDefinition, at);
    if (cors === undefined) return;
    let map = corsOf.get(t);
    if (map === undefined) corsOf.set(t, (map = new Map()));
    map.set(logicalId, cors);
  } catch (e) {
    // Said with the template's other problems; the rest of the API is still read.
    if (e instanceof TemplateError) t.problems.push(e);
    else throw e;
  }
}

function parseCors(v: unknown, inlineDefinition: boolean, at: TemplatePath): Cors | undefined {
  // SAM: `if not self.cors: return` (no value, "", {}, false).
  if (v === undefined || v === null || v === "" || v === false || (typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0)) return undefined;
  if (!inlineDefinition) throw new TemplateError(at, "Cors works only with inline Swagger specified in 'DefinitionBody' property.");
  let c: Props;
  if (typeof v === "string") c = { AllowOrigin: v };
  else if (typeof v === "object" && !Array.isArray(v) && Object.keys(v).every((k) => CORS_KEYS.includes(k))) c = v as Props;
  else throw new TemplateError(at, "Invalid value for 'Cors' property");
  const origin = c.AllowOrigin ?? WILDCARD;
  // Only a boolean true counts (swagger.py: `if allow_credentials is not True: allow_credentials = False`).
  const credentials = c.AllowCredentials === true;
  if (credentials && origin === WILDCARD) throw new TemplateError(at, "Unable to add Cors configuration because 'AllowCredentials' can not be true when 'AllowOrigin' is \"'*'\" or not set");
  if (origin === "" || origin === null) throw new TemplateError([...at, "AllowOrigin"], "Invalid input. Value for AllowedOrigins is required");
  const expression = (key: string): string | undefined => {
    const value = c[key];
    // Empty values are skipped as SAM skips them ("The values must not be empty string or null"); MaxAge 0 is kept.
    if (value === undefined || value === null || (value === "" && key !== "MaxAge")) return undefined;
    const text = String(value);
    // A 'literal', or a reference API Gateway takes in a response parameter (which a mock leaves empty: listed by mockRoute).
    if (/^'.*'$/s.test(text) || /^(integration\.response\.|context\.|stageVariables\.)/.test(text)) return text;
    throw new TemplateError([...at, key], `Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression specified: ${text}] (API Gateway refuses it at deploy: a header's value is written quoted, "'${text}'")`);
  };
  return { origin: c.AllowOrigin === undefined ? WILDCARD : (expression("AllowOrigin") as string), headers: expression("AllowHeaders"), methods: expression("AllowMethods"), maxAge: expression("MaxAge"), credentials, at };
}

/**
 * SAM's `Cors` as SAM builds it (swagger.py `add_cors`): on every path of the API's definition
 * (its events' and its DefinitionBody's) that has no OPTIONS method yet, an OPTIONS method with a
 * MOCK integration whose default response is 200 with the Access-Control-* headers given (Allow-Origin
 * always; Allow-Headers, Allow-Methods, Max-Age only when given; Allow-Credentials `'true'` only for
 * `AllowCredentials: true`) and SAM's `{}` response template. AllowMethods, when not given, is the
 * path item's keys upper-cased, with OPTIONS, sorted (all methods for ANY), as SAM computes it.
 * The function's own answers get no CORS headers from SAM (a Lambda proxy's headers are its own).
 */
export function addCorsPreflights(t: Translation): void {
  for (const [logicalId, cors] of corsOf.get(t) ?? []) {
    const api = t.config.apis[logicalId];
    if (api === undefined) continue;
    const routes = api.routes as Props;
    for (const [path, keys] of pathItems.get(t)?.get(logicalId) ?? []) {
      // "If OPTIONS method is already present for the Path, we will skip adding CORS configuration."
      if (keys.has("options")) continue;
      const key = `OPTIONS ${path}`;
      const header = (name: string) => `method.response.header.Access-Control-${name}`;
      const parameters: Props = { [header("Allow-Origin")]: cors.origin };
      if (cors.headers !== undefined) parameters[header("Allow-Headers")] = cors.headers;
      parameters[header("Allow-Methods")] = cors.methods ?? `'${allowedMethods(keys)}'`;
      if (cors.maxAge !== undefined) parameters[header("Max-Age")] = cors.maxAge;
      if (cors.credentials) parameters[header("Allow-Credentials")] = "'true'";
      const route = mockRoute(t, logicalId, key, { "application/json": '{\n  "statusCode" : 200\n}\n' }, undefined, [{ pattern: "default", statusCode: "200", responseParameters: parameters, responseTemplates: { "application/json": "{}\n" } }], cors.at);
      routes[key] = route;
      t.origins.push({ native: ["apis", logicalId, "routes", key], template: cors.at });
      t.said(logicalId, `REST API ${logicalId}: ${key} → mock (Cors)`);
    }
  }
}

/**
 * swagger.py `_make_cors_allowed_methods_for_path_item`: every key of the path item (SAM takes
 * them all, so a path-level `parameters` or `summary` ends up in the list too), plus OPTIONS; all
 * methods when the item has ANY; upper case, without duplicates, sorted.
 */
function allowedMethods(keys: Set<string>): string {
  const methods = keys.has(ANY_METHOD) ? ALL_HTTP_METHODS : [...keys, "options"];
  return [...new Set(methods.map((m) => m.toUpperCase()))].sort().join(",");
}
