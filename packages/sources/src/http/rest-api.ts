import type { ApiEntry } from "./api-config.ts";
import { forwardedHeaders, identityLookup, type ApiAnswer, type ApiDeps, type ApiHandler, type ApiRequest, type RouteTarget, type StreamedAnswer } from "./api-request.ts";
import { executeApiArn } from "./iam-policy.ts";
import { functionError, invokeIntegration, reportFailure } from "./integration.ts";
import { authorizerFailureReason, LambdaAuthorizer } from "./lambda-authorizer.ts";
import { TEMPLATE_CONTEXT_VARIABLES } from "./mapping-template.ts";
import { isBinaryMediaType, payloadV1Answer, payloadV1Event, payloadV1RequestContext, type PayloadV1Context } from "./payload-v1.ts";
import { MockIntegration } from "./mock-integration.ts";
import { isMalformed, type HttpAnswer } from "./payload-v2.ts";
import { streamRestIntegration, STREAM_DEFAULT_TIMEOUT_MS } from "./rest-stream.ts";
import { metadataOnlyAnswer } from "./rest-stream-prelude.ts";
import { RouteTable, type RouteMatch } from "./route-table.ts";
import { AUTHORIZER_FAILED, BAD_RESPONSE, DENIED, EXPLICIT_DENY, functionErrorReason, INTEGRATION_FAILED, invocationFailedReason, MALFORMED_REASON, MISSING_TOKEN, TIMED_OUT, TIMEOUT_REASON, TOO_LARGE, UNAUTHORIZED } from "./rest-answers.ts";

/** REST API payload limit: 10 MB. https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html */
export const REST_MAX_PAYLOAD = 10 * 1024 * 1024;
/** The integration timeout's default: 29 s (same page). */
export const REST_DEFAULT_TIMEOUT_MS = 29_000;

/** A route answered by API Gateway itself (a MOCK integration), behind the route's authorizer if any. */
interface MockTarget {
  mock: MockIntegration;
  authorizer: LambdaAuthorizer | undefined;
}

/**
 * A REST API with Lambda proxy integrations (payload 1.0) and mock integrations: routes matched with API Gateway's
 * precedence, 403 `Missing Authentication Token` where nothing matches, TOKEN and REQUEST
 * authorizers, binary media types, the 29 s integration timeout and the 10 MB payload limit; a
 * route with `responseTransferMode: STREAM` streams the function's answer instead (rest-stream.ts).
 */
export class RestApi implements ApiHandler {
  readonly protocolType = "REST" as const;
  readonly stages: readonly string[];
  private readonly routes = new RouteTable<(RouteTarget & { mock?: undefined }) | MockTarget>();
  private readonly stageVariables: Record<string, Record<string, string>>;

  readonly name: string;
  readonly id: string;
  private readonly entry: ApiEntry;
  private readonly deps: ApiDeps;

  constructor(name: string, id: string, entry: ApiEntry, deps: ApiDeps) {
    this.name = name;
    this.id = id;
    this.entry = entry;
    this.deps = deps;
    const stages = entry.stages ?? { Prod: { stageVariables: {} } };
    this.stages = Object.keys(stages);
    this.stageVariables = Object.fromEntries(Object.entries(stages).map(([s, v]) => [s, v.stageVariables]));
    const authorizers = new Map(Object.entries(entry.authorizers).map(([n, a]) => [n, new LambdaAuthorizer(a, "REST", deps)]));
    for (const [key, route] of Object.entries(entry.routes)) {
      const r = typeof route === "string" ? { functionName: route } : route;
      const authorizer = r.authorizer === undefined || r.authorizer === "NONE" ? undefined : authorizers.get(r.authorizer);
      if (r.authorizer !== undefined && r.authorizer !== "NONE" && authorizer === undefined) throw new Error(`apis.${name}.routes.${key}.authorizer: no authorizer ${r.authorizer} in apis.${name}.authorizers`);
      if ("mock" in r) {
        this.routes.add(key, { mock: new MockIntegration(r.mock), authorizer });
        continue;
      }
      const stream = r.responseTransferMode === "STREAM";
      const timeoutMs = r.timeoutInMillis ?? entry.timeoutInMillis ?? (stream ? STREAM_DEFAULT_TIMEOUT_MS : REST_DEFAULT_TIMEOUT_MS);
      this.routes.add(key, { functionName: r.functionName, authorizer, payloadFormatVersion: "1.0", timeoutMs, responseTransferMode: stream ? "STREAM" : "BUFFERED" });
    }
  }

  async handle(req: ApiRequest): Promise<ApiAnswer | StreamedAnswer> {
    const headers = { "x-amzn-RequestId": req.requestId, "x-amz-apigw-id": req.extendedRequestId, "X-Amzn-Trace-Id": req.traceId };
    const answer = await this.answer(req, headers);
    return answer === "streamed" ? { streamed: true } : { answer, headers };
  }

  private async answer(req: ApiRequest, front: Record<string, string>): Promise<HttpAnswer | "streamed"> {
    if (req.bodyTooLarge === true || req.http.body.length > REST_MAX_PAYLOAD) return TOO_LARGE();
    const match = this.routes.match(req.http.method, req.path);
    if (match === undefined) return MISSING_TOKEN();
    const stageVariables = this.stageVariables[req.stage] ?? {};
    const target = match.target;
    let authorizer: Record<string, unknown> | undefined;
    if (target.authorizer !== undefined) {
      const started = this.deps.clock.now();
      const arn = executeApiArn(this.deps.region, this.deps.accountId, this.id, req.stage, req.http.method, req.path);
      const outcome = await target.authorizer.authorize({
        arn,
        via: { front: "rest-api", apiId: this.id, stage: req.stage, routeKey: match.routeKey, authorizer: true },
        lookup: identityLookup(req, stageVariables, match.routeKey),
        requestEvent: () => {
          const { body: _b, isBase64Encoded: _i, ...rest } = this.event(req, match, stageVariables, undefined);
          return { type: "REQUEST", methodArn: arn, ...rest, ...emptyMapsAsObjects(rest) };
        },
      });
      if (outcome.kind === "unauthorized") return UNAUTHORIZED();
      if (outcome.kind === "forbidden") return outcome.explicit ? EXPLICIT_DENY() : DENIED();
      if (outcome.kind === "error") {
        // Printed like every 5xx the API makes itself (H2), naming the authorizer's function and call.
        const scope = { front: "rest-api" as const, apiId: this.id, stage: req.stage, routeKey: match.routeKey, functionName: target.authorizer.functionName };
        return reportFailure(this.deps.telemetry, scope, outcome.requestId, AUTHORIZER_FAILED(), authorizerFailureReason("REST", outcome), `Lambda authorizer: ${outcome.detail}`);
      }
      authorizer = { ...outcome.context, principalId: outcome.principalId, integrationLatency: this.deps.clock.now() - started };
    }
    if (target.mock !== undefined) return this.mockAnswer(req, target.mock, match, stageVariables);
    const event = this.event(req, match, stageVariables, authorizer);
    const via = { front: "rest-api" as const, apiId: this.id, stage: req.stage, routeKey: match.routeKey };
    if (target.responseTransferMode === "STREAM") {
      const scope = { ...via, functionName: target.functionName };
      const lowerFront = Object.fromEntries(Object.entries(front).map(([k, v]) => [k.toLowerCase(), v]));
      await streamRestIntegration({ invoker: this.deps.invoker, telemetry: this.deps.telemetry, functionName: target.functionName, event, timeoutMs: target.timeoutMs, via, scope, res: req.res, front: lowerFront });
      return "streamed";
    }
    const out = await invokeIntegration(this.deps.invoker, this.deps.clock, target.functionName, event, target.timeoutMs, via);
    const failed = (answer: HttpAnswer, reason: string, detail?: string) =>
      reportFailure(this.deps.telemetry, { front: "rest-api", apiId: this.id, stage: req.stage, routeKey: match.routeKey, functionName: target.functionName }, out.requestId, answer, reason, detail);
    if (out.kind === "timeout") return failed(TIMED_OUT(), TIMEOUT_REASON, `no answer within the integration timeout (${target.timeoutMs} ms)`);
    if (out.kind === "throttled") return failed(INTEGRATION_FAILED(), invocationFailedReason("429"), "Lambda throttled the call (TooManyRequestsException)");
    if (out.kind === "failed") return failed(INTEGRATION_FAILED(), invocationFailedReason(String(out.status)), `Lambda refused the call (${out.code})`);
    if (out.functionError) {
      const e = functionError(out.payload);
      return failed(BAD_RESPONSE(), functionErrorReason(e.errorMessage, out.requestId), e.errorType);
    }
    // A base64 body becomes bytes only when the client accepts a binary media type.
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/lambda-proxy-binary-media.html
    // "API Gateway honors only the first Accept media type" (api-gateway-payload-encodings.html).
    const accept = req.headers.get("accept")?.join(",").split(",", 1)[0];
    const answer = metadataOnlyAnswer(out.payload) ?? payloadV1Answer(out.payload, isBinaryMediaType(accept, this.entry.binaryMediaTypes));
    if (isMalformed(answer)) return failed(BAD_RESPONSE(), MALFORMED_REASON, answer.malformed);
    // An answer without a content type goes out as application/json, as the Lambda proxy
    // integration sends it (LocalStack #6170, checked against AWS; newuser10 N3-1).
    if (!Object.keys(answer.headers).some((h) => h.toLowerCase() === "content-type")) answer.headers["content-type"] = "application/json";
    return answer;
  }

  /** A mock integration's answer; its templates see the request's context, stage variables and parameters. */
  private mockAnswer(req: ApiRequest, mock: MockIntegration, match: RouteMatch<unknown>, stageVariables: Record<string, string>): HttpAnswer {
    const lookup = identityLookup(req, stageVariables, match.routeKey);
    // The request's context as the Lambda proxy event has it (its path with the stage, ...).
    const requestContext = payloadV1RequestContext(req.http, this.v1Context(req, match, stageVariables, undefined));
    const context = Object.fromEntries(TEMPLATE_CONTEXT_VARIABLES.map((name) => [name, String(requestContext[name])]));
    return mock.answer({
      contentType: req.headers.get("content-type")?.[0],
      accept: req.headers.get("accept")?.join(","),
      body: req.http.body,
      scope: {
        context,
        stageVariables,
        // Path, then query string, then header (the mapping template reference's order for $input.params(x)).
        param: (name) => match.pathParameters[name] ?? lookup({ where: "querystring", name }) ?? lookup({ where: "header", name }),
      },
    });
  }

  private event(req: ApiRequest, match: RouteMatch<unknown>, stageVariables: Record<string, string>, authorizer: Record<string, unknown> | undefined): Record<string, unknown> {
    return payloadV1Event(req.http, this.v1Context(req, match, stageVariables, authorizer));
  }

  private v1Context(req: ApiRequest, match: RouteMatch<unknown>, stageVariables: Record<string, string>, authorizer: Record<string, unknown> | undefined): PayloadV1Context {
    return {
      accountId: this.deps.accountId,
      apiId: this.id,
      domainName: req.domainName,
      domainPrefix: this.id,
      requestId: req.requestId,
      extendedRequestId: req.extendedRequestId,
      stage: req.stage,
      resource: match.resourcePath,
      path: req.path,
      pathParameters: match.pathParameters,
      stageVariables,
      timeEpoch: req.timeEpoch,
      binaryBody: isBinaryMediaType(req.headers.get("content-type")?.[0], this.entry.binaryMediaTypes),
      authorizer,
      addedHeaders: forwardedHeaders(req, false),
    };
  }
}

/** The proxy event's maps that are null when empty, and `{}` in a REST REQUEST authorizer's event. */
const REQUEST_AUTHORIZER_MAPS = ["queryStringParameters", "multiValueQueryStringParameters", "pathParameters", "stageVariables"] as const;

/**
 * A REST REQUEST authorizer gets `{}` where the proxy event has null: a request without a query
 * string, on a route without path parameters, in a stage without variables. AWS's capture of one
 * (dreamorosi in aws-powertools/powertools-lambda-python#4536, kept as powertools-lambda-typescript's
 * tests/events/apigw-rest/authorizer-request.json) has all four `{}`, as the "Input to an API Gateway
 * Lambda authorizer" example has `"pathParameters": {}`; the proxy event keeps null (payload-v1.ts).
 */
function emptyMapsAsObjects(event: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(REQUEST_AUTHORIZER_MAPS.filter((k) => event[k] === null).map((k) => [k, {}]));
}
