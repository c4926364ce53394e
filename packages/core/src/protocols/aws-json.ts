import { isUtf8 } from "node:buffer";
import type { IncomingMessage, ServerResponse } from "node:http";
import { busyPoll } from "../clock/busy-poll.ts";
import { isAwsError, type AwsError } from "../errors/aws-error.ts";
import { isJsonObject } from "./rest-json.ts";
import { InputChecks, operationContext } from "./input-checks.ts";
import type { ServiceSpec } from "./service-spec.ts";

export interface JsonServiceSpec extends ServiceSpec {
  /** `X-Amz-Target: <prefix>.<Operation>` ("AmazonSQS", "Kinesis_20131202", "AWSEvents"). */
  targetPrefix: string;
  jsonVersion: "1.0" | "1.1";
  /**
   * awsQueryCompatible services (SQS, aws-facts §7): the legacy code travels in
   * `x-amzn-query-error: <code>;Sender`, which the SDKs read, and `__type` may be namespaced.
   */
  queryCompatible?: { errorType(e: AwsError): string };
  /** Also send the code in `x-amzn-ErrorType` (Kinesis does). */
  errorTypeHeader?: boolean;
  /** A check on the raw request before the body is parsed (Kinesis refuses CBOR). */
  checkRequest?(req: IncomingMessage): void;
}

/**
 * AWS JSON 1.0 and 1.1 (Smithy awsJson1_0/awsJson1_1): `POST /` with `X-Amz-Target`, the input
 * as a JSON object, the output likewise; errors `{"__type": code, "message": text}` with the
 * code's status. Every input is checked against the service's model before its operation runs.
 */
export function awsJsonHandler(spec: JsonServiceSpec) {
  const checks = new InputChecks(spec, false);
  const contentType = `application/x-amz-json-${spec.jsonVersion}`;
  const prefix = `${spec.targetPrefix}.`;
  return async (req: IncomingMessage, res: ServerResponse, body: Buffer, requestId: string): Promise<void> => {
    const target = String(req.headers["x-amz-target"] ?? "");
    const name = target.startsWith(prefix) ? target.slice(prefix.length) : "";
    try {
      spec.checkRequest?.(req);
      const operation = Object.hasOwn(spec.operations, name) ? spec.operations[name] : undefined;
      if (operation === undefined) throw spec.errors.unknownOperation(name || target);
      const input = parseJsonObject(body, spec);
      checks.check(name, input);
      let out = operation(input, operationContext(res, req.headers, requestId));
      if (out instanceof Promise) out = await out;
      const text = JSON.stringify(out ?? {});
      res.writeHead(200, { "Content-Type": contentType, "Content-Length": Buffer.byteLength(text), "x-amzn-RequestId": requestId });
      res.end(text);
      // A caller in a loop (a producer sending, a consumer receiving) sends its next request within tens of µs.
      busyPoll.expect();
    } catch (e) {
      writeJsonError(res, e, requestId, spec, contentType);
    }
  };
}

/** The body as a JSON object ({} when empty); anything else is the service's serialisation error. */
export function parseJsonObject(body: Buffer, spec: Pick<ServiceSpec, "errors">): Record<string, unknown> {
  if (body.length === 0) return {};
  // Decoding would put U+FFFD in place of bad bytes and store it silently.
  if (!isUtf8(body)) throw spec.errors.invalidUtf8?.() ?? spec.errors.serialization("Could not parse the request body as JSON: it is not UTF-8");
  let input: unknown;
  try {
    input = JSON.parse(body.toString("utf8"));
  } catch {
    throw spec.errors.serialization("Could not parse the request body as JSON");
  }
  if (!isJsonObject(input)) throw spec.errors.serialization("Could not parse the request body as JSON: expected an object");
  return input;
}

function writeJsonError(res: ServerResponse, err: unknown, requestId: string, spec: JsonServiceSpec, contentType: string): void {
  if (res.headersSent) return void res.destroy();
  const e = isAwsError(err) ? err : spec.errors.internal();
  const text = JSON.stringify({ __type: spec.queryCompatible?.errorType(e) ?? e.code, message: e.message });
  const headers: Record<string, string | number> = { "Content-Type": contentType, "Content-Length": Buffer.byteLength(text), "x-amzn-RequestId": requestId };
  if (spec.errorTypeHeader) headers["x-amzn-ErrorType"] = e.code;
  if (spec.queryCompatible) headers["x-amzn-query-error"] = `${e.queryCode ?? e.code};${e.senderFault ? "Sender" : "Receiver"}`;
  res.writeHead(e.statusCode, { ...e.headers, ...headers });
  res.end(text);
}

