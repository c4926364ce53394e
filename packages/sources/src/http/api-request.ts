import type { ServerResponse } from "node:http";
import type { Clock, Invoker, Telemetry } from "@lambda-sim/core";
import { decode, type HttpRequest } from "./http-request.ts";
import type { IdentitySource, LambdaAuthorizer } from "./lambda-authorizer.ts";
import type { HttpAnswer } from "./payload-v2.ts";

/** One request for an API, once the front has found the API and the stage. */
export interface ApiRequest {
  http: HttpRequest;
  stage: string;
  /** The raw path after the stage ("/pets/7"; "/" at the stage's root). */
  path: string;
  /** Headers by lower-case name (all values). */
  headers: Map<string, string[]>;
  /** What the API's event names as `domainName` ("abc123def4.execute-api.localhost:3001"). */
  domainName: string;
  requestId: string;
  /** API Gateway's own id for the request (`extendedRequestId`, `apigw-requestid`). */
  extendedRequestId: string;
  /** `x-amzn-trace-id` as API Gateway adds it to the request and the response. */
  traceId: string;
  timeEpoch: number;
  /** The body passed the APIs' payload limit: the front stopped reading it (`http.body` is empty). */
  bodyTooLarge?: boolean;
  /** The client's response: a STREAM integration writes to it as the function streams. */
  res: ServerResponse;
}

/** What a REST or HTTP API answers, with the headers API Gateway adds to every answer. */
export interface ApiAnswer {
  answer: HttpAnswer;
  headers: Record<string, string>;
}

/** The API wrote its answer to the client itself, as the function streamed it (a REST STREAM integration). */
export interface StreamedAnswer {
  streamed: true;
}

export interface ApiDeps {
  invoker: Invoker;
  telemetry: Telemetry;
  clock: Clock;
  accountId: string;
  region: string;
}

/** A route's integration, compiled from the config. */
export interface RouteTarget {
  functionName: string;
  authorizer: LambdaAuthorizer | undefined;
  payloadFormatVersion: "1.0" | "2.0";
  timeoutMs: number;
  /** REST APIs: STREAM passes the function's streamed answer on as it comes (rest-stream.ts). */
  responseTransferMode?: "BUFFERED" | "STREAM";
}

/** The front's handler for one API (a REST API or an HTTP API). */
export interface ApiHandler {
  readonly id: string;
  readonly name: string;
  readonly protocolType: "REST" | "HTTP";
  /** Declared stage names. */
  readonly stages: readonly string[];
  handle(req: ApiRequest): Promise<ApiAnswer | StreamedAnswer>;
}

/** The value of an identity source for one request; header values as the event shows them. */
export function identityLookup(req: ApiRequest, stageVariables: Record<string, string>, routeKey: string): (s: IdentitySource) => string | undefined {
  return (s) => {
    switch (s.where) {
      case "header":
        return req.headers.get(s.name.toLowerCase())?.join(",");
      case "querystring": {
        for (const pair of req.http.rawQueryString.split("&")) {
          const eq = pair.indexOf("=");
          if ((eq < 0 ? pair : pair.slice(0, eq)) === s.name) return eq < 0 ? "" : decode(pair.slice(eq + 1));
        }
        return undefined;
      }
      case "stageVariables":
        return stageVariables[s.name];
      case "context":
        return ({ stage: req.stage, routeKey, httpMethod: req.http.method, requestId: req.requestId, sourceIp: req.http.sourceIp } as Record<string, string>)[s.name];
    }
  };
}

/** Headers API Gateway adds to the request it passes on (the client's own come first). */
export function forwardedHeaders(req: ApiRequest, lowerCase: boolean): string[] {
  const port = /:(\d+)$/.exec(req.domainName)?.[1] ?? "80";
  const names = lowerCase ? ["x-amzn-trace-id", "x-forwarded-for", "x-forwarded-port", "x-forwarded-proto"] : ["X-Amzn-Trace-Id", "X-Forwarded-For", "X-Forwarded-Port", "X-Forwarded-Proto"];
  const out: string[] = [];
  const values = [req.traceId, req.http.sourceIp, port, "http"];
  names.forEach((n, i) => {
    if (!req.headers.has(n.toLowerCase())) out.push(n, values[i]!);
  });
  return out;
}
