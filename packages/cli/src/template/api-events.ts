import { TemplateError, type TemplatePath } from "./intrinsics.ts";
import { readLocalDocument } from "./local-documents.ts";
import { integrationExists, openApiRoutes } from "./openapi-routes.ts";
import { addCorsPreflights, notePathItem, pathItemKey, readCors } from "./sam-cors.ts";
import { IMPLICIT_APIS } from "./sam-implicit-apis.ts";
import type { TemplateStack } from "./template-stack.ts";
import { defined, num, type Translation } from "./translation.ts";

type Props = Record<string, unknown>;

/**
 * Properties of AWS::Serverless::Api / HttpApi that change what an API answers and that lambda-sim
 * does not simulate: listed at start with the API's logical id, never silently dropped. (Logging,
 * tracing, tags, names and descriptions change no answer and are accepted.)
 */
const NOT_SIMULATED: Record<"REST" | "HTTP", Record<string, string>> = {
  REST: {
    GatewayResponses: "custom gateway responses",
    Domain: "custom domain",
    Models: "request models",
    MinimumCompressionSize: "compression",
    CacheClusterEnabled: "caching",
    DisableExecuteApiEndpoint: "disabling the execute-api endpoint",
  },
  HTTP: {
    Domain: "custom domain",
    DefaultRouteSettings: "route throttling",
    RouteSettings: "route throttling",
    DisableExecuteApiEndpoint: "disabling the execute-api endpoint",
  },
};

/** Auth keys of an API or of an Api event that lambda-sim does not simulate. */
const AUTH_NOT_SIMULATED: Record<string, string> = { ApiKeyRequired: "API keys", UsagePlan: "usage plans and API keys", ResourcePolicy: "resource policies" };

/**
 * Each API's DefaultAuthorizer, applied to its routes once every resource has been read, and its
 * `AddDefaultAuthorizerToCorsPreflight` (SAM's default true: OPTIONS methods get it too).
 */
const defaults = new WeakMap<Translation, Map<string, { name: string; preflight: boolean }>>();
/** Each API's authorizers that are declared and not simulated (JWT, Cognito...): routes naming them are open. */
const unsimulated = new WeakMap<Translation, Map<string, Set<string>>>();

/**
 * A function's `Api` or `HttpApi` event as a route of lambda-sim.yaml's `apis:` entry for the API it
 * names (`RestApiId`/`ApiId`), or of the API SAM creates implicitly (ServerlessRestApi, stage Prod;
 * ServerlessHttpApi, stage $default). An HttpApi event without Path and Method is the `$default` route.
 * @see https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-function-api.html
 * @see https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-function-httpapi.html
 */
export function apiEvent(t: Translation, stack: TemplateStack, type: "Api" | "HttpApi", fnName: string, p: Props, label: string, at: TemplatePath): void {
  const named = type === "Api" ? p.RestApiId : p.ApiId;
  const logicalId = named === undefined ? IMPLICIT_APIS[type].logicalId : apiLogicalId(stack, named, at);
  const api = apiEntry(t, stack, logicalId, type === "Api" ? "REST" : "HTTP");
  const method = typeof p.Method === "string" ? p.Method.toUpperCase() : undefined;
  const path = typeof p.Path === "string" ? p.Path : undefined;
  if (type === "Api" && (method === undefined || path === undefined)) throw new TemplateError(at, "an Api event needs Path and Method");
  const key = method === undefined && path === undefined ? "$default" : `${method === undefined ? "ANY" : method} ${path ?? "/"}`;
  const auth = (p.Auth ?? {}) as Props;
  for (const k of Object.keys(auth)) if (AUTH_NOT_SIMULATED[k] !== undefined && auth[k] !== false) t.notSimulated.push(`${label}.Auth.${k} (${AUTH_NOT_SIMULATED[k]})`);
  if (type === "Api" && p.RequestModel !== undefined) t.notSimulated.push(`${label}.RequestModel (request validation)`);
  // SAM refuses a second integration on one path and method (the API's OpenAPI definition's, or another event's).
  if ((api.routes as Props)[key] !== undefined) throw new TemplateError(at, integrationExists(path ?? "/", method));
  (api.routes as Props)[key] = defined({
    functionName: fnName,
    authorizer: typeof auth.Authorizer === "string" ? auth.Authorizer : undefined,
    payloadFormatVersion: typeof p.PayloadFormatVersion === "string" ? p.PayloadFormatVersion : undefined,
    // SAM's Api event property (STREAM: the integration calls InvokeWithResponseStream). Passed on
    // from an HttpApi event too, where the API's config check refuses it as AWS does.
    responseTransferMode: typeof p.ResponseTransferMode === "string" ? p.ResponseTransferMode : undefined,
    timeoutInMillis: num(p.TimeoutInMillis),
  });
  // The path item SAM adds the event to, which the API's Cors then reads (sam-cors.ts).
  if (type === "Api") notePathItem(t, logicalId, path!, [pathItemKey(method!)]);
  t.origins.push({ native: ["apis", logicalId, "routes", key], template: at });
  t.said(label, `${type === "Api" ? "REST API" : "HTTP API"} ${logicalId}: ${key} → ${fnName}${p.ResponseTransferMode === "STREAM" ? " (streamed)" : ""}`);
}

/** `AWS::Serverless::Api` / `AWS::Serverless::HttpApi`: stages, variables, binary media types, CORS, Lambda authorizers. */
export function apiResource(t: Translation, stack: TemplateStack, logicalId: string, type: string, p: Props, base: TemplatePath): void {
  const rest = type === "AWS::Serverless::Api";
  const api = apiEntry(t, stack, logicalId, rest ? "REST" : "HTTP");
  const stage = typeof p.StageName === "string" ? p.StageName : rest ? undefined : "$default";
  if (stage === undefined) throw new TemplateError([...base, "StageName"], "an AWS::Serverless::Api needs a StageName");
  api.stages = { [stage]: { stageVariables: (rest ? p.Variables : p.StageVariables) ?? {} } };
  if (rest && Array.isArray(p.BinaryMediaTypes)) api.binaryMediaTypes = p.BinaryMediaTypes.map((m) => String(m).replaceAll("~1", "/"));
  if (!rest && p.CorsConfiguration !== undefined) api.corsConfiguration = cors(p.CorsConfiguration);
  for (const [k, why] of Object.entries(NOT_SIMULATED[rest ? "REST" : "HTTP"])) if (p[k] !== undefined) t.notSimulated.push(`${logicalId}.${k} (${why})`);
  // SAM edits the definition it builds or is given inline; a DefinitionUri's it cannot.
  if (rest) readCors(t, logicalId, p.Cors, p.DefinitionUri === undefined, [...base, "Cors"]);
  const auth = (p.Auth ?? {}) as Props;
  for (const k of Object.keys(auth)) if (AUTH_NOT_SIMULATED[k] !== undefined && auth[k] !== false) t.notSimulated.push(`${logicalId}.Auth.${k} (${AUTH_NOT_SIMULATED[k]})`);
  const authorizers: Props = {};
  for (const [name, a] of Object.entries((auth.Authorizers ?? {}) as Record<string, Props>)) {
    if (a.FunctionArn === undefined) {
      t.notSimulated.push(`${logicalId}.Auth.Authorizers.${name} (only Lambda authorizers are simulated: its routes are open)`);
      let map = unsimulated.get(t);
      if (map === undefined) unsimulated.set(t, (map = new Map()));
      map.set(logicalId, (map.get(logicalId) ?? new Set()).add(name));
      continue;
    }
    const identity = (a.Identity ?? {}) as Props;
    const prefix = rest ? "method.request." : "$request.";
    const sources = [
      ...(typeof identity.Header === "string" ? [identity.Header] : []),
      ...((identity.Headers as string[] | undefined) ?? []),
    ].map((h) => `${prefix}header.${h}`);
    sources.push(...((identity.QueryStrings as string[] | undefined) ?? []).map((q) => `${prefix}querystring.${q}`));
    const tokenType = rest && a.FunctionPayloadType !== "REQUEST";
    authorizers[name] = defined({
      functionName: String(a.FunctionArn).replace(/^arn:aws:lambda:[^:]*:\d*:function:/, ""),
      type: rest ? (tokenType ? "TOKEN" : "REQUEST") : undefined,
      identitySource: sources.length > 0 ? sources : tokenType ? [`${prefix}header.Authorization`] : undefined,
      identityValidationExpression: typeof identity.ValidationExpression === "string" ? identity.ValidationExpression : undefined,
      authorizerResultTtlInSeconds: num(identity.ReauthorizeEvery),
      authorizerPayloadFormatVersion: typeof a.AuthorizerPayloadFormatVersion === "string" ? a.AuthorizerPayloadFormatVersion : a.AuthorizerPayloadFormatVersion === undefined ? undefined : String(a.AuthorizerPayloadFormatVersion),
      enableSimpleResponses: a.EnableSimpleResponses === true ? true : undefined,
    });
  }
  api.authorizers = authorizers;
  if (typeof auth.DefaultAuthorizer === "string") {
    let map = defaults.get(t);
    if (map === undefined) defaults.set(t, (map = new Map()));
    map.set(logicalId, { name: auth.DefaultAuthorizer, preflight: auth.AddDefaultAuthorizerToCorsPreflight !== false });
  }
  t.origins.push({ native: ["apis", logicalId], template: base });
  t.said(logicalId, `${rest ? "REST API" : "HTTP API"}, stage ${stage}`);
  // The OpenAPI definition's routes (SAM merges the API's events into it; both are kept here).
  if (p.DefinitionBody !== undefined) openApiRoutes(t, logicalId, api, rest ? "REST" : "HTTP", p.DefinitionBody, [...base, "DefinitionBody"]);
  else if (typeof p.DefinitionUri === "string") openApiRoutes(t, logicalId, api, rest ? "REST" : "HTTP", readLocalDocument(stack.info.baseDir ?? ".", p.DefinitionUri, [...base, "DefinitionUri"], "DefinitionUri"), [...base, "DefinitionUri"]);
  else if (p.DefinitionUri !== undefined) t.notSimulated.push(`${logicalId}.DefinitionUri (an OpenAPI file in S3: lambda-sim reads a local path, or a DefinitionBody)`);
}

/**
 * Gives the routes of APIs with a DefaultAuthorizer that authorizer, unless a route says otherwise
 * (or NONE). A route whose authorizer lambda-sim does not simulate (AWS_IAM, JWT, Cognito) is left
 * open and said so; one naming no authorizer of its API is refused, as SAM's transform refuses it.
 */
export function finishApis(t: Translation): void {
  // SAM adds Cors's OPTIONS methods before its Auth (api_generator.py: _add_cors, then _add_auth).
  addCorsPreflights(t);
  for (const [logicalId, { name, preflight }] of defaults.get(t) ?? []) {
    const routes = (t.config.apis[logicalId]?.routes ?? {}) as Record<string, Props>;
    for (const [key, route] of Object.entries(routes)) {
      // AddDefaultAuthorizerToCorsPreflight: false leaves every OPTIONS method open, the API's own
      // too, not only those Cors adds (swagger.py set_path_default_authorizer skips method "options").
      if (!preflight && key.startsWith("OPTIONS ")) continue;
      route.authorizer ??= name;
    }
  }
  for (const [logicalId, api] of Object.entries(t.config.apis)) {
    const declared = Object.keys((api.authorizers ?? {}) as Props);
    let iam = false;
    for (const [key, route] of Object.entries((api.routes ?? {}) as Record<string, Props>)) {
      const name = route.authorizer;
      if (typeof name !== "string" || name === "NONE" || declared.includes(name)) continue;
      delete route.authorizer;
      if (name === "AWS_IAM") iam = true;
      else if (!unsimulated.get(t)?.get(logicalId)?.has(name)) {
        const at = t.templatePathOf(["apis", logicalId, "routes", key]) ?? ["Resources", logicalId];
        const all = [...declared, ...(unsimulated.get(t)?.get(logicalId) ?? [])];
        t.problems.push(new TemplateError(at, `authorizer ${name} is not one of ${logicalId}'s Auth.Authorizers (${all.length === 0 ? "it has none" : `it has ${all.join(", ")}`})`));
      }
    }
    if (iam) t.notSimulated.push(`${logicalId} AWS_IAM authorization (lambda-sim checks no permissions: its routes are open)`);
  }
}

/** The `apis:` entry of an API (created on first use), its id the one CloudFormation's Ref of it gives. */
export function apiEntry(t: Translation, stack: TemplateStack, logicalId: string, protocolType: "REST" | "HTTP"): Props {
  let api = t.config.apis[logicalId];
  if (api === undefined) {
    // The id CloudFormation's Ref of the API gives (resource-identity.ts), so the address matches it.
    const id = stack.identity(logicalId, ["Resources", logicalId]).ref;
    api = { protocolType, id: typeof id === "string" ? id : undefined, routes: {} };
    t.config.apis[logicalId] = api;
  }
  return api;
}

/** The logical id of the API a resolved `RestApiId`/`ApiId` (its Ref, the API id) names. */
function apiLogicalId(stack: TemplateStack, ref: unknown, at: TemplatePath): string {
  for (const [id, r] of Object.entries(stack.resources)) {
    if ((r.Type === "AWS::Serverless::Api" || r.Type === "AWS::Serverless::HttpApi") && stack.included(id) && stack.identity(id, at).ref === ref) return id;
  }
  throw new TemplateError(at, `names no AWS::Serverless::Api or AWS::Serverless::HttpApi of this template: ${JSON.stringify(ref)}`);
}

function cors(v: unknown): Props {
  // `CorsConfiguration: true` allows every origin, method and header (SAM's shorthand).
  if (v === true) return { allowOrigins: ["*"], allowMethods: ["*"], allowHeaders: ["*"] };
  const c = (v ?? {}) as Props;
  return defined({
    allowOrigins: c.AllowOrigins,
    allowMethods: c.AllowMethods,
    allowHeaders: c.AllowHeaders,
    exposeHeaders: c.ExposeHeaders,
    maxAge: num(c.MaxAge),
    allowCredentials: c.AllowCredentials === undefined ? undefined : c.AllowCredentials === true || c.AllowCredentials === "true",
  });
}
