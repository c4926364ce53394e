import { TemplateError, type TemplatePath } from "./intrinsics.ts";
import { mockRoute } from "./mock-integrations.ts";
import { notePathItem } from "./sam-cors.ts";
import { defined, num, type Translation } from "./translation.ts";

type Props = Record<string, unknown>;

/**
 * The Lambda proxy integration's URI: `arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}/invocations`
 * (Invoke), or `.../2021-11-15/functions/{arn}/response-streaming-invocations` (InvokeWithResponseStream).
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/response-transfer-mode-lambda.html
 */
const LAMBDA_URI = /^arn:aws[a-z-]*:apigateway:[^:]*:lambda:path\/(2015-03-31|2021-11-15)\/functions\/(.+)\/(invocations|response-streaming-invocations)$/;
const FUNCTION_ARN_PREFIX = /^arn:aws[a-z-]*:lambda:[^:]*:\d*:function:/;

/**
 * The function (name, or name:alias) a Lambda proxy integration calls, and whether it streams:
 * AWS's table of combinations, STREAM with InvokeWithResponseStream and BUFFERED with Invoke; the
 * others "API Gateway doesn't support". Refused at start (when AWS refuses them is not on record).
 */
export function lambdaIntegration(uri: unknown, transferMode: unknown, at: TemplatePath, modeAt: TemplatePath): { functionName: string; stream: boolean } {
  const m = LAMBDA_URI.exec(String(uri));
  if (m === null) throw new TemplateError(at, `expected a Lambda proxy integration URI, arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function ARN}/invocations (or 2021-11-15/.../response-streaming-invocations), got ${JSON.stringify(uri)}`);
  const stream = transferMode === "STREAM";
  if (transferMode !== undefined && transferMode !== "BUFFERED" && !stream) throw new TemplateError(modeAt, "expected BUFFERED or STREAM");
  if (stream !== (m[3] === "response-streaming-invocations")) {
    const want = stream ? "path/2021-11-15/functions/{function ARN}/response-streaming-invocations" : "path/2015-03-31/functions/{function ARN}/invocations, or ResponseTransferMode: STREAM";
    throw new TemplateError(at, `ResponseTransferMode ${stream ? "STREAM" : "BUFFERED"} with a URI ending in /${m[3]}: API Gateway does not support this combination (expected ${want})`);
  }
  return { functionName: m[2]!.replace(FUNCTION_ARN_PREFIX, ""), stream };
}

/**
 * SAM's words when an event's path and method already have an integration (swagger.py / open_api.py
 * `add_lambda_integration`: "Lambda integration already exists on Path=..., Method=...").
 */
export function integrationExists(path: string, method: string | undefined): string {
  const m = method === undefined || method === "ANY" ? "x-amazon-apigateway-any-method" : method.toLowerCase();
  return `Lambda integration already exists on Path=${path}, Method=${m}`;
}

/** OpenAPI's operations, and API Gateway's extension for every method (`ANY`). */
const METHODS: Record<string, string> = { get: "GET", put: "PUT", post: "POST", delete: "DELETE", options: "OPTIONS", head: "HEAD", patch: "PATCH", "x-amazon-apigateway-any-method": "ANY" };

/**
 * An API's routes, Lambda authorizers and binary media types from its OpenAPI definition
 * (`DefinitionBody`, `DefinitionUri`, an `AWS::ApiGateway::RestApi`'s `Body`), as API Gateway
 * imports it: each path's operations with an `x-amazon-apigateway-integration` of type
 * `aws_proxy` become routes (`/$default` on an HTTP API is its `$default` route), and on a REST API
 * those of type `mock` too (mock-integrations.ts); a `security` requirement naming a scheme with a
 * Lambda `x-amazon-apigateway-authorizer` guards its route.
 * Other integrations (HTTP, AWS service) and other authorizers (JWT, Cognito, IAM, API keys)
 * are listed at start as not simulated. Routes the API's events add are kept beside these.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-integration.html
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-authorizer.html
 */
export function openApiRoutes(t: Translation, logicalId: string, api: Props, protocol: "REST" | "HTTP", definition: unknown, at: TemplatePath): void {
  if (definition === null || typeof definition !== "object" || Array.isArray(definition)) throw new TemplateError(at, "expected an OpenAPI definition (a map with paths)");
  const doc = definition as Props;
  if (protocol === "REST" && Array.isArray(doc["x-amazon-apigateway-binary-media-types"])) {
    api.binaryMediaTypes = [...new Set([...((api.binaryMediaTypes as string[] | undefined) ?? []), ...(doc["x-amazon-apigateway-binary-media-types"] as unknown[]).map(String)])];
  }
  // API Gateway's other extensions (CORS, gateway responses, request validators, policies...) change answers: listed, never dropped silently.
  for (const k of Object.keys(doc)) if (k.startsWith("x-amazon-apigateway-") && k !== "x-amazon-apigateway-binary-media-types") t.notSimulated.push(`${logicalId} ${k} (OpenAPI extension)`);
  const schemes = ((doc.components as Props | undefined)?.securitySchemes ?? doc.securityDefinitions ?? {}) as Record<string, Props>;
  const authorizers = (api.authorizers ?? {}) as Props;
  for (const [name, scheme] of Object.entries(schemes)) {
    if (authorizers[name] !== undefined) continue; // SAM's Auth.Authorizers, which SAM writes into the definition under the same name.
    const a = lambdaAuthorizer(scheme, protocol, [...at, "components", "securitySchemes", name]);
    if (a !== undefined) authorizers[name] = a;
  }
  api.authorizers = authorizers;
  const paths = (doc.paths ?? {}) as Record<string, Props>;
  if (typeof paths !== "object" || Array.isArray(paths)) throw new TemplateError([...at, "paths"], "expected a map of paths to operations");
  const open = new Set<string>();
  for (const [path, item] of Object.entries(paths)) {
    // Every path of the definition, whatever its integrations, gets a SAM Api's Cors (sam-cors.ts).
    if (protocol === "REST") notePathItem(t, logicalId, path, Object.keys(item ?? {}));
    for (const [op, operation] of Object.entries(item ?? {})) {
      const method = METHODS[op];
      if (method === undefined || operation === null || typeof operation !== "object") continue;
      const where = [...at, "paths", path, op];
      const key = protocol === "HTTP" && path === "/$default" ? "$default" : `${method} ${path}`;
      const integration = (operation as Props)["x-amazon-apigateway-integration"] as Props | undefined;
      const type = String(integration?.type ?? "").toLowerCase();
      // REST APIs' mock integrations are simulated (HTTP APIs have none).
      const mock = type === "mock" && protocol === "REST";
      if (type !== "aws_proxy" && !mock) {
        t.notSimulated.push(`${logicalId} ${key} (${integration === undefined ? "no x-amazon-apigateway-integration" : `a ${type || "missing"} integration`}: only Lambda proxy integrations, aws_proxy, ${protocol === "REST" ? "and mock integrations are" : "are"} simulated)`);
        continue;
      }
      const integrationAt = [...where, "x-amazon-apigateway-integration"];
      const { functionName, stream } = mock ? { functionName: undefined, stream: false } : lambdaIntegration(integration!.uri, integration!.responseTransferMode, [...integrationAt, "uri"], [...integrationAt, "responseTransferMode"]);
      const payload = integration!.payloadFormatVersion;
      // "Required for HTTP APIs" (API Gateway's Integration.PayloadFormatVersion): not guessed.
      if (protocol === "HTTP" && payload === undefined) throw new TemplateError(integrationAt, "payloadFormatVersion is required for an HTTP API's Lambda integration: 1.0 or 2.0");
      // An event on this path and method came first: SAM refuses the pair, naming the event's path and method.
      if ((api.routes as Props)[key] !== undefined) {
        t.problems.push(new TemplateError(t.templatePathOf(["apis", logicalId, "routes", key]) ?? where, integrationExists(path, method)));
        continue;
      }
      const security = (operation as Props).security ?? doc.security;
      if (security !== undefined && !Array.isArray(security)) throw new TemplateError([...where, "security"], "expected a list of security requirements ({ SchemeName: [] })");
      const named = (security ?? []).flatMap((s: unknown) => (s !== null && typeof s === "object" ? Object.keys(s) : []));
      const authorizer = named.find((n) => authorizers[n] !== undefined);
      for (const n of named) if (authorizers[n] === undefined) open.add(n);
      const routeAuthorizer = authorizer ?? (security !== undefined && named.length === 0 ? "NONE" : undefined);
      if (mock) {
        const responses = integration!.responses ?? {};
        if (typeof responses !== "object" || Array.isArray(responses)) throw new TemplateError([...integrationAt, "responses"], "expected a map of status patterns (or default) to responses");
        const list = Object.entries(responses as Record<string, Props>).map(([pattern, r]) => ({ pattern, statusCode: r?.statusCode, responseParameters: r?.responseParameters, responseTemplates: r?.responseTemplates }));
        (api.routes as Props)[key] = defined({ ...mockRoute(t, logicalId, key, integration!.requestTemplates, integration!.passthroughBehavior, list, integrationAt), authorizer: routeAuthorizer });
        t.origins.push({ native: ["apis", logicalId, "routes", key], template: where });
        t.said(logicalId, `REST API ${logicalId}: ${key} → mock (OpenAPI)`);
        continue;
      }
      (api.routes as Props)[key] = defined({
        functionName,
        authorizer: routeAuthorizer,
        payloadFormatVersion: protocol === "HTTP" ? String(payload) : undefined,
        responseTransferMode: stream ? "STREAM" : undefined,
        timeoutInMillis: num(integration!.timeoutInMillis),
      });
      t.origins.push({ native: ["apis", logicalId, "routes", key], template: where });
      t.said(logicalId, `${protocol === "REST" ? "REST API" : "HTTP API"} ${logicalId}: ${key} → ${functionName}${stream ? " (streamed)" : ""} (OpenAPI)`);
    }
  }
  for (const n of open) t.notSimulated.push(`${logicalId} security ${n} (only Lambda authorizers are simulated: its routes are open)`);
}

/** A security scheme's `x-amazon-apigateway-authorizer` of a Lambda function, as lambda-sim.yaml's authorizer; undefined for any other kind. */
function lambdaAuthorizer(scheme: Props, protocol: "REST" | "HTTP", at: TemplatePath): Props | undefined {
  const a = scheme?.["x-amazon-apigateway-authorizer"] as Props | undefined;
  if (a === undefined || a.authorizerUri === undefined) return undefined;
  const type = String(a.type ?? "").toLowerCase();
  if (type !== "token" && type !== "request") return undefined;
  const { functionName } = lambdaIntegration(a.authorizerUri, undefined, [...at, "x-amazon-apigateway-authorizer", "authorizerUri"], at);
  // A TOKEN authorizer's header is the scheme's own `name` (an apiKey scheme `in: header`).
  const header = type === "token" && typeof scheme.name === "string" ? `method.request.header.${scheme.name}` : undefined;
  const sources = typeof a.identitySource === "string" ? a.identitySource.split(",").map((s) => s.trim()).filter((s) => s !== "") : Array.isArray(a.identitySource) ? a.identitySource.map(String) : undefined;
  return defined({
    functionName,
    type: protocol === "REST" ? type.toUpperCase() : undefined,
    identitySource: sources ?? (header === undefined ? undefined : [header]),
    identityValidationExpression: typeof a.identityValidationExpression === "string" ? a.identityValidationExpression : undefined,
    authorizerResultTtlInSeconds: num(a.authorizerResultTtlInSeconds),
    authorizerPayloadFormatVersion: a.authorizerPayloadFormatVersion === undefined ? undefined : String(a.authorizerPayloadFormatVersion),
    enableSimpleResponses: a.enableSimpleResponses === true ? true : undefined,
  });
}
