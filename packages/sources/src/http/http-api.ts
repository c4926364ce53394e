import type { ApiEntry } from "./api-config.ts";
import { forwardedHeaders, identityLookup, type ApiAnswer, type ApiDeps, type ApiHandler, type ApiRequest, type RouteTarget } from "./api-request.ts";
import { CorsPolicy, withoutCorsHeaders } from "./cors.ts";
import { executeApiArn } from "./iam-policy.ts";
import { decode, isTextContentType } from "./http-request.ts";
import { functionErrorText, invokeIntegration, reportFailure, type IntegrationOutcome } from "./integration.ts";
import { authorizerFailureReason, LambdaAuthorizer } from "./lambda-authorizer.ts";
import { payloadV1Answer, payloadV1Event } from "./payload-v1.ts";
import { isMalformed, payloadV2Answer, payloadV2Event, type HttpAnswer, type MalformedAnswer } from "./payload-v2.ts";
import { RouteTable, type RouteMatch } from "./route-table.ts";
import { messageAnswer } from "./write-answer.ts";

/** HTTP API payload limit: 10 MB; integration timeout at most (and by default) 30 s. https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html */
export const HTTP_MAX_PAYLOAD = 10 * 1024 * 1024;
export const HTTP_DEFAULT_TIMEOUT_MS = 30_000;

const NOT_FOUND = () => messageAnswer(404, '{"message":"Not Found"}');
const UNAUTHORIZED = () => messageAnswer(401, '{"message":"Unauthorized"}');
const FORBIDDEN = () => messageAnswer(403, '{"message":"Forbidden"}');
const INTERNAL = () => messageAnswer(500, '{"message":"Internal Server Error"}');
// HTTP APIs answer an integration timeout with 503 (our reading of AWS's re:Post answers; the
// developer guide does not state the status).
const TIMED_OUT = () => messageAnswer(503, '{"message":"Service Unavailable"}');
const TOO_LARGE = () => messageAnswer(413, '{"message":"Request Entity Too Large"}');

// HTTP APIs have no execution log; their access log's $context.integrationErrorMessage says why.
// The malformed answer's text is AWS's (as its access logs show it: middyjs/middy#1005); the
// others are our wording where AWS's is not published.
export const MALFORMED_REASON = "The response from the Lambda function doesn't match the format that API Gateway expects.";
const FUNCTION_ERROR_REASON = "The Lambda function returned an error.";
const TIMEOUT_REASON = "The integration timed out.";
const invocationFailedReason = (status: number) => `Lambda invocation failed with status: ${status}.`;

/**
 * An HTTP API (payload 2.0, or 1.0 per route): routes with `$default`, Lambda authorizers with
 * simple or IAM-policy answers, CORS, and the answers HTTP APIs give when something fails: 500
 * `Internal Server Error` for a function error, a malformed answer or a throttled function (our
 * choice where AWS does not document it), 404 where no route matches.
 */
export class HttpApi implements ApiHandler {
  readonly protocolType = "HTTP" as const;
  readonly stages: readonly string[];
  private readonly routes = new RouteTable<RouteTarget>();
  private readonly stageVariables: Record<string, Record<string, string>>;
  private readonly cors: CorsPolicy | undefined;

  readonly name: string;
  readonly id: string;
  private readonly deps: ApiDeps;

  constructor(name: string, id: string, entry: ApiEntry, deps: ApiDeps) {
    this.name = name;
    this.id = id;
    this.deps = deps;
    const stages = entry.stages ?? { $default: { stageVariables: {} } };
    this.stages = Object.keys(stages);
    this.stageVariables = Object.fromEntries(Object.entries(stages).map(([s, v]) => [s, v.stageVariables]));
    this.cors = entry.corsConfiguration === undefined ? undefined : new CorsPolicy(entry.corsConfiguration);
    const authorizers = new Map(Object.entries(entry.authorizers).map(([n, a]) => [n, new LambdaAuthorizer(a, "HTTP", deps)]));
    for (const [key, route] of Object.entries(entry.routes)) {
      const r = typeof route === "string" ? { functionName: route } : route;
      // A mock integration is a REST API's (api-config.ts refuses one here).
      if ("mock" in r) continue;
      const authorizer = r.authorizer === undefined || r.authorizer === "NONE" ? undefined : authorizers.get(r.authorizer);
      if (r.authorizer !== undefined && r.authorizer !== "NONE" && authorizer === undefined) throw new Error(`apis.${name}.routes.${key}.authorizer: no authorizer ${r.authorizer} in apis.${name}.authorizers`);
      const version = "payloadFormatVersion" in r ? (r.payloadFormatVersion ?? "2.0") : "2.0";
      this.routes.add(key, { functionName: r.functionName, authorizer, payloadFormatVersion: version, timeoutMs: r.timeoutInMillis ?? entry.timeoutInMillis ?? HTTP_DEFAULT_TIMEOUT_MS });
    }
  }

  async handle(req: ApiRequest): Promise<ApiAnswer> {
    const headers: Record<string, string> = { "apigw-requestid": req.extendedRequestId };
    const preflight = this.cors?.preflight(req.http.method, req.headers);
    if (preflight !== undefined) return { answer: preflight, headers };
    const answer = await this.answer(req);
    if (this.cors === undefined) return { answer, headers };
    const cors = this.cors.responseHeaders(req.headers.get("origin")?.[0]);
    return { answer: { ...answer, headers: { ...withoutCorsHeaders(answer.headers), ...cors } }, headers };
  }

  private async answer(req: ApiRequest): Promise<HttpAnswer> {
    if (req.bodyTooLarge === true || req.http.body.length > HTTP_MAX_PAYLOAD) return TOO_LARGE();
    const match = this.routes.match(req.http.method, req.path);
    if (match === undefined) return NOT_FOUND();
    const stageVariables = this.stageVariables[req.stage] ?? {};
    const target = match.target;
    let context: Record<string, unknown> | undefined;
    let principalId: string | undefined;
    if (target.authorizer !== undefined) {
      const arn = executeApiArn(this.deps.region, this.deps.accountId, this.id, req.stage, req.http.method, req.path);
      const v1 = target.authorizer.payloadFormatVersion === "1.0";
      const outcome = await target.authorizer.authorize({
        arn,
        via: { front: "http-api", apiId: this.id, stage: req.stage, routeKey: match.routeKey, authorizer: true },
        lookup: identityLookup(req, stageVariables, match.routeKey),
        requestEvent: (identity) => {
          if (v1) {
            const { body: _b, isBase64Encoded: _i, ...rest } = this.v1Event(req, match, stageVariables, undefined);
            return { version: "1.0", type: "REQUEST", methodArn: arn, identitySource: identity.join(","), authorizationToken: identity[0], ...rest };
          }
          const { body: _b, isBase64Encoded: _i, version: _v, ...rest } = this.v2Event(req, match, stageVariables, undefined);
          return { version: "2.0", type: "REQUEST", routeArn: arn, identitySource: identity, ...rest };
        },
      });
      if (outcome.kind === "unauthorized") return UNAUTHORIZED();
      if (outcome.kind === "forbidden") return FORBIDDEN();
      if (outcome.kind === "error") {
        const scope = { front: "http-api" as const, apiId: this.id, stage: req.stage, routeKey: match.routeKey, functionName: target.authorizer.functionName };
        return reportFailure(this.deps.telemetry, scope, outcome.requestId, INTERNAL(), authorizerFailureReason("HTTP", outcome), `Lambda authorizer: ${outcome.detail}`);
      }
      context = outcome.context;
      principalId = outcome.principalId;
    }
    const v1 = target.payloadFormatVersion === "1.0";
    const event = v1
      ? this.v1Event(req, match, stageVariables, context === undefined ? undefined : { ...context, principalId, integrationLatency: 0 })
      : this.v2Event(req, match, stageVariables, context === undefined ? undefined : { lambda: context });
    const out = await invokeIntegration(this.deps.invoker, this.deps.clock, target.functionName, event, target.timeoutMs, { front: "http-api", apiId: this.id, stage: req.stage, routeKey: match.routeKey });
    return this.read(out, v1 ? (p) => payloadV1Answer(p, false) : payloadV2Answer, req, match);
  }

  /** The function's answer, or the one the API gives when the call failed (reported as `http.integration-failed`). */
  private read(out: IntegrationOutcome, parse: (payload: Buffer) => HttpAnswer | MalformedAnswer, req: ApiRequest, match: RouteMatch<RouteTarget>): HttpAnswer {
    const failed = (answer: HttpAnswer, reason: string, detail?: string) =>
      reportFailure(this.deps.telemetry, { front: "http-api", apiId: this.id, stage: req.stage, routeKey: match.routeKey, functionName: match.target.functionName }, out.requestId, answer, reason, detail);
    if (out.kind === "timeout") return failed(TIMED_OUT(), TIMEOUT_REASON, `no answer within the integration timeout (${match.target.timeoutMs} ms)`);
    if (out.kind === "throttled") return failed(INTERNAL(), invocationFailedReason(429), "Lambda throttled the call (TooManyRequestsException)");
    if (out.kind === "failed") return failed(INTERNAL(), invocationFailedReason(out.status), `Lambda refused the call (${out.code})`);
    if (out.functionError) return failed(INTERNAL(), FUNCTION_ERROR_REASON, functionErrorText(out.payload));
    const answer = parse(out.payload);
    return isMalformed(answer) ? failed(INTERNAL(), MALFORMED_REASON, answer.malformed) : answer;
  }

  private v2Event(req: ApiRequest, match: RouteMatch<RouteTarget>, stageVariables: Record<string, string>, authorizer: unknown) {
    const params = match.pathParameters;
    return payloadV2Event(
      // rawPath names the stage for a named stage ("/prod/pets/7"), as API Gateway sends it, and
      // HTTP APIs send it percent-decoded (REST APIs and Function URLs do not): live captures in
      // honojs/hono#2156 ("/RSC/%40id%2F..." arrives as "/RSC/@id/...") and hotsock/voker#8.
      { ...req.http, rawPath: decode(req.stage === "$default" ? req.path : `/${req.stage}${req.path}`) },
      {
        accountId: this.deps.accountId,
        apiId: this.id,
        domainName: req.domainName,
        domainPrefix: this.id,
        requestId: req.extendedRequestId,
        stage: req.stage,
        routeKey: match.routeKey,
        timeEpoch: req.timeEpoch,
        pathParameters: Object.keys(params).length > 0 ? params : undefined,
        stageVariables: Object.keys(stageVariables).length > 0 ? stageVariables : undefined,
        authorizer,
        addedHeaders: forwardedHeaders(req, true),
      },
    );
  }

  private v1Event(req: ApiRequest, match: RouteMatch<RouteTarget>, stageVariables: Record<string, string>, authorizer: Record<string, unknown> | undefined) {
    return payloadV1Event(req.http, {
      accountId: this.deps.accountId,
      apiId: this.id,
      domainName: req.domainName,
      domainPrefix: this.id,
      requestId: req.extendedRequestId,
      extendedRequestId: req.extendedRequestId,
      stage: req.stage,
      resource: match.resourcePath,
      // Decoded on an HTTP API, as rawPath is in 2.0 (above).
      path: decode(req.path),
      pathParameters: match.pathParameters,
      stageVariables,
      timeEpoch: req.timeEpoch,
      // HTTP APIs with payload 1.0 encode bodies as 2.0 does: text types as text, the rest base64.
      binaryBody: !isTextContentType(req.headers.get("content-type")?.[0]),
      authorizer,
      httpApi: { routeKey: match.routeKey },
      // Named as REST APIs name them: `X-Forwarded-For`, `X-Amzn-Trace-Id` (payload-v1.ts).
      addedHeaders: forwardedHeaders(req, false),
    });
  }
}
