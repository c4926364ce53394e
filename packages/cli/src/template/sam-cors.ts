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
  /** Undefined for an AllowOrigin written but empty (null, "", false...): refused once a path needs a preflight. */
  origin: string | undefined;
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
 * An AWS::Serverless::Api's `Cors` (or `Globals: Api: Cors`), checked as SAM checks it. SamApi's
 * property type (sam_resources.py `Cors: one_of(IS_STR, IS_DICT)`, checked before anything else,
 * so `Cors: false` is refused too) takes a string or a map; api_generator.py `_add_cors` then
 * skips an empty one, takes a string as AllowOrigin alone, a map with only CorsProperties' keys,
 * a missing AllowOrigin defaulting to `'*'` (one written null stays null: refused by swagger.py
 * `add_cors`, see addCorsPreflights); refuses `AllowCredentials: true` with that `'*'`, and an API
 * whose definition is a `DefinitionUri` (SAM edits inline definitions only). Values are API
 * Gateway mapping expressions: a header's literal value is written quoted, `"'*'"`. SAM passes
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
  // No value: Resource.validate_properties skips a None property.
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string" && !isMap(v)) throw new TemplateError(at, "Type of property 'Cors' is invalid.");
  // `if not self.cors: return` ("" and {}).
  if (falsy(v)) return undefined;
  if (!inlineDefinition) throw new TemplateError(at, "Cors works only with inline Swagger specified in 'DefinitionBody' property.");
  let c: Props;
  if (typeof v === "string") c = { AllowOrigin: v };
  else if (Object.keys(v as Props).every((k) => CORS_KEYS.includes(k))) c = v as Props;
  else throw new TemplateError(at, "Invalid value for 'Cors' property");
  // CorsProperties' default applies to a missing key only (a namedtuple's defaults).
  const origin = c.AllowOrigin === undefined ? WILDCARD : c.AllowOrigin;
  // Only a boolean true counts (swagger.py: `if allow_credentials is not True: allow_credentials = False`).
  const credentials = c.AllowCredentials === true;
  if (credentials && origin === WILDCARD) throw new TemplateError(at, "Unable to add Cors configuration because 'AllowCredentials' can not be true when 'AllowOrigin' is \"'*'\" or not set");
  const expression = (key: string, value: unknown): string => {
    if (typeof value === "object") throw new TemplateError([...at, key], `expected a string (a header's value is an API Gateway mapping expression, a literal written quoted: "'...'")`);
    const text = String(value);
    // A 'literal', or a reference API Gateway takes in a response parameter (which a mock leaves empty: listed by mockRoute).
    if (/^'.*'$/s.test(text) || /^(integration\.response\.|context\.|stageVariables\.)/.test(text)) return text;
    throw new TemplateError([...at, key], `Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression specified: ${text}] (API Gateway refuses it at deploy: a header's value is written quoted, "'${text}'")`);
  };
  // swagger.py leaves out an empty AllowHeaders or AllowMethods (`if allowed_headers:`; AllowMethods
  // is then the path's methods), and only a None MaxAge (`if max_age is not None`: 0 is kept).
  const optional = (key: string): string | undefined => (falsy(c[key]) ? undefined : expression(key, c[key]));
  return {
    origin: falsy(origin) ? undefined : expression("AllowOrigin", origin),
    headers: optional("AllowHeaders"),
    methods: optional("AllowMethods"),
    maxAge: c.MaxAge === undefined || c.MaxAge === null ? undefined : expression("MaxAge", c.MaxAge),
    credentials,
    at,
  };
}

function isMap(v: unknown): v is Props {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Python's falsy values, as SAM's `if not value` tests them: None, False, 0, "", an empty list or map. */
function falsy(v: unknown): boolean {
  return v === undefined || v === null || v === false || v === 0 || v === "" || (Array.isArray(v) && v.length === 0) || (isMap(v) && Object.keys(v).length === 0);
}

/**
 * SAM's `Cors` as SAM builds it (swagger.py `add_cors`): on every path of the API's definition
 * (its events' and its DefinitionBody's) that has no OPTIONS method yet, an OPTIONS method with a
 * MOCK integration whose default response is 200 with the Access-Control-* headers given (Allow-Origin
 * always; Allow-Headers, Allow-Methods, Max-Age only when given; Allow-Credentials `'true'` only for
 * `AllowCredentials: true`) and SAM's `{}` response template. AllowMethods, when not given, is the
 * path item's keys upper-cased, with OPTIONS, sorted (all methods for ANY), as SAM computes it.
 * The function's own answers get no CORS headers from SAM (a Lambda proxy's headers are its own).
 * An AllowOrigin written empty is refused at the first path that would get an OPTIONS method, as
 * swagger.py does ("Invalid input. Value for AllowedOrigins is required"): an API whose paths all
 * have their own is left alone. Every header's value is a string, never a missing one's text.
 */
export function addCorsPreflights(t: Translation): void {
  for (const [logicalId, cors] of corsOf.get(t) ?? []) {
    const api = t.config.apis[logicalId];
    if (api === undefined) continue;
    const routes = api.routes as Props;
    for (const [path, keys] of pathItems.get(t)?.get(logicalId) ?? []) {
      // "If OPTIONS method is already present for the Path, we will skip adding CORS configuration."
      if (keys.has("options")) continue;
      // swagger.py add_cors checks the origin only here, for a path it adds an OPTIONS method to.
      if (cors.origin === undefined) {
        t.problems.push(new TemplateError([...cors.at, "AllowOrigin"], "Invalid input. Value for AllowedOrigins is required"));
        break;
      }
      const key = `OPTIONS ${path}`;
      const header = (name: string) => `method.response.header.Access-Control-${name}`;
      const parameters: Record<string, string> = { [header("Allow-Origin")]: cors.origin };
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
