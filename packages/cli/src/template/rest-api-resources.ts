import { apiEntry } from "./api-events.ts";
import { TemplateError, type TemplatePath } from "./intrinsics.ts";
import { mockRoute } from "./mock-integrations.ts";
import { lambdaIntegration, openApiRoutes } from "./openapi-routes.ts";
import type { TemplateStack } from "./template-stack.ts";
import { defined, num, type Translation } from "./translation.ts";

type Props = Record<string, unknown>;

/** CloudFormation's own REST API resources, which a route is made of: read once every one is seen (finishRestApis). */
export const REST_API_TYPES = ["AWS::ApiGateway::RestApi", "AWS::ApiGateway::Resource", "AWS::ApiGateway::Method", "AWS::ApiGateway::Stage", "AWS::ApiGateway::Deployment"];

interface Pending {
  /** Resources by their Ref: the parent's Ref (a resource's, or the API's RootResourceId) and the path part. */
  parts: Map<string, { parent: unknown; part: string }>;
  methods: { logicalId: string; p: Props }[];
  stages: { logicalId: string; api: unknown; stage: string; variables: unknown }[];
}
const pending = new WeakMap<Translation, Pending>();

/**
 * A REST API declared with CloudFormation's own resources, not SAM's: `AWS::ApiGateway::RestApi`
 * (the API, `BinaryMediaTypes`), `AWS::ApiGateway::Resource` (a path part under its parent),
 * `AWS::ApiGateway::Method` (a route: `HttpMethod` on its resource's path, an `AWS_PROXY`
 * integration calling a function, its `ResponseTransferMode` and `TimeoutInMillis`, or a `MOCK`
 * integration answered from its templates and integration responses), and the
 * stages an `AWS::ApiGateway::Stage` or a `AWS::ApiGateway::Deployment`'s `StageName` names.
 */
export function restApiGatewayResource(t: Translation, stack: TemplateStack, logicalId: string, type: string, p: Props, base: TemplatePath): void {
  const state = of(t);
  switch (type) {
    case "AWS::ApiGateway::RestApi": {
      const api = apiEntry(t, stack, logicalId, "REST");
      if (Array.isArray(p.BinaryMediaTypes)) api.binaryMediaTypes = p.BinaryMediaTypes.map((m) => String(m).replaceAll("~1", "/"));
      if (p.BodyS3Location !== undefined) t.notSimulated.push(`${logicalId}.BodyS3Location (an OpenAPI file in S3: lambda-sim reads a Body)`);
      t.origins.push({ native: ["apis", logicalId], template: base });
      t.said(logicalId, "REST API");
      if (p.Body !== undefined) openApiRoutes(t, logicalId, api, "REST", p.Body, [...base, "Body"]);
      return;
    }
    case "AWS::ApiGateway::Resource":
      state.parts.set(stack.identity(logicalId, base).ref, { parent: p.ParentId, part: String(p.PathPart) });
      return;
    case "AWS::ApiGateway::Method":
      state.methods.push({ logicalId, p });
      return;
    case "AWS::ApiGateway::Stage":
    case "AWS::ApiGateway::Deployment":
      if (typeof p.StageName === "string") state.stages.push({ logicalId, api: p.RestApiId, stage: p.StageName, variables: p.Variables });
      return;
  }
}

/** The routes and stages of the REST APIs declared with AWS::ApiGateway resources, once all are read. */
export function finishRestApis(t: Translation, stack: TemplateStack): void {
  const state = pending.get(t);
  if (state === undefined) return;
  const apis = new Map<string, string>();
  const roots = new Map<string, string>();
  for (const [id, r] of Object.entries(stack.resources)) {
    if (r.Type !== "AWS::ApiGateway::RestApi" || !stack.included(id)) continue;
    const identity = stack.identity(id, ["Resources", id]);
    apis.set(identity.ref, id);
    roots.set(identity.attributes.RootResourceId!, id);
  }
  const apiOf = (ref: unknown, at: TemplatePath) => {
    const id = apis.get(String(ref));
    if (id === undefined) throw new TemplateError(at, `names no AWS::ApiGateway::RestApi of this template: ${JSON.stringify(ref)}`);
    return t.config.apis[id] as Props;
  };
  const pathOf = (ref: unknown, at: TemplatePath, seen: string[] = []): string => {
    if (roots.has(String(ref))) return "";
    const part = state.parts.get(String(ref));
    if (part === undefined || seen.includes(String(ref))) throw new TemplateError(at, `names no AWS::ApiGateway::Resource of this template (nor an API's RootResourceId): ${JSON.stringify(ref)}`);
    return `${pathOf(part.parent, at, [...seen, String(ref)])}/${part.part}`;
  };
  for (const s of state.stages) {
    try {
      const api = apiOf(s.api, ["Resources", s.logicalId, "Properties", "RestApiId"]);
      api.stages = { ...((api.stages ?? {}) as Props), [s.stage]: { stageVariables: s.variables ?? {} } };
    } catch (e) {
      if (e instanceof TemplateError) t.problems.push(e);
      else throw e;
    }
  }
  for (const { logicalId, p } of state.methods) {
    const base = ["Resources", logicalId, "Properties"];
    try {
      method(t, logicalId, p, base, apiOf(p.RestApiId, [...base, "RestApiId"]), pathOf(p.ResourceId, [...base, "ResourceId"]) || "/");
    } catch (e) {
      if (e instanceof TemplateError) t.problems.push(e);
      else throw e;
    }
  }
}

function method(t: Translation, logicalId: string, p: Props, base: TemplatePath, api: Props, path: string): void {
  const integration = (p.Integration ?? {}) as Props;
  if (integration.Type !== "AWS_PROXY" && integration.Type !== "MOCK") {
    t.notSimulated.push(`${logicalId}.Integration (a ${String(integration.Type ?? "missing")} integration: only Lambda proxy integrations, AWS_PROXY, and MOCK integrations are simulated)`);
    return;
  }
  const auth = typeof p.AuthorizationType === "string" ? p.AuthorizationType : "NONE";
  if (auth !== "NONE") t.notSimulated.push(`${logicalId}.AuthorizationType ${auth} (lambda-sim does not read AWS::ApiGateway::Authorizer: the route is open)`);
  const key = `${String(p.HttpMethod).toUpperCase()} ${path}`;
  const apiId = Object.entries(t.config.apis).find(([, a]) => a === api)?.[0] ?? "";
  t.origins.push({ native: ["apis", apiId, "routes", key], template: base });
  if (integration.Type === "MOCK") {
    const at = [...base, "Integration"];
    const listed = integration.IntegrationResponses ?? [];
    if (!Array.isArray(listed)) throw new TemplateError([...at, "IntegrationResponses"], "expected a list of integration responses");
    // A response without a SelectionPattern is the default one (AWS::ApiGateway::Method IntegrationResponse).
    const responses = (listed as Props[]).map((r) => ({ pattern: typeof r?.SelectionPattern === "string" && r.SelectionPattern !== "" ? r.SelectionPattern : "default", statusCode: r?.StatusCode, responseParameters: r?.ResponseParameters, responseTemplates: r?.ResponseTemplates }));
    (api.routes as Props)[key] = mockRoute(t, apiId, key, integration.RequestTemplates, integration.PassthroughBehavior, responses, at);
    t.said(logicalId, `REST API ${apiId}: ${key} → mock`);
    return;
  }
  const { functionName: fn, stream } = lambdaIntegration(integration.Uri, integration.ResponseTransferMode, [...base, "Integration", "Uri"], [...base, "Integration", "ResponseTransferMode"]);
  (api.routes as Props)[key] = defined({ functionName: fn, responseTransferMode: stream ? "STREAM" : undefined, timeoutInMillis: num(integration.TimeoutInMillis) });
  t.said(logicalId, `REST API ${apiId}: ${key} → ${fn}${stream ? " (streamed)" : ""}`);
}

function of(t: Translation): Pending {
  let state = pending.get(t);
  if (state === undefined) pending.set(t, (state = { parts: new Map(), methods: [], stages: [] }));
  return state;
}
