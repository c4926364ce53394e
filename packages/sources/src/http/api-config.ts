import { createHash } from "node:crypto";
import { z } from "zod";

const name = (what: string) => z.string({ error: `expected ${what}` }).min(1, { error: `expected ${what}` });
const stringMap = z.record(z.string(), z.string(), { error: "expected a map of names to text values" });
const seconds = (max: number) => {
  const expected = `expected a whole number of seconds between 0 and ${max}`;
  return z.number({ error: expected }).int({ error: expected }).min(0, { error: expected }).max(max, { error: expected });
};
// REST APIs: 50 ms to 29 s (raisable); HTTP APIs: 50 ms to 30 s.
// https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html
/** "between 50 and 30,000 milliseconds for HTTP APIs" (API Gateway V2 Integration.TimeoutInMillis), not raisable. */
export const HTTP_MAX_TIMEOUT_MS = 30_000;
const timeout = z.number({ error: "expected milliseconds between 50 and 300000" }).int().min(50, { error: "expected at least 50 ms" }).max(300_000, { error: "expected at most 300000 ms" });
/** A REST route in STREAM mode: "you can configure the integration timeout up to 15 minutes" (response-streaming-http.html). */
export const STREAM_MAX_TIMEOUT_MS = 900_000;
const streamTimeout = z.number({ error: `expected milliseconds between 50 and ${STREAM_MAX_TIMEOUT_MS}` }).int().min(50, { error: "expected at least 50 ms" }).max(STREAM_MAX_TIMEOUT_MS, { error: `expected at most ${STREAM_MAX_TIMEOUT_MS} ms` });

/** `GET /pets/{id}`, `ANY /{proxy+}`, `$default` (HTTP APIs only: refused on a REST API below). */
export const ROUTE_KEY = /^(\$default|(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|ANY) (\/|(\/(\{[A-Za-z0-9._-]+\+?\}|[^/{}\s]+))+))$/;

/**
 * A REST API method's MOCK integration (`x-amazon-apigateway-integration` of type mock, or an
 * `AWS::ApiGateway::Method`'s `Integration: { Type: MOCK }`): no function; the request template
 * gives the status code, which picks one of `responses` (keyed by a regular expression over it, or
 * `default`), whose status, literal headers and response template are the answer (mock-integration.ts).
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-mock-integration.html
 */
const mockResponse = z.strictObject({
  statusCode: z.string({ error: "expected a status code such as \"200\"" }).regex(/^[1-5]\d\d$/, { error: "expected a status code such as \"200\"" }),
  /** `method.response.header.{name}`: `'literal'` values only (a mock has no integration headers or body to map). */
  responseParameters: stringMap.default({}),
  /** By media type: the body's mapping template. */
  responseTemplates: stringMap.default({}),
});
const selectionPattern = z.string().refine(
  (k) => {
    if (k === "default") return true;
    try {
      new RegExp(k);
      return true;
    } catch {
      return false;
    }
  },
  { error: "expected a regular expression over the status code, or default" },
);
export const mockIntegrationSchema = z.strictObject({
  /** By request media type: the template whose output's `statusCode` picks the response (`{"statusCode": 200}`). */
  requestTemplates: stringMap.default({}),
  /** What a request whose Content-Type has no template gets (WHEN_NO_MATCH unless told: its body is used as is). */
  passthroughBehavior: z.enum(["WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER"], { error: "expected WHEN_NO_MATCH, WHEN_NO_TEMPLATES or NEVER" }).default("WHEN_NO_MATCH"),
  responses: z.record(selectionPattern, mockResponse, { error: "expected a map of status patterns (or default) to responses" }).default({}),
});

const route = z.union(
  [
    name("a function name"),
    z.strictObject({
      functionName: name("a function name"),
      /** An authorizer of this API by name, or NONE. */
      authorizer: z.string().optional(),
      /** HTTP APIs only: the format the integration speaks ("2.0" unless told). */
      payloadFormatVersion: z.enum(["1.0", "2.0"], { error: "expected 1.0 or 2.0" }).optional(),
      /** REST APIs only: STREAM passes the function's streamed answer on as it comes (BUFFERED unless told). */
      responseTransferMode: z.enum(["BUFFERED", "STREAM"], { error: "expected BUFFERED or STREAM" }).optional(),
      /** Up to 300000 ms (REST), 30000 ms (HTTP); up to 900000 ms on a REST STREAM route (checked with the API, which knows its kind and mode). */
      timeoutInMillis: streamTimeout.optional(),
    }),
    /** REST APIs only: answered by API Gateway itself (an authorizer still guards it). */
    z.strictObject({ mock: mockIntegrationSchema, authorizer: z.string().optional() }),
  ],
  { error: "expected a function name, { functionName, authorizer, payloadFormatVersion, responseTransferMode, timeoutInMillis } or { mock, authorizer }" },
);

const authorizer = z.strictObject({
  functionName: name("the authorizer's function name"),
  /** REST APIs: TOKEN (the default) or REQUEST. HTTP APIs: REQUEST. */
  type: z.enum(["TOKEN", "REQUEST"], { error: "expected TOKEN or REQUEST" }).optional(),
  /**
   * Where the identity comes from: `method.request.header.Authorization` (REST) or
   * `$request.header.Authorization` (HTTP), several as a list or comma-separated.
   */
  identitySource: z.union([z.string(), z.array(z.string())], { error: "expected an identity source or a list of them" }).optional(),
  /** REST TOKEN authorizers: a regular expression the token must match before the function is called. */
  identityValidationExpression: z.string().optional(),
  /** 0 turns caching off; 300 is AWS's default, 3600 its maximum. */
  authorizerResultTtlInSeconds: seconds(3600).default(300),
  /** HTTP APIs: the authorizer's event format ("2.0" unless told). */
  authorizerPayloadFormatVersion: z.enum(["1.0", "2.0"], { error: "expected 1.0 or 2.0" }).optional(),
  /** HTTP APIs with payload 2.0: the function answers `{ isAuthorized, context }` instead of an IAM policy. */
  enableSimpleResponses: z.boolean().default(false),
});

const cors = z.strictObject({
  allowOrigins: z.array(z.string()).default([]),
  allowMethods: z.array(z.string()).default([]),
  allowHeaders: z.array(z.string()).default([]),
  exposeHeaders: z.array(z.string()).default([]),
  maxAge: seconds(86_400).optional(),
  allowCredentials: z.boolean().default(false),
});

/**
 * `apis:` in lambda-sim.yaml: API Gateway REST APIs (`protocolType: REST`, payload 1.0) and HTTP
 * APIs (`protocolType: HTTP`, the default, payload 2.0 unless a route says 1.0), each with its
 * routes (`"GET /pets/{id}": pets`), stages, authorizers and, for HTTP APIs, CORS.
 */
export const apiConfigSchema = z.record(
  z.string().regex(/^[A-Za-z0-9._-]{1,128}$/, { error: "expected an API name of letters, digits, ., _ or -" }),
  z.strictObject({
    protocolType: z.enum(["HTTP", "REST"], { error: "expected HTTP or REST" }).default("HTTP"),
    /** The API id in its addresses; derived from the name (and so the same at every start) unless given. */
    id: z.string().regex(/^[a-z0-9]{10}$/, { error: "expected 10 lower-case letters or digits, as API Gateway's ids are" }).optional(),
    /** Stage names and their variables; `$default` (HTTP) or `Prod` (REST, as SAM names it) unless given. */
    stages: z.record(z.string().regex(/^(\$default|[A-Za-z0-9_-]{1,128})$/, { error: "expected a stage name of letters, digits, _ or -" }), z.strictObject({ stageVariables: stringMap.default({}) })).optional(),
    routes: z.record(z.string().regex(ROUTE_KEY, { error: "expected a route key such as GET /pets/{id}, ANY /{proxy+} or $default" }), route, { error: "expected a map of route keys to functions" }),
    authorizers: z.record(z.string(), authorizer).default({}),
    /** REST APIs: media types whose request bodies reach the function base64-encoded. */
    binaryMediaTypes: z.array(z.string()).default([]),
    /** HTTP APIs only. */
    corsConfiguration: cors.optional(),
    /** The integration timeout: 29000 (REST) or 30000 (HTTP, also its maximum) unless given. */
    timeoutInMillis: timeout.optional(),
  }).superRefine((api, ctx) => {
    const http = api.protocolType === "HTTP";
    // Settings of one kind of API only: refused on the other, where API Gateway has no such field
    // (a user would believe them in force).
    // "CorsConfiguration ... Supported only for HTTP APIs" (API Gateway V2 CreateApi); REST APIs
    // answer CORS with OPTIONS methods of their own (a mock route here).
    if (!http && api.corsConfiguration !== undefined) ctx.addIssue({ code: "custom", path: ["corsConfiguration"], message: "corsConfiguration is only supported for HTTP APIs (protocolType: HTTP): a REST API answers CORS with OPTIONS routes of its own (a mock route)" });
    // binaryMediaTypes is a REST API's (CreateRestApi); an HTTP API base64-encodes non-text bodies by itself (V2 has no such field).
    if (http && api.binaryMediaTypes.length > 0) ctx.addIssue({ code: "custom", path: ["binaryMediaTypes"], message: "binaryMediaTypes is only supported for REST APIs (protocolType: REST): an HTTP API passes bodies of non-text types base64-encoded by itself" });
    if (http && api.timeoutInMillis !== undefined && api.timeoutInMillis > HTTP_MAX_TIMEOUT_MS) ctx.addIssue({ code: "custom", path: ["timeoutInMillis"], message: `expected at most ${HTTP_MAX_TIMEOUT_MS} ms: an HTTP API's integration timeout is 50 to 30000 ms` });
    for (const [n, a] of Object.entries(api.authorizers)) {
      // "Specify REQUEST for a Lambda function using incoming request parameters. Specify JWT to use JSON Web Tokens" (V2 AuthorizerType): no TOKEN.
      if (http && a.type === "TOKEN") ctx.addIssue({ code: "custom", path: ["authorizers", n, "type"], message: "TOKEN is only supported for REST APIs (protocolType: REST): an HTTP API's Lambda authorizers are REQUEST authorizers" });
      // "EnableSimpleResponses ... Supported only for HTTP APIs" (V2 CreateAuthorizer); a REST authorizer answers with an IAM policy.
      if (!http && a.enableSimpleResponses) ctx.addIssue({ code: "custom", path: ["authorizers", n, "enableSimpleResponses"], message: "enableSimpleResponses is only supported for HTTP APIs (protocolType: HTTP): a REST API's authorizer answers with an IAM policy" });
      // Simple responses are format 2.0's: the developer guide documents `{ isAuthorized, context }` under
      // "Lambda function response for format 2.0" only (http-api-lambda-authorizer.html), format 1.0
      // answering with an IAM policy ("By default, a Lambda authorizer must return an IAM policy", V2
      // EnableSimpleResponses). SAM CLI refuses the pair ("EnableSimpleResponses must be used with the
      // 2.0 payload format version"), as does Smithy's authorizers trait. (CreateAuthorizer's own error
      // text is not documented.) Without this, every `{ isAuthorized }` answer would be a 500.
      if (http && a.enableSimpleResponses && a.authorizerPayloadFormatVersion === "1.0") ctx.addIssue({ code: "custom", path: ["authorizers", n, "enableSimpleResponses"], message: "enableSimpleResponses is only supported with authorizerPayloadFormatVersion 2.0: a 1.0 authorizer answers with an IAM policy" });
    }
    for (const [key, r] of Object.entries(api.routes)) {
      // `$default` is an HTTP API route key (V2 CreateRoute RouteKey); a REST API's resources are paths,
      // and its catch-all is a greedy `{proxy+}` resource, which does not match the root `/`.
      if (!http && key === "$default") ctx.addIssue({ code: "custom", path: ["routes", key], message: "$default is only supported for HTTP APIs (protocolType: HTTP): a REST API's catch-all is ANY /{proxy+} (with ANY / for the root path)" });
      if (typeof r === "string") continue;
      // AWS's REST-or-HTTP table lists mock integrations for REST APIs only (http-api-vs-rest.html).
      if ("mock" in r) {
        if (api.protocolType !== "REST") ctx.addIssue({ code: "custom", path: ["routes", key, "mock"], message: "mock integrations are only supported for REST APIs (protocolType: REST): HTTP APIs have none" });
        continue;
      }
      // PayloadFormatVersion is an API Gateway V2 Integration field ("Required for HTTP APIs"); a REST
      // API's Lambda proxy integration (PutIntegration, type AWS_PROXY) has none and sends the 1.0 event.
      if (!http && r.payloadFormatVersion !== undefined) ctx.addIssue({ code: "custom", path: ["routes", key, "payloadFormatVersion"], message: "payloadFormatVersion is only supported for HTTP APIs (protocolType: HTTP): a REST API's Lambda proxy integration always sends the 1.0 event" });
      // "Response streaming is only supported for REST APIs" (response-transfer-mode.html).
      if (r.responseTransferMode === "STREAM" && api.protocolType !== "REST") ctx.addIssue({ code: "custom", path: ["routes", key, "responseTransferMode"], message: "STREAM is only supported for REST APIs (protocolType: REST): API Gateway does not stream HTTP API integrations" });
      // Past 300000 ms only a STREAM route may wait (up to 15 minutes).
      if (http && r.timeoutInMillis !== undefined && r.timeoutInMillis > HTTP_MAX_TIMEOUT_MS) ctx.addIssue({ code: "custom", path: ["routes", key, "timeoutInMillis"], message: `expected at most ${HTTP_MAX_TIMEOUT_MS} ms: an HTTP API's integration timeout is 50 to 30000 ms` });
      else if (r.responseTransferMode !== "STREAM" && r.timeoutInMillis !== undefined && r.timeoutInMillis > 300_000) ctx.addIssue({ code: "custom", path: ["routes", key, "timeoutInMillis"], message: "expected at most 300000 ms (up to 900000 with responseTransferMode: STREAM)" });
    }
    // A route's authorizer is one of its own API's (API Gateway's AuthorizerId names an authorizer of that API).
    for (const [key, r] of Object.entries(api.routes)) {
      if (typeof r === "string" || r.authorizer === undefined || r.authorizer === "NONE" || api.authorizers[r.authorizer] !== undefined) continue;
      const known = Object.keys(api.authorizers);
      ctx.addIssue({ code: "custom", path: ["routes", key, "authorizer"], message: `no authorizer '${r.authorizer}' in this API's authorizers (${known.length === 0 ? "it has none" : `it has: ${known.join(", ")}`}; NONE for no authorizer)` });
    }
  }),
  { error: "expected a map of API names to APIs" },
);

export type ApiConfig = z.output<typeof apiConfigSchema>;
export type ApiEntry = ApiConfig[string];
export type AuthorizerEntry = ApiEntry["authorizers"][string];
export type CorsEntry = NonNullable<ApiEntry["corsConfiguration"]>;
export type MockEntry = z.output<typeof mockIntegrationSchema>;

/**
 * An API's id: 10 lower-case letters and digits as API Gateway's are, derived from the account,
 * region and name, so the same declaration gets the same address at every start.
 */
export function apiId(accountId: string, region: string, apiName: string): string {
  const digest = createHash("sha256").update(`${accountId}/${region}/${apiName}`).digest();
  let id = "";
  for (let i = 0; id.length < 10; i++) id += ALPHABET[digest[i]! % ALPHABET.length];
  return id;
}

const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
