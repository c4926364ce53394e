import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import { busyPoll } from "../clock/busy-poll.ts";
import { AwsError, isAwsError } from "../errors/aws-error.ts";

/** A parsed REST-JSON request, as handed to an operation. */
export interface RestRequest {
  method: string;
  /** Path parameters from the route pattern, URL-decoded (`{FunctionName}`). */
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The request id this response will carry in `x-amzn-RequestId`. */
  requestId: string;
  /** The body already parsed and checked against the model by the router, if it was. */
  json?: Record<string, unknown>;
}

export interface RestResponse {
  status?: number;
  headers?: Record<string, string>;
  /** A JSON-serialisable value, or raw bytes (Invoke's payload) sent as-is. */
  body?: unknown;
  /**
   * A streamed answer (InvokeWithResponseStream): it writes status, headers and body itself. An
   * error it throws before writing anything is answered as any operation's error.
   */
  stream?: (res: ServerResponse) => Promise<void>;
}

export type RestHandler = (req: RestRequest) => Promise<RestResponse> | RestResponse;

export interface RestRoute {
  method: string;
  /** e.g. "/2015-03-31/functions/{FunctionName}/invocations" */
  path: string;
  operation: string;
  handler: RestHandler;
}

/** Parses the body as a JSON object (empty body = {}); anything else is a 400 as the service answers it. */
export function jsonBody<T = Record<string, unknown>>(req: RestRequest): T {
  if (req.json !== undefined) return req.json as T;
  if (req.body.length === 0) return {} as T;
  let parsed: unknown;
  try {
    parsed = JSON.parse(req.body.toString("utf8"));
  } catch {
    throw new AwsError("SerializationException", 400, "Could not parse request body into json");
  }
  // `null`, `[]` or `5` parse, but no operation's input is anything but an object.
  if (!isJsonObject(parsed)) throw new AwsError("SerializationException", 400, "Could not parse request body into json");
  return parsed as T;
}

/** True for a JSON object (not null, not an array): the only shape an AWS request body has. */
export function isJsonObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * REST-JSON error wire format (aws-facts §1.4): status, `x-amzn-ErrorType: <Code>` and a JSON body
 * with the message under the exception's own key and `Type` User/Service.
 */
export function writeRestJsonError(res: ServerResponse, err: unknown, requestId: string): void {
  const e = isAwsError(err) ? err : new AwsError("ServiceException", 500, "An internal error occurred.");
  const body = JSON.stringify({
    Type: e.senderFault ? "User" : "Service",
    ...e.fields,
    [e.messageKey]: e.message,
  });
  res.writeHead(e.statusCode, {
    ...e.headers,
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(body),
    "x-amzn-ErrorType": e.code,
    "x-amzn-RequestId": requestId,
  });
  res.end(body);
}

export function writeRestJsonResponse(res: ServerResponse, out: RestResponse, requestId: string): void {
  const status = out.status ?? 200;
  let payload: Buffer | string | undefined;
  const headers: Record<string, string | number> = { ...out.headers, "x-amzn-RequestId": requestId };
  if (Buffer.isBuffer(out.body)) {
    payload = out.body;
  } else if (out.body !== undefined) {
    payload = JSON.stringify(out.body);
    headers["Content-Type"] ??= "application/json";
  }
  headers["Content-Length"] = payload === undefined ? 0 : Buffer.byteLength(payload);
  res.writeHead(status, headers);
  res.end(payload);
  // A caller invoking in a loop sends its next request within a few tens of µs.
  busyPoll.expect();
}
