import { isAwsError, type Clock, type InvocationVia, type Invoker } from "@lambda-sim/core";
import type { AuthorizerEntry } from "./api-config.ts";
import { evaluatePolicy } from "./iam-policy.ts";
import { isObject } from "./payload-v2.ts";

/** What an authorizer decided for one request. */
export type AuthorizerOutcome =
  | { kind: "allow"; principalId: string | undefined; context: Record<string, unknown> }
  /** No identity, a token failing the validation expression, or the function's `Unauthorized` error: 401. */
  | { kind: "unauthorized" }
  /** A policy without an Allow for this ARN (`explicit` when a Deny matched) or `isAuthorized: false`: 403. */
  | { kind: "forbidden"; explicit: boolean }
  /** The function failed or answered something that is not an authorizer answer: 500. */
  | AuthorizerFailure;

/** Why an authorizer call ended in a 500, for the console's `http.integration-failed` line. */
export interface AuthorizerFailure {
  kind: "error";
  /** The authorizer invocation's request id (of the call whose answer was cached, for a cached one). */
  requestId: string;
  why: "function-error" | "invoke-failed" | "malformed" | "context";
  /** What was wrong: the function's error, the status of a refused call, the answer's fault. */
  detail: string;
}

/** One request as the authorizer sees it. */
export interface AuthorizerCall {
  /** Resolves an identity source (`header.Authorization`, `querystring.q`, `stageVariables.v`, `context.stage`). */
  lookup(source: IdentitySource): string | undefined;
  /** `methodArn` (REST) / `routeArn` (HTTP): what the returned policy is checked against. */
  arn: string;
  /** The REQUEST event (REST 1.0 or HTTP API 1.0/2.0), given the identity values found. */
  requestEvent(identity: string[]): Record<string, unknown>;
  /** The front and route asking, named in the authorizer's invocation telemetry (`authorizer: true`). */
  via: InvocationVia;
}

export interface IdentitySource {
  where: "header" | "querystring" | "stageVariables" | "context";
  name: string;
}

interface CachedAnswer {
  expiresAt: number;
  answer: Record<string, unknown>;
  requestId: string;
}

/**
 * A Lambda authorizer of one API (REST TOKEN or REQUEST, HTTP API REQUEST with IAM-policy or simple
 * answers). The function runs through the Invoker like any other; its answer is cached per identity
 * for `authorizerResultTtlInSeconds` of service time (the Clock, so `--time-scale` and virtual time
 * apply), and a cached policy is evaluated again for each method ARN, as API Gateway does.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html
 */
export class LambdaAuthorizer {
  private readonly cache = new Map<string, CachedAnswer>();
  private readonly sources: IdentitySource[];
  private readonly validation: RegExp | undefined;
  readonly type: "TOKEN" | "REQUEST";
  readonly simple: boolean;
  /** HTTP APIs: the REQUEST event's format. */
  readonly payloadFormatVersion: "1.0" | "2.0";

  private readonly config: AuthorizerEntry;
  /** The authorizer's function, as the console names it. */
  get functionName(): string {
    return this.config.functionName;
  }
  private readonly protocol: "REST" | "HTTP";
  private readonly deps: { invoker: Invoker; clock: Clock };

  constructor(config: AuthorizerEntry, protocol: "REST" | "HTTP", deps: { invoker: Invoker; clock: Clock }) {
    this.config = config;
    this.protocol = protocol;
    this.deps = deps;
    this.type = protocol === "HTTP" ? "REQUEST" : (config.type ?? "TOKEN");
    const declared = config.identitySource ?? (this.type === "TOKEN" || protocol === "HTTP" ? ["header.Authorization"] : []);
    this.sources = (Array.isArray(declared) ? declared : declared.split(",")).map(parseIdentitySource);
    this.validation = config.identityValidationExpression === undefined ? undefined : new RegExp(`^(?:${config.identityValidationExpression})$`);
    this.payloadFormatVersion = config.authorizerPayloadFormatVersion ?? (protocol === "HTTP" ? "2.0" : "1.0");
    this.simple = protocol === "HTTP" && config.enableSimpleResponses && this.payloadFormatVersion === "2.0";
  }

  async authorize(call: AuthorizerCall): Promise<AuthorizerOutcome> {
    const identity = this.sources.map((s) => call.lookup(s));
    const ttl = this.config.authorizerResultTtlInSeconds;
    // Identity sources are required, except for REQUEST authorizers without caching.
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html#http-api-lambda-authorizer.identity-sources
    const missing = identity.some((v) => v === undefined || v === "");
    if (missing && (this.type === "TOKEN" || ttl > 0)) return { kind: "unauthorized" };
    const values = identity.filter((v): v is string => v !== undefined);
    if (this.type === "TOKEN" && this.validation !== undefined && !this.validation.test(values[0]!)) return { kind: "unauthorized" };
    const key = JSON.stringify(values);
    const now = this.deps.clock.now();
    let answer = ttl > 0 ? this.cache.get(key) : undefined;
    if (answer !== undefined && answer.expiresAt <= now) {
      this.cache.delete(key);
      answer = undefined;
    }
    if (answer === undefined) {
      const event = this.type === "TOKEN" ? { type: "TOKEN", authorizationToken: values[0], methodArn: call.arn } : call.requestEvent(values);
      const got = await this.invoke(event, call.via);
      if (got.kind !== "answer") return got;
      answer = { expiresAt: now + ttl * 1000, answer: got.answer, requestId: got.requestId };
      if (ttl > 0) this.cache.set(key, answer);
    }
    const requestId = answer.requestId;
    const decided = this.decide(answer.answer, call.arn);
    return "why" in decided ? { kind: "error", requestId, ...decided } : decided;
  }

  private async invoke(event: unknown, via: InvocationVia): Promise<{ kind: "answer"; answer: Record<string, unknown>; requestId: string } | { kind: "unauthorized" } | AuthorizerFailure> {
    const requestId = this.deps.invoker.newRequestId();
    const fail = (why: AuthorizerFailure["why"], detail: string): AuthorizerFailure => ({ kind: "error", requestId, why, detail });
    let text = "";
    try {
      const out = await this.deps.invoker.invoke({ functionName: this.config.functionName, payload: Buffer.from(JSON.stringify(event)), invocationType: "RequestResponse", requestId, via });
      if (out.kind !== "result") return fail("invoke-failed", `Lambda answered ${out.kind}`);
      text = out.result.payload.toString("utf8");
      const payload: unknown = JSON.parse(text);
      // A function that fails with the message "Unauthorized" answers 401; any other failure is 500.
      if (out.result.errorType !== undefined) {
        if (isObject(payload) && payload.errorMessage === "Unauthorized") return { kind: "unauthorized" };
        return fail("function-error", isObject(payload) ? `${String(payload.errorType ?? out.result.errorType)}: ${String(payload.errorMessage ?? "")}` : out.result.errorType);
      }
      return isObject(payload) ? { kind: "answer", answer: payload, requestId } : fail("malformed", `the answer is not a JSON object: ${text.slice(0, 200)}`);
    } catch (e) {
      if (isAwsError(e)) return fail("invoke-failed", `Lambda invocation failed with status: ${e.statusCode} (${e.code})`);
      return fail("malformed", `the answer is not JSON: ${text.slice(0, 200)}`);
    }
  }

  private decide(answer: Record<string, unknown>, arn: string): AuthorizerOutcome | Omit<AuthorizerFailure, "kind" | "requestId"> {
    const context = answer.context === undefined || answer.context === null ? {} : answer.context;
    if (!isObject(context)) return { why: "malformed", detail: "context is not an object" };
    const allowed = this.protocol === "REST" ? restContext(context) : context;
    if (allowed === undefined) return { why: "context", detail: `context values must be strings, numbers or booleans: ${JSON.stringify(context).slice(0, 200)}` };
    if (this.simple) {
      if (typeof answer.isAuthorized !== "boolean") return { why: "malformed", detail: "isAuthorized is not a boolean" };
      return answer.isAuthorized ? { kind: "allow", principalId: undefined, context: allowed } : { kind: "forbidden", explicit: false };
    }
    const verdict = evaluatePolicy(answer.policyDocument, arn);
    if (verdict === undefined) return { why: "malformed", detail: answer.policyDocument === undefined ? "the answer has no policyDocument" : "policyDocument is not an IAM policy" };
    if (verdict !== "allow") return { kind: "forbidden", explicit: verdict === "explicit-deny" };
    return { kind: "allow", principalId: typeof answer.principalId === "string" ? answer.principalId : undefined, context: allowed };
  }
}

/**
 * A REST API's authorizer context as the function gets it: "You can only use string, number, or
 * boolean values as the context map's values ... Their values are stringified, for example,
 * "stringval", "123", or "true"" ("Output from an API Gateway Lambda authorizer", API Gateway
 * developer guide); an object or array value fails the authorizer (500). HTTP APIs pass the
 * `context` of their 2.0 answers to `authorizer.lambda` as returned (their guide's examples, no
 * such rule), so only REST stringifies. A null value is kept as null (AWS's handling is not
 * documented: chosen).
 */
export function restContext(context: Record<string, unknown>): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(context)) {
    if (typeof v === "object" && v !== null) return undefined;
    out[k] = typeof v === "number" || typeof v === "boolean" ? String(v) : v;
  }
  return out;
}

/** `method.request.header.Authorization`, `$request.querystring.q`, `$stageVariables.v`, `context.stage`. */
export function parseIdentitySource(text: string): IdentitySource {
  const s = text.trim().replace(/^\$/, "").replace(/^method\.request\./, "").replace(/^request\./, "");
  const dot = s.indexOf(".");
  const where = s.slice(0, dot);
  const name = s.slice(dot + 1);
  if (dot > 0 && (where === "header" || where === "querystring" || where === "stageVariables" || where === "context") && name !== "") return { where, name };
  // An unknown form is read as a header name (our choice; config validation names the forms).
  return { where: "header", name: s };
}

/**
 * The line a REST stage's execution log writes for a failed authorizer: "Execution failed due to
 * configuration error: Authorizer error" for a function that failed or could not be called, and
 * "... Invalid JSON in response: ..." for an answer that is not an authorizer answer (as users
 * quote these logs on re:Post; the context one is the walkthrough's reading, unverified). HTTP APIs
 * have no execution log: our wording.
 */
export function authorizerFailureReason(protocol: "REST" | "HTTP", f: AuthorizerFailure): string {
  if (protocol === "HTTP") return f.why === "function-error" || f.why === "invoke-failed" ? "The Lambda authorizer failed." : "The Lambda authorizer's response doesn't match the format that API Gateway expects.";
  if (f.why === "function-error" || f.why === "invoke-failed") return "Execution failed due to configuration error: Authorizer error";
  if (f.why === "context") return "Execution failed due to configuration error: Authorizer response context values must be of type string, number, or boolean";
  return "Execution failed due to configuration error: Invalid JSON in response";
}
