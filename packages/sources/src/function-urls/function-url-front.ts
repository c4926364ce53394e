import type { IncomingMessage, ServerResponse } from "node:http";
import { isAwsError, MAX_SYNC_PAYLOAD, type AuthFailure, type Clock, type FunctionUrlConfig, type FunctionUrls, type Invoker, type RandomStream, type Telemetry } from "@lambda-sim/core";
import { CorsPolicy, withoutCorsHeaders } from "../http/cors.ts";
import { headerValues, httpRequestOf, type HttpRequest } from "../http/http-request.ts";
import { functionErrorText, reportFailure } from "../http/integration.ts";
import { isMalformed, payloadV2Answer, payloadV2Event, type HttpAnswer } from "../http/payload-v2.ts";
import { messageAnswer, writeAnswer } from "../http/write-answer.ts";
import { HttpStreamSink } from "../http/http-stream-sink.ts";
import { URL_PRELUDE } from "./url-prelude.ts";

/** Path form of a Function URL: `/_aws/lambda-url/{urlId}/{path}` (LocalStack's convention). */
export const LAMBDA_URL_PREFIX = "/_aws/lambda-url/";
/** Host form: `{urlId}.lambda-url.{region}.localhost:PORT/{path}`. */
export const LAMBDA_URL_HOST_LABEL = ".lambda-url.";
const HOST_FORM = /^([a-zA-Z0-9]+)\.lambda-url\./;

// The answers Lambda gives itself, as LocalStack recorded them against AWS: an unknown url id is a
// 403 with `{"Message":null}`; a failed function (or an answer that cannot be read) a 502 with
// the text `Internal Server Error`. AWS_IAM refusals are 403 `{"Message":"Forbidden"}`.
const NO_SUCH_URL = messageAnswer(403, '{"Message":null}', { "x-amzn-errortype": "AccessDeniedException" });
const FORBIDDEN = messageAnswer(403, '{"Message":"Forbidden"}', { "x-amzn-errortype": "AccessDeniedException" });
const BAD_GATEWAY: HttpAnswer = { statusCode: 502, headers: { "content-type": "text/plain; charset=utf-8" }, cookies: [], body: Buffer.from("Internal Server Error") };
// Function URLs keep no log of their own; a 502's reason is our wording, as an HTTP API's
// integrationErrorMessage words the same payload 2.0 failures.
const MALFORMED_REASON = "The response from the Lambda function doesn't match the format that Function URLs expect.";
const FUNCTION_ERROR_REASON = "The Lambda function returned an error.";
// Lambda's throttle (429) and payload (413) refusals reach the caller with their status; the
// bodies a Function URL shows for them are not documented (our choice: Lambda's own message).
const refusal = (status: number, message: string) => messageAnswer(status, JSON.stringify({ Message: message }), { "x-amzn-errortype": status === 429 ? "TooManyRequestsException" : "RequestEntityTooLargeException" });
/**
 * A URL's request is an Invoke's payload: 6 MB at most (aws-facts §10.3, BUFFERED and
 * RESPONSE_STREAM alike). A body past it is refused as the Invoker refuses the event, as soon as
 * that many bytes arrived (FunctionUrlFront.refuseTooLarge), not once all of it is in memory.
 */
export const URL_MAX_BODY_BYTES = MAX_SYNC_PAYLOAD;
const TOO_LARGE_MESSAGE = `Request must be smaller than ${MAX_SYNC_PAYLOAD} bytes for the InvokeFunction operation`;

export interface FunctionUrlFrontDeps {
  urls: FunctionUrls;
  invoker: Invoker;
  telemetry: Telemetry;
  clock: Clock;
  ids: RandomStream;
  accountId: string;
  region: string;
  /** With `--auth`: the SigV4 check AWS_IAM URLs apply; without it they answer unsigned requests. */
  verifySignature?: (req: IncomingMessage, body: Buffer) => AuthFailure | undefined;
}

/**
 * Function URLs on the one port (aws-facts §10.3): finds the config by the url id in the path or
 * the Host, answers CORS preflights itself when the URL has CORS, checks AWS_IAM, sends the
 * function a payload format 2.0 event through the Invoker, and reads its answer as 2.0 does
 * (BUFFERED), or passes the streamed bytes on as the function writes them (RESPONSE_STREAM).
 * @see https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html
 */
export class FunctionUrlFront {
  private readonly deps: FunctionUrlFrontDeps;

  constructor(deps: FunctionUrlFrontDeps) {
    this.deps = deps;
  }

  /**
   * A request whose body passed URL_MAX_BODY_BYTES (the router stops reading it into memory):
   * Lambda's 413, as the Invoker answers an event over its limit, or the 403 of an unknown url id.
   */
  readonly refuseTooLarge = (req: IncomingMessage, res: ServerResponse, _body: Buffer, requestId: string): void => {
    const { config } = this.locate(req);
    const front = { "x-amzn-requestid": requestId };
    writeAnswer(res, config === undefined ? NO_SUCH_URL : refusal(413, TOO_LARGE_MESSAGE), front);
  };

  readonly handle = async (req: IncomingMessage, res: ServerResponse, body: Buffer, requestId: string): Promise<void> => {
    const { url, q, path, host, port, rawPath, config } = this.locate(req);
    const front = { "x-amzn-requestid": requestId };
    if (config === undefined) return writeAnswer(res, NO_SUCH_URL, front);
    const http = httpRequestOf(req, rawPath, q < 0 ? "" : url.slice(q + 1), body);
    const headers = headerValues(http.rawHeaders);
    const cors = config.cors === undefined ? undefined : new CorsPolicy(corsEntry(config));
    // With CORS configured, Lambda answers preflights itself, before auth (AWS: "Lambda handles
    // the OPTIONS preflight"); without it an OPTIONS request goes to the function.
    const preflight = cors?.preflight(http.method, headers);
    if (preflight !== undefined) return writeAnswer(res, preflight, front);

    let authorizer: unknown;
    if (config.authType === "AWS_IAM" && this.deps.verifySignature !== undefined) {
      if (this.deps.verifySignature(req, body) !== undefined) return writeAnswer(res, FORBIDDEN, front);
      authorizer = { iam: this.iamIdentity(req) };
    }
    const now = this.deps.clock.now();
    const traceId = `Root=1-${Math.floor(now / 1000).toString(16).padStart(8, "0")}-${this.deps.ids.hex(12)}`;
    const domainName = path.startsWith(LAMBDA_URL_PREFIX) ? `${config.urlId}.lambda-url.${this.deps.region}.localhost${port === undefined ? "" : `:${port}`}` : host;
    const event = payloadV2Event(http, {
      accountId: authorizer === undefined ? "anonymous" : this.deps.accountId,
      apiId: config.urlId,
      domainName,
      domainPrefix: config.urlId,
      requestId,
      stage: "$default",
      routeKey: "$default",
      timeEpoch: now,
      pathParameters: null,
      stageVariables: null,
      authentication: null,
      authorizer,
      addedHeaders: addedHeaders(http, headers, traceId, port),
    });
    const corsHeaders = cors?.responseHeaders(headers.get("origin")?.[0]) ?? {};
    const answerHeaders = { ...front, "x-amzn-trace-id": traceId };
    const scope = { front: "function-url" as const, apiId: config.urlId, stage: "$default", routeKey: "$default", functionName: config.functionName };
    const badGateway = (reason: string, detail: string) => writeAnswer(res, reportFailure(this.deps.telemetry, scope, requestId, BAD_GATEWAY, reason, detail), answerHeaders);
    const sink = config.invokeMode === "RESPONSE_STREAM" ? new HttpStreamSink(res, { ...answerHeaders, ...corsHeaders }, (why) => badGateway(MALFORMED_REASON, why), URL_PRELUDE) : undefined;
    let out;
    try {
      out = await this.deps.invoker.invoke({ functionName: config.functionName, qualifier: config.qualifier, payload: Buffer.from(JSON.stringify(event)), invocationType: "RequestResponse", requestId, responseSink: sink, via: { front: "function-url", apiId: config.urlId, stage: "$default", routeKey: "$default" } });
    } catch (e) {
      if (isAwsError(e) && (e.statusCode === 429 || e.statusCode === 413)) return writeAnswer(res, refusal(e.statusCode, e.message), answerHeaders);
      return badGateway(`Lambda invocation failed with status: ${isAwsError(e) ? e.statusCode : 500}.`, `Lambda refused the call (${isAwsError(e) ? e.code : "ServiceException"})`);
    }
    if (out.kind !== "result" || res.destroyed) return;
    const r = out.result;
    if (sink?.started) {
      // A failure after the status went out can only cut the body short (HttpStreamSink.abort).
      if (r.errorType !== undefined) return res.headersSent ? sink.abort() : badGateway(FUNCTION_ERROR_REASON, functionErrorText(r.payload));
      return sink.finish();
    }
    if (r.errorType !== undefined) return badGateway(FUNCTION_ERROR_REASON, functionErrorText(r.payload));
    const answer = payloadV2Answer(r.payload);
    if (isMalformed(answer)) return badGateway(MALFORMED_REASON, answer.malformed);
    // Configured CORS headers replace the function's own.
    const withCors = cors === undefined ? answer : { ...answer, headers: { ...(withoutCorsHeaders(answer.headers) as Record<string, string>), ...corsHeaders } };
    writeAnswer(res, withCors, answerHeaders);
  };

  /** The URL a request names, by the url id in its path or its Host. */
  private locate(req: IncomingMessage) {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const path = q < 0 ? url : url.slice(0, q);
    const host = req.headers.host ?? (req.headers[":authority"] as string | undefined) ?? "";
    const port = /:(\d+)$/.exec(host)?.[1];
    let urlId: string | undefined;
    let rawPath = path;
    if (path.startsWith(LAMBDA_URL_PREFIX)) {
      const rest = path.slice(LAMBDA_URL_PREFIX.length);
      const slash = rest.indexOf("/");
      urlId = slash < 0 ? rest : rest.slice(0, slash);
      rawPath = slash < 0 ? "/" : rest.slice(slash);
    } else {
      urlId = HOST_FORM.exec(host)?.[1];
    }
    // Domain names are case-insensitive; url ids are lower case.
    const config = urlId === undefined ? undefined : this.deps.urls.byUrlId(urlId.toLowerCase());
    return { url, q, path, host, port, rawPath, config };
  }

  /** `requestContext.authorizer.iam` for a signed request (the caller is the key's own account here). */
  private iamIdentity(req: IncomingMessage): Record<string, unknown> {
    const accessKey = /Credential=([^/]+)\//.exec(req.headers.authorization ?? "")?.[1] ?? new URLSearchParams((req.url ?? "").split("?")[1] ?? "").get("X-Amz-Credential")?.split("/")[0] ?? "";
    const account = this.deps.accountId;
    return { accessKey, accountId: account, callerId: accessKey, cognitoIdentity: null, principalOrgId: null, userArn: `arn:aws:iam::${account}:root`, userId: account };
  }
}

/** The headers Lambda adds to a URL request (aws-facts §10.3), after the client's own. */
function addedHeaders(http: HttpRequest, headers: Map<string, string[]>, traceId: string, port: string | undefined): string[] {
  const added: [string, string][] = [
    ["x-amzn-tls-cipher-suite", "ECDHE-RSA-AES128-GCM-SHA256"],
    ["x-amzn-tls-version", "TLSv1.2"],
    ["x-amzn-trace-id", traceId],
    ["x-forwarded-for", http.sourceIp],
    ["x-forwarded-port", port ?? "80"],
    ["x-forwarded-proto", "http"],
  ];
  return added.filter(([name]) => !headers.has(name)).flat();
}

/** The URL's `Cors` in the shape CorsPolicy reads (HTTP APIs and Function URLs answer CORS alike). */
function corsEntry(config: FunctionUrlConfig) {
  const c = config.cors ?? {};
  return {
    allowOrigins: c.AllowOrigins ?? [],
    allowMethods: c.AllowMethods ?? [],
    allowHeaders: c.AllowHeaders ?? [],
    exposeHeaders: c.ExposeHeaders ?? [],
    maxAge: c.MaxAge,
    allowCredentials: c.AllowCredentials ?? false,
  };
}
