import { answerHeadersProblem } from "./answer-headers.ts";
import { headerValues, isTextContentType, queryValues, requestTime, type HttpRequest } from "./http-request.ts";
import { shown } from "./shown.ts";

/**
 * Payload format 2.0: the event HTTP APIs and Function URLs send a function, and how they read
 * its answer. Field by field as AWS documents it:
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 * @see https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-payloads
 */

/** What the front knows beyond the request itself: where it arrived and what it matched. */
export interface PayloadV2Context {
  accountId: string;
  /** The HTTP API's id, or a Function URL's url id. */
  apiId: string;
  /** The Host the request named ("abc123.execute-api.localhost:3001"). */
  domainName: string;
  /** The first label of the domain name. */
  domainPrefix: string;
  requestId: string;
  /** "$default" or the stage name; Function URLs use "$default". */
  stage: string;
  /** "GET /pets/{id}", "$default". */
  routeKey: string;
  /** Service time of arrival, epoch ms (Clock.now()). */
  timeEpoch: number;
  /** The matched route's parameters; omitted when undefined (HTTP APIs), null for Function URLs. */
  pathParameters?: Record<string, string> | null;
  stageVariables?: Record<string, string> | null;
  /** `requestContext.authorizer` (`{ lambda: {...} }`, `{ iam: {...} }`); omitted when undefined. */
  authorizer?: unknown;
  /** `requestContext.authentication`: Function URLs send null; HTTP APIs omit it without mTLS. */
  authentication?: unknown;
  /** Headers the front adds as AWS's does (x-forwarded-for, x-amzn-trace-id), after the client's. */
  addedHeaders?: readonly string[];
}

export interface PayloadV2Event {
  version: "2.0";
  routeKey: string;
  rawPath: string;
  rawQueryString: string;
  cookies?: string[];
  headers: Record<string, string>;
  queryStringParameters?: Record<string, string>;
  requestContext: Record<string, unknown>;
  body?: string;
  pathParameters?: Record<string, string> | null;
  isBase64Encoded: boolean;
  stageVariables?: Record<string, string> | null;
}

/** The 2.0 event for one request. */
export function payloadV2Event(req: HttpRequest, ctx: PayloadV2Context): PayloadV2Event {
  const all = ctx.addedHeaders === undefined ? req.rawHeaders : [...req.rawHeaders, ...ctx.addedHeaders];
  const values = headerValues(all);
  // "Format 2.0 includes a new cookies field. All cookie headers in the request are combined with
  // commas and added to the cookies field": one entry per cookie, and no `cookie` header left.
  const cookieHeaders = values.get("cookie");
  values.delete("cookie");
  const headers: Record<string, string> = {};
  // "Duplicate headers are combined with commas and included in the headers field."
  for (const [name, list] of values) headers[name] = list.join(",");
  const event: PayloadV2Event = {
    version: "2.0",
    routeKey: ctx.routeKey,
    rawPath: req.rawPath,
    rawQueryString: req.rawQueryString,
    headers,
    requestContext: {},
    isBase64Encoded: false,
  };
  if (cookieHeaders !== undefined) {
    const cookies = cookieHeaders.flatMap((h) => h.split(";")).map((c) => c.trim()).filter((c) => c !== "");
    if (cookies.length > 0) event.cookies = cookies;
  }
  const query = queryValues(req.rawQueryString);
  if (query.size > 0) {
    // "Duplicate query strings are combined with commas and included in the queryStringParameters field."
    const params: Record<string, string> = {};
    for (const [name, list] of query) params[name] = list.join(",");
    event.queryStringParameters = params;
  }
  const context: Record<string, unknown> = { accountId: ctx.accountId, apiId: ctx.apiId };
  if (ctx.authentication !== undefined) context.authentication = ctx.authentication;
  if (ctx.authorizer !== undefined) context.authorizer = ctx.authorizer;
  context.domainName = ctx.domainName;
  context.domainPrefix = ctx.domainPrefix;
  context.http = {
    method: req.method,
    path: req.rawPath,
    protocol: req.protocol,
    sourceIp: req.sourceIp,
    userAgent: headers["user-agent"] ?? "",
  };
  context.requestId = ctx.requestId;
  context.routeKey = ctx.routeKey;
  context.stage = ctx.stage;
  context.time = requestTime(ctx.timeEpoch);
  context.timeEpoch = ctx.timeEpoch;
  event.requestContext = context;
  if (req.body.length > 0) {
    const text = isTextContentType(headers["content-type"]);
    event.body = text ? req.body.toString("utf8") : req.body.toString("base64");
    event.isBase64Encoded = !text;
  }
  if (ctx.pathParameters !== undefined) event.pathParameters = ctx.pathParameters;
  if (ctx.stageVariables !== undefined) event.stageVariables = ctx.stageVariables;
  return event;
}

/** What goes back to the client once the function's answer is read. */
export interface HttpAnswer {
  statusCode: number;
  /** Header names lower-cased; a list where a header repeats (payload 1.0 `multiValueHeaders`). */
  headers: Record<string, string | string[]>;
  /** Each becomes its own `set-cookie` header. */
  cookies: string[];
  body: Buffer;
}

/**
 * Reads a function's result as payload format 2.0 does. A JSON answer without `statusCode` is a
 * 200 with `content-type: application/json` and that answer as the body (a JSON string's text as
 * it is); an object with `statusCode` gives its `statusCode`, `headers`, `cookies`, and `body`,
 * base64-decoded when `isBase64Encoded`. What is wrong, when the answer cannot be read (not JSON,
 * a status that is not a whole number from 200 to 599, a non-string body, a header or cookie HTTP
 * cannot carry): the caller answers as its front does (HTTP APIs: 500 `{"message":"Internal Server Error"}`).
 */
export function payloadV2Answer(payload: Buffer | string): HttpAnswer | MalformedAnswer {
  let value: unknown;
  try {
    value = JSON.parse(typeof payload === "string" ? payload : payload.toString("utf8"));
  } catch {
    return malformed("the response is not JSON");
  }
  if (!isObject(value) || !("statusCode" in value)) {
    // "If your Lambda function returns valid JSON and doesn't return a statusCode, API Gateway
    // assumes: isBase64Encoded is false, statusCode is 200, content-type is application/json,
    // body is the function's response."
    const body = typeof value === "string" ? value : JSON.stringify(value);
    return { statusCode: 200, headers: { "content-type": "application/json" }, cookies: [], body: Buffer.from(body, "utf8") };
  }
  const status = value.statusCode;
  if (!isFinalStatus(status)) return malformed(`statusCode is not an HTTP status: ${shown(status)}`);
  const headers = stringValues(value.headers);
  if (headers === undefined) return malformed(`headers is not an object of text values: ${shown(value.headers)}`);
  const cookies = value.cookies === undefined || value.cookies === null ? [] : value.cookies;
  if (!Array.isArray(cookies) || cookies.some((c) => typeof c !== "string")) return malformed(`cookies is not a list of strings: ${shown(value.cookies)}`);
  const badHeader = answerHeadersProblem(headers, cookies as string[]);
  if (badHeader !== undefined) return malformed(badHeader);
  const body = value.body;
  // A non-string body with a statusCode: AWS's answer is not documented; we refuse it (our choice).
  if (body !== undefined && body !== null && typeof body !== "string") return malformed(`body is not a string: ${shown(body)}`);
  const base64 = value.isBase64Encoded === true;
  const bytes = body === undefined || body === null ? Buffer.alloc(0) : Buffer.from(body, base64 ? "base64" : "utf8");
  return { statusCode: status, headers, cookies: cookies as string[], body: bytes };
}

/**
 * A status a function may answer with: a whole number from 200 to 599. A 1xx is an interim
 * response in HTTP (RFC 9110 §15.2): sent as the final answer, the client waits for the real one
 * (101 even switches protocols), so it is a malformed answer here; what AWS does with one is not
 * on record (our choice).
 */
export function isFinalStatus(status: unknown): status is number {
  return typeof status === "number" && Number.isInteger(status) && status >= 200 && status <= 599;
}

/** An answer the front cannot read: what is wrong with it, for the `http.integration-failed` event. */
export interface MalformedAnswer {
  malformed: string;
}

export function malformed(why: string): MalformedAnswer {
  return { malformed: why };
}

export function isMalformed(a: HttpAnswer | MalformedAnswer): a is MalformedAnswer {
  return "malformed" in a;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A headers object with string (or number/boolean, written as text) values, names lower-cased. */
export function stringValues(v: unknown): Record<string, string> | undefined {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(v)) {
    if (value === null || value === undefined) continue;
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") out[name.toLowerCase()] = String(value);
    else return undefined;
  }
  return out;
}
