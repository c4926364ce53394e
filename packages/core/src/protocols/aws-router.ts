import type { IncomingMessage, ServerResponse } from "node:http";
import { AwsError, isAwsError } from "../errors/aws-error.ts";
import { describeException } from "../errors/sim-error.ts";
import type { RandomStream } from "../random/rng.ts";
import type { Operation } from "./service-spec.ts";
import { awsJsonHandler, type JsonServiceSpec } from "./aws-json.ts";
import { awsQueryHandler, type QueryServiceSpec } from "./aws-query.ts";
import { RestInputChecks, type RestServiceSpec } from "./rest-input.ts";
import { writeRestJsonError, writeRestJsonResponse, type RestRoute } from "./rest-json.ts";
import { RestRouter } from "./rest-router.ts";
import { signingService, writeUnknownService } from "./signing-service.ts";

/**
 * CreateFunction's request cap in the service's error text (aws-facts §3 "Other"), read of any
 * request at most. AWS names the operation: "Request must be smaller than 70167211 bytes for the
 * UpdateFunctionCode operation" (older reports quote 69905067, the cap before).
 */
export const MAX_REQUEST_BYTES = 70_167_211;

/**
 * Operations whose name in AWS's own error text differs from the API's: Invoke's 413 says "for the
 * InvokeFunction operation" (aws-facts §1, RequestEntityTooLargeException), whatever the body's size.
 */
const INTERNAL_OPERATION_NAMES: Readonly<Record<string, string>> = { Invoke: "InvokeFunction" };

/** Where a request for a service goes once its body is read. */
export type ServiceHandler = (req: IncomingMessage, res: ServerResponse, body: Buffer, requestId: string) => void | Promise<void>;

/** How unsigned requests find a service that registered with `addService`. */
export interface ServiceRouting {
  /** The `X-Amz-Target` prefix before the dot ("Logs_20140328"). */
  targetPrefix?: string;
  /** Request paths (with query string) that belong to the service. */
  paths?: RegExp[];
}

/**
 * An HTTP front on the one port (API Gateway's execute-api, Function URLs), found before any AWS
 * routing by its path prefix (`/_aws/execute-api/`) or a Host containing its label
 * (`.execute-api.`). Its requests are not AWS API calls: no SigV4 check, no service lookup.
 */
export interface HttpFront {
  name: string;
  pathPrefix: string;
  hostLabel: string;
  handler: ServiceHandler;
  /**
   * The most body bytes the front takes (its service's payload limit). Past them `refuseTooLarge`
   * answers at once, with the front's own 413, and the rest of the body is read and dropped, never
   * kept: a 60 MB POST to a 6 MB front costs no 60 MB. Without it, the router's limit and 413 apply.
   */
  maxBodyBytes?: number;
  refuseTooLarge?: ServiceHandler;
}

/** A service on the router: one handler per protocol it speaks, dispatched per request. */
interface Registered {
  /** A whole-service handler (`addService`): it takes every request of the service. */
  handler?: ServiceHandler;
  json?: ServiceHandler;
  /** The operations `json` serves (jsonOperations). */
  jsonOperations?: Readonly<Record<string, Operation>>;
  query?: ServiceHandler;
  rest?: { router: RestRouter; checks: RestInputChecks | undefined; spec: RestServiceSpec | undefined; handler: ServiceHandler };
  paths: RegExp[];
}

/**
 * The front door for every AWS API on the one port (DESIGN.md "The HTTP surface"): routed by the
 * SigV4 credential scope's service, then (unsigned) the `X-Amz-Target` prefix, then the path.
 * Services register themselves, with the protocol front ends in this folder (AWS JSON 1.0/1.1,
 * query/XML, REST-JSON) or with a handler of their own; the router names none of them.
 */
export class AwsRouter {
  private readonly services = new Map<string, Registered>();
  private readonly targets = new Map<string, string>();
  private readonly fronts: { front: HttpFront; registered: Registered }[] = [];
  private readonly ids: RandomStream;
  /** `--auth`: checks every request before its handler; false when it has answered it (sigv4-errors.ts). */
  authenticate: ((req: IncomingMessage, res: ServerResponse, body: Buffer, requestId: string) => boolean) | undefined;
  /**
   * Told of an exception that is not an AwsError out of any handler (a simulator bug: the caller
   * only sees a 500 ServiceException); core-services makes it a `simulator.warning`.
   */
  onInternalError: (message: string) => void = (message) => process.stderr.write(`lambda-sim: ${message}\n`);
  /**
   * Told of each request an HTTP front is handed, just before its handler runs: a scenario's
   * `http` step (cli scenario/http-traffic.ts) keeps its clock still until the server has the
   * request it sent over the socket, so what the request starts happens at the step's instant.
   */
  private readonly frontWatchers = new Set<(req: IncomingMessage, res: ServerResponse) => void>();

  constructor(ids: RandomStream) {
    this.ids = ids;
  }

  private service(name: string): Registered {
    let s = this.services.get(name);
    if (s === undefined) {
      s = { paths: [] };
      this.services.set(name, s);
    }
    return s;
  }

  /** An AWS JSON 1.0/1.1 service (`X-Amz-Target: <prefix>.<Operation>`). */
  addJsonService(spec: JsonServiceSpec): void {
    const s = this.service(spec.signingName);
    s.json = awsJsonHandler(spec);
    s.jsonOperations = spec.operations;
    this.targets.set(spec.targetPrefix, spec.signingName);
  }

  /**
   * The operations of the JSON service registered under `signingName`, if any: a second source
   * serving the same API registers them again with its own added (EventBridge: the schedules
   * source's scheduled rules, then the events source's buses).
   */
  jsonOperations(signingName: string): Readonly<Record<string, Operation>> | undefined {
    return this.services.get(signingName)?.jsonOperations;
  }

  /** A query/XML service; `paths` routes unsigned requests (SQS: a queue URL's path). */
  addQueryService(spec: QueryServiceSpec, paths: RegExp[] = []): void {
    const s = this.service(spec.signingName);
    s.query = awsQueryHandler(spec);
    s.paths.push(...paths);
  }

  /**
   * REST-JSON operations for `service` (the SigV4 signing name, e.g. "lambda"). With a `spec`
   * (model and errors), every input is checked against the model before its handler runs.
   */
  addRestRoutes(service: string, routes: readonly RestRoute[], spec?: RestServiceSpec): void {
    const s = this.service(service);
    if (s.rest === undefined) {
      const rest: NonNullable<Registered["rest"]> = { router: new RestRouter(), checks: undefined, spec: undefined, handler: (rq, res, body, id) => this.handleRest(rest, rq, res, body, id) };
      s.rest = rest;
    }
    if (spec !== undefined) {
      s.rest.spec = spec;
      s.rest.checks = new RestInputChecks(spec);
    }
    for (const r of routes) s.rest.router.add(r);
  }

  /** A whole service with its own protocol handling (the escape hatch for small services). */
  addService(service: string, handler: ServiceHandler, routing: ServiceRouting = {}): void {
    const s = this.service(service);
    s.handler = handler;
    if (routing.targetPrefix !== undefined) this.targets.set(routing.targetPrefix, service);
    s.paths.push(...(routing.paths ?? []));
  }

  /** Calls `watcher` with each request a front is handed (frontWatchers); the function returned stops it. */
  watchFronts(watcher: (req: IncomingMessage, res: ServerResponse) => void): () => void {
    this.frontWatchers.add(watcher);
    return () => this.frontWatchers.delete(watcher);
  }

  /** An HTTP front (DESIGN.md "The HTTP surface": execute-api and lambda-url addresses). */
  addFront(front: HttpFront): void {
    this.fronts.push({ front, registered: { handler: front.handler, paths: [] } });
  }

  private frontFor(req: IncomingMessage): { front: HttpFront; registered: Registered } | undefined {
    const url = req.url ?? "/";
    const host = req.headers.host ?? (req.headers[":authority"] as string | undefined) ?? "";
    for (const f of this.fronts) if (url.startsWith(f.front.pathPrefix) || host.includes(f.front.hostLabel)) return f;
    return undefined;
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const requestId = this.ids.uuid();
    const front = this.fronts.length === 0 ? undefined : this.frontFor(req);
    const name = front !== undefined ? front.front.name : (signingService(req.headers.authorization) ?? this.serviceFromTarget(req.headers["x-amz-target"]) ?? this.serviceFromPath(req.method ?? "GET", req.url ?? "/"));
    const service = front !== undefined ? front.registered : name === undefined ? undefined : this.services.get(name);
    const chunks: Buffer[] = [];
    let size = 0;
    const refuse = front?.front.refuseTooLarge;
    const limit = refuse === undefined ? MAX_REQUEST_BYTES : (front?.front.maxBodyBytes ?? MAX_REQUEST_BYTES);
    req.on("data", (c: Buffer) => {
      const before = size;
      size += c.length;
      if (size <= limit) chunks.push(c);
      else if (before <= limit) {
        chunks.length = 0;
        if (refuse !== undefined) {
          this.frontHanded(req, res);
          this.run(refuse, req, res, EMPTY_BODY, requestId);
        }
      }
    });
    req.on("error", () => res.destroy());
    req.on("end", () => {
      if (size > limit && refuse !== undefined) return;
      if (size > MAX_REQUEST_BYTES) {
        // Only for an over-large body: which operation it is costs a route match.
        const routed = service?.rest?.router.match(req.method ?? "GET", pathOf(req.url ?? "/"))?.route.operation;
        const operation = routed === undefined ? undefined : (INTERNAL_OPERATION_NAMES[routed] ?? routed);
        const e = new AwsError("RequestEntityTooLargeException", 413, `Request must be smaller than ${MAX_REQUEST_BYTES} bytes for the ${operation ?? name ?? "AWS"} operation`, { messageKey: "message" });
        return writeRestJsonError(res, e, requestId);
      }
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      if (front === undefined && this.authenticate !== undefined && !this.authenticate(req, res, body, requestId)) return;
      const handler = service === undefined ? undefined : this.handlerFor(service, req);
      if (handler === undefined) return writeUnknownService(req, res, name, requestId);
      if (front !== undefined) this.frontHanded(req, res);
      this.run(handler, req, res, body, requestId);
    });
  }

  private frontHanded(req: IncomingMessage, res: ServerResponse): void {
    for (const w of this.frontWatchers) w(req, res);
  }

  /** Runs a handler; what it throws (or rejects with) is answered as an internal error. */
  private run(handler: ServiceHandler, req: IncomingMessage, res: ServerResponse, body: Buffer, requestId: string): void {
    try {
      const p = handler(req, res, body, requestId);
      if (p instanceof Promise) p.catch((e: unknown) => this.answerError(req, res, e, requestId));
    } catch (e) {
      this.answerError(req, res, e, requestId);
    }
  }

  /**
   * An exception out of a handler: a 500 in the protocol's shape (ServiceException when it is not
   * an AwsError), or a cut connection once the answer started. A non-AwsError is a simulator bug:
   * it is reported (onInternalError), with where it was thrown, so that it is not silent.
   */
  private answerError(req: IncomingMessage, res: ServerResponse, e: unknown, requestId: string): void {
    if (!isAwsError(e)) this.onInternalError(`internal error answering ${req.method} ${req.url} (request ${requestId}): ${describeException(e)}`);
    if (res.headersSent) return void res.destroy();
    try {
      // A writeHead that threw keeps the reason phrase it set ("200 OK"): the 500 gets its own
      // (HTTP/1.1 only: h2c has no reason phrase, and Node warns when one is set).
      if ((res as { stream?: unknown }).stream === undefined) res.statusMessage = "";
      writeRestJsonError(res, e, requestId);
    } catch {
      // The failed answer left headers this one cannot send either (an h2c answer keeps those
      // set before the throw): the connection is cut, rather than an exception thrown from here.
      res.destroy();
    }
  }

  /** A JSON request names its operation in X-Amz-Target; REST by method and path; else query. */
  private handlerFor(s: Registered, req: IncomingMessage): ServiceHandler | undefined {
    if (s.handler !== undefined) return s.handler;
    if (s.json !== undefined && req.headers["x-amz-target"] !== undefined) return s.json;
    if (s.rest !== undefined && (s.query === undefined || req.method !== "POST" || s.rest.router.match("POST", pathOf(req.url ?? "/")) !== undefined)) return s.rest.handler;
    return s.query ?? s.json;
  }

  private serviceFromTarget(target: string | string[] | undefined): string | undefined {
    if (typeof target !== "string") return undefined;
    const dot = target.lastIndexOf(".");
    return dot < 0 ? undefined : this.targets.get(target.slice(0, dot));
  }

  /** Unsigned requests: the service whose REST routes or registered paths match. */
  private serviceFromPath(method: string, url: string): string | undefined {
    const path = pathOf(url);
    for (const [name, s] of this.services) if (s.rest?.router.match(method, path) !== undefined) return name;
    for (const [name, s] of this.services) if (s.paths.some((p) => p.test(url))) return name;
    // Lambda's REST paths all start with an API date (/2015-03-31/, /2024-08-31/, ...): an operation
    // not served is still Lambda's, and answered as an unknown Lambda operation.
    if (/^\/\d{4}-\d\d-\d\d\//.test(path) && this.services.get("lambda")?.rest !== undefined) return "lambda";
    return undefined;
  }

  private async handleRest(rest: NonNullable<Registered["rest"]>, req: IncomingMessage, res: ServerResponse, body: Buffer, requestId: string): Promise<void> {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const pathname = q < 0 ? url : url.slice(0, q);
    const match = rest.router.match(req.method ?? "GET", pathname);
    if (match === undefined) {
      const e = rest.spec?.errors.unknownOperation(`${req.method} ${pathname}`) ?? new AwsError("UnknownOperationException", 404, `Unknown operation ${req.method} ${pathname}`);
      return writeRestJsonError(res, e, requestId);
    }
    try {
      const request = {
        method: req.method ?? "GET",
        params: match.params,
        query: q < 0 ? NO_QUERY : new URLSearchParams(url.slice(q + 1)),
        headers: req.headers,
        body,
        requestId,
      };
      rest.checks?.check(match.route.operation, request);
      const out = await match.route.handler(request);
      if (out.stream !== undefined) await out.stream(res);
      else writeRestJsonResponse(res, out, requestId);
    } catch (e) {
      this.answerError(req, res, e, requestId);
    }
  }
}

/** Most requests have no query string: one empty, shared instance (operations only read it). */
const NO_QUERY: URLSearchParams = new URLSearchParams();

function pathOf(url: string): string {
  const q = url.indexOf("?");
  return q < 0 ? url : url.slice(0, q);
}

const EMPTY_BODY = Buffer.alloc(0);

