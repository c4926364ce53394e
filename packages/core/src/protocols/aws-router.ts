import type { IncomingMessage, ServerResponse } from "node:http";
import { AwsError } from "../errors/aws-error.ts";
import type { RandomStream } from "../random/rng.ts";
import { writeRestJsonError, writeRestJsonResponse, type RestRoute } from "./rest-json.ts";
import { RestRouter } from "./rest-router.ts";

/** CreateFunction's request cap in the service's error text (aws-facts §3 "Other"). */
export const MAX_REQUEST_BYTES = 70_167_211;

/** Where a request for a service goes once its body is read. */
export type ServiceHandler = (req: IncomingMessage, res: ServerResponse, body: Buffer, requestId: string) => void | Promise<void>;

/**
 * The front door for every AWS API on the one port (DESIGN.md "The HTTP surface"): routed by the
 * SigV4 credential scope's service, then (for JSON protocols) `X-Amz-Target`, then path. Unsigned
 * requests fall back to the path. Sources register their services here.
 */
export class AwsRouter {
  private readonly rest = new Map<string, RestRouter>();
  private readonly services = new Map<string, ServiceHandler>();
  private readonly ids: RandomStream;
  /** `--auth`: checks every request before its handler; false when it has answered it (sigv4-errors.ts). */
  authenticate: ((req: IncomingMessage, res: ServerResponse, body: Buffer, requestId: string) => boolean) | undefined;

  constructor(ids: RandomStream) {
    this.ids = ids;
  }

  /** Adds REST-JSON operations for `service` (the SigV4 signing name, e.g. "lambda"). */
  addRestRoutes(service: string, routes: readonly RestRoute[]): void {
    let router = this.rest.get(service);
    if (router === undefined) {
      router = new RestRouter();
      this.rest.set(service, router);
      this.services.set(service, (req, res, body, id) => this.handleRest(router!, req, res, body, id));
    }
    for (const r of routes) router.add(r);
  }

  /** Adds a whole service with its own protocol handling (SQS, Kinesis, ...). */
  addService(service: string, handler: ServiceHandler): void {
    this.services.set(service, handler);
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const requestId = this.ids.uuid();
    const service = signingService(req.headers.authorization) ?? serviceFromTarget(req.headers["x-amz-target"]) ?? serviceFromPath(req.url ?? "/");
    const handler = service === undefined ? undefined : this.services.get(service);
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size <= MAX_REQUEST_BYTES) chunks.push(c);
    });
    req.on("error", () => res.destroy());
    req.on("end", () => {
      if (size > MAX_REQUEST_BYTES) {
        const e = new AwsError("RequestEntityTooLargeException", 413, `Request must be smaller than ${MAX_REQUEST_BYTES} bytes for the ${service ?? "AWS"} operation`, { messageKey: "message" });
        return writeRestJsonError(res, e, requestId);
      }
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      if (this.authenticate !== undefined && !this.authenticate(req, res, body, requestId)) return;
      if (handler === undefined) {
        const e = new AwsError("UnknownServiceException", 400, `lambda-sim does not simulate the service '${service ?? "unknown"}' at ${req.url}`);
        return writeRestJsonError(res, e, requestId);
      }
      try {
        const p = handler(req, res, body, requestId);
        if (p instanceof Promise) p.catch((e: unknown) => internalError(res, e, requestId));
      } catch (e) {
        internalError(res, e, requestId);
      }
    });
  }

  private async handleRest(router: RestRouter, req: IncomingMessage, res: ServerResponse, body: Buffer, requestId: string): Promise<void> {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const pathname = q < 0 ? url : url.slice(0, q);
    const match = router.match(req.method ?? "GET", pathname);
    if (match === undefined) {
      const e = new AwsError("UnknownOperationException", 404, `Unknown operation ${req.method} ${pathname}`);
      return writeRestJsonError(res, e, requestId);
    }
    try {
      const out = await match.route.handler({
        method: req.method ?? "GET",
        params: match.params,
        query: new URLSearchParams(q < 0 ? "" : url.slice(q + 1)),
        headers: req.headers,
        body,
        requestId,
      });
      writeRestJsonResponse(res, out, requestId);
    } catch (e) {
      writeRestJsonError(res, e, requestId);
    }
  }
}

function internalError(res: ServerResponse, e: unknown, requestId: string): void {
  if (!res.headersSent) writeRestJsonError(res, e, requestId);
  else res.destroy();
}

/** `AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/lambda/aws4_request, ...` → "lambda". */
export function signingService(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  const i = authorization.indexOf("Credential=");
  if (i < 0) return undefined;
  const end = authorization.indexOf(",", i);
  const scope = authorization.slice(i + 11, end < 0 ? undefined : end).split("/");
  return scope.length >= 5 ? scope[3] : undefined;
}

/** Unsigned JSON-protocol requests name their service in X-Amz-Target. */
function serviceFromTarget(target: string | string[] | undefined): string | undefined {
  if (typeof target !== "string") return undefined;
  if (target.startsWith("AmazonSQS.")) return "sqs";
  if (target.startsWith("Kinesis_")) return "kinesis";
  if (target.startsWith("AWSEvents.")) return "events";
  return undefined;
}

/** The API versions in Lambda's REST paths (botocore lambda 2015-03-31 model). */
const LAMBDA_PATH_VERSIONS = ["/2015-03-31/", "/2014-11-13/", "/2016-08-19/", "/2017-03-31/", "/2017-10-31/", "/2018-10-31/", "/2019-09-25/", "/2019-09-30/", "/2020-04-22/", "/2020-06-30/", "/2021-10-31/", "/2021-11-15/"];

function serviceFromPath(url: string): string | undefined {
  if (LAMBDA_PATH_VERSIONS.some((v) => url.startsWith(v))) return "lambda";
  // A queue URL (`/<account>/<queue>`) is SQS's query protocol.
  if (/^\/\d{12}\/[^/?]+(\?|$)/.test(url)) return "sqs";
  return undefined;
}
