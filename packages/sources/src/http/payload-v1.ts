import { headerValue, queryValues, requestTime, type HttpRequest } from "./http-request.ts";
import { answerHeadersProblem } from "./answer-headers.ts";
import { isFinalStatus, isObject, malformed, stringValues, type HttpAnswer, type MalformedAnswer } from "./payload-v2.ts";
import { shown } from "./shown.ts";

/**
 * Payload format 1.0: the event of API Gateway's Lambda proxy integration (REST APIs, and HTTP API
 * routes set to 1.0), and the answer it requires back.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-input-format
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 */

export interface PayloadV1Context {
  accountId: string;
  apiId: string;
  domainName: string;
  domainPrefix: string;
  requestId: string;
  extendedRequestId: string;
  stage: string;
  /** The declared resource ("/pets/{id}"), or "$default" for an HTTP API's default route. */
  resource: string;
  /** The request path without the stage ("/pets/7"). */
  path: string;
  pathParameters: Record<string, string>;
  stageVariables: Record<string, string>;
  timeEpoch: number;
  /** Whether the body goes base64-encoded (REST: its content type is one of the binary media types). */
  binaryBody: boolean;
  /** `requestContext.authorizer`: the Lambda authorizer's principalId and context; omitted when undefined. */
  authorizer?: Record<string, unknown>;
  /** HTTP APIs add `"version": "1.0"` and a resourceId/routeKey of their own. */
  httpApi?: { routeKey: string };
  addedHeaders?: readonly string[];
}

/** The 1.0 event for one request. */
export function payloadV1Event(req: HttpRequest, ctx: PayloadV1Context): Record<string, unknown> {
  const all = ctx.addedHeaders === undefined ? req.rawHeaders : [...req.rawHeaders, ...ctx.addedHeaders];
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  // Header names in the client's case, on REST APIs and on HTTP API routes set to 1.0 alike (2.0
  // lower-cases them): AWS's 1.0 events from HTTP APIs keep `Postman-Token` and `Content-Type` as
  // Postman sent them, beside `X-Forwarded-For`, `X-Amzn-Trace-Id` (captures in
  // mantil-io/go-lambda-examples and in users' test events with `"resourceId": "ANY /..."`). With a
  // repeated header, `headers` has the last value and `multiValueHeaders` all of them.
  for (let i = 0; i + 1 < all.length; i += 2) {
    const name = all[i]!;
    headers[name] = all[i + 1]!;
    (multiValueHeaders[name] ??= []).push(all[i + 1]!);
  }
  const query = queryValues(req.rawQueryString);
  let queryStringParameters: Record<string, string> | null = null;
  let multiValueQueryStringParameters: Record<string, string[]> | null = null;
  if (query.size > 0) {
    queryStringParameters = {};
    multiValueQueryStringParameters = {};
    // "If the same key-value pair is specified multiple times, only the last value is included in queryStringParameters."
    for (const [name, list] of query) {
      queryStringParameters[name] = list[list.length - 1]!;
      multiValueQueryStringParameters[name] = list;
    }
  }
  const requestContext = payloadV1RequestContext(req, ctx);
  const event: Record<string, unknown> = {};
  if (ctx.httpApi !== undefined) event.version = "1.0";
  Object.assign(event, {
    resource: ctx.resource,
    path: ctx.path,
    httpMethod: req.method,
    headers,
    multiValueHeaders,
    queryStringParameters,
    multiValueQueryStringParameters,
    requestContext,
    pathParameters: Object.keys(ctx.pathParameters).length > 0 ? ctx.pathParameters : null,
    stageVariables: Object.keys(ctx.stageVariables).length > 0 ? ctx.stageVariables : null,
    body: req.body.length === 0 ? null : req.body.toString(ctx.binaryBody ? "base64" : "utf8"),
    isBase64Encoded: req.body.length > 0 && ctx.binaryBody,
  });
  return event;
}

/**
 * The 1.0 event's `requestContext`; a REST API's mapping templates read their `$context`
 * variables from it too (rest-api.ts), as API Gateway fills both from the same request.
 */
export function payloadV1RequestContext(req: HttpRequest, ctx: PayloadV1Context): Record<string, unknown> {
  // The client's own (the headers the gateway adds, forwardedHeaders, have no User-Agent).
  const userAgent = headerValue(req.rawHeaders, "user-agent") ?? null;
  const requestContext: Record<string, unknown> = {
    accountId: ctx.accountId,
    apiId: ctx.apiId,
  };
  if (ctx.authorizer !== undefined) requestContext.authorizer = ctx.authorizer;
  Object.assign(requestContext, {
    domainName: ctx.domainName,
    domainPrefix: ctx.domainPrefix,
    extendedRequestId: ctx.extendedRequestId,
    httpMethod: req.method,
    identity: {
      accessKey: null,
      accountId: null,
      caller: null,
      cognitoAuthenticationProvider: null,
      cognitoAuthenticationType: null,
      cognitoIdentityId: null,
      cognitoIdentityPoolId: null,
      principalOrgId: null,
      sourceIp: req.sourceIp,
      user: null,
      userAgent,
      userArn: null,
    },
    // requestContext.path carries the stage ("/prod/pets/7"); the top-level path does not.
    path: ctx.stage === "$default" ? ctx.path : `/${ctx.stage}${ctx.path}`,
    protocol: req.protocol,
    requestId: ctx.requestId,
    requestTime: requestTime(ctx.timeEpoch),
    requestTimeEpoch: ctx.timeEpoch,
    resourceId: ctx.httpApi === undefined ? resourceId(ctx.resource) : ctx.httpApi.routeKey,
    resourcePath: ctx.resource,
    stage: ctx.stage,
  });
  return requestContext;
}

/** A REST resource's id: 6 characters as API Gateway's are, the same for the same path. */
function resourceId(resource: string): string {
  let h = 2166136261;
  for (let i = 0; i < resource.length; i++) h = Math.imul(h ^ resource.charCodeAt(i), 16777619) >>> 0;
  return h.toString(36).padStart(6, "0").slice(-6);
}

const V1_KEYS = new Set(["statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"]);

/**
 * Reads a function's result as the 1.0 proxy integration requires it: a JSON object with
 * `statusCode` and only the keys `headers`, `multiValueHeaders`, `body` (text) and
 * `isBase64Encoded`; anything else is a malformed answer (REST APIs: 502). `headers` and
 * `multiValueHeaders` merge, the multi-value list winning for a name in both. `decodeBase64`: REST
 * APIs turn a base64 body into bytes only when the request's Accept matches a binary media type.
 */
export function payloadV1Answer(payload: Buffer | string, decodeBase64: boolean): HttpAnswer | MalformedAnswer {
  let value: unknown;
  try {
    value = JSON.parse(typeof payload === "string" ? payload : payload.toString("utf8"));
  } catch {
    return malformed("the response is not JSON");
  }
  if (!isObject(value)) return malformed(`the response is not a JSON object: ${shown(value)}`);
  // "Additional fields are not allowed" (the proxy integration's output format).
  const extra = Object.keys(value).find((k) => !V1_KEYS.has(k));
  if (extra !== undefined) return malformed(`unexpected field "${extra}" (allowed: ${[...V1_KEYS].join(", ")})`);
  // A numeric string is taken as API Gateway's JSON mapper takes it (our choice).
  const status = typeof value.statusCode === "string" && /^\d{3}$/.test(value.statusCode) ? Number(value.statusCode) : value.statusCode;
  if (!isFinalStatus(status)) return malformed(`statusCode is not an HTTP status: ${shown(value.statusCode)}`);
  const read = v1Headers(value.headers, value.multiValueHeaders);
  if ("malformed" in read) return read;
  const headers = read.headers;
  const badHeader = answerHeadersProblem(headers, []);
  if (badHeader !== undefined) return malformed(badHeader);
  const body = value.body;
  if (body !== undefined && body !== null && typeof body !== "string") return malformed(`body is not a string: ${shown(body)}`);
  const base64 = value.isBase64Encoded === true && decodeBase64;
  const bytes = body === undefined || body === null ? Buffer.alloc(0) : Buffer.from(body, base64 ? "base64" : "utf8");
  return { statusCode: status, headers, cookies: [], body: bytes };
}

/**
 * Whether a media type is one of an API's binary media types (`image/png`, `image/*`, `*\/*`).
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings.html
 */
/**
 * A proxy integration answer's `headers` (single text values) and `multiValueHeaders` (lists; a
 * name in both keeps the list), as one header map: the buffered answer's and a streamed answer's
 * metadata (rest-stream-prelude.ts) are read alike.
 */
export function v1Headers(headers: unknown, multiValueHeaders: unknown): { headers: Record<string, string | string[]> } | MalformedAnswer {
  const single = stringValues(headers);
  if (single === undefined) return malformed(`headers is not an object of text values: ${shown(headers)}`);
  const out: Record<string, string | string[]> = { ...single };
  if (multiValueHeaders === undefined || multiValueHeaders === null) return { headers: out };
  if (!isObject(multiValueHeaders)) return malformed(`multiValueHeaders is not an object: ${shown(multiValueHeaders)}`);
  for (const [name, list] of Object.entries(multiValueHeaders)) {
    if (list === null) continue;
    if (!Array.isArray(list) || list.some((v) => typeof v === "object")) return malformed(`multiValueHeaders.${name} is not a list of text values: ${shown(list)}`);
    out[name.toLowerCase()] = list.map(String);
  }
  return { headers: out };
}

export function isBinaryMediaType(contentType: string | undefined, binaryMediaTypes: readonly string[]): boolean {
  if (contentType === undefined || binaryMediaTypes.length === 0) return false;
  const types = contentType.split(",").map((t) => t.split(";", 1)[0]!.trim().toLowerCase());
  return types.some((type) => {
    const [major, minor] = type.split("/");
    return binaryMediaTypes.some((b) => {
      const [bm, bn] = b.toLowerCase().split("/");
      return (bm === "*" || bm === major) && (bn === "*" || bn === minor);
    });
  });
}
