import { answerHeadersProblem } from "./answer-headers.ts";
import type { Prelude, PreludeRules } from "./http-stream-sink.ts";
import { v1Headers } from "./payload-v1.ts";
import { isFinalStatus, isObject, malformed, type HttpAnswer, type MalformedAnswer } from "./payload-v2.ts";
import { shown } from "./shown.ts";

/** "The delimiter must be 8 null bytes and it must appear within the first 16KB of stream data." */
export const REST_PRELUDE_LIMIT = 16 * 1024;
const METADATA_KEYS = new Set(["statusCode", "headers", "multiValueHeaders", "cookies"]);
const DELIMITER = Buffer.alloc(8);

/**
 * How a REST API's Lambda proxy integration in STREAM mode reads the function's stream
 * (HttpStreamSink): every stream must open with JSON metadata and 8 NUL bytes within its first
 * 16 KB, whatever its content type (the function may write them itself, without
 * HttpResponseStream.from); a stream without them, a buffered handler's one-chunk answer among
 * them, is refused with a 500 (the "Stream / function output not in the format / 500" row).
 * A Content-Length in the metadata is kept; without one the body goes chunked. A failure after
 * the status went out cuts the answer off (HttpStreamSink.abort).
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/response-transfer-mode-lambda.html#response-transfer-mode-lambda-format
 */
export const REST_PRELUDE: PreludeRules = {
  always: true,
  within: REST_PRELUDE_LIMIT,
  delimiterRequired: true,
  read: restPrelude,
  // The buffered proxy integration's default (rest-api.ts); what a stream without one gets is not on record (our choice).
  fallbackContentType: "application/json",
  keepContentLength: true,
  endOnFailure: () => false,
};

/**
 * The metadata: valid JSON with only `statusCode` (200 unless given), `headers` (single values),
 * `multiValueHeaders` (lists; a name in both keeps the list) and `cookies`; anything else is
 * malformed.
 */
export function restPrelude(bytes: Buffer): Prelude | MalformedAnswer {
  let v: unknown;
  try {
    v = JSON.parse(bytes.toString("utf8"));
  } catch {
    return malformed("the streamed metadata is not valid JSON");
  }
  if (!isObject(v)) return malformed(`the streamed metadata is not a JSON object: ${shown(v)}`);
  const extra = Object.keys(v).find((k) => !METADATA_KEYS.has(k));
  if (extra !== undefined) return malformed(`unexpected metadata field "${extra}" (allowed: ${[...METADATA_KEYS].join(", ")})`);
  // A numeric string is taken as the buffered integration takes it (payload-v1.ts, our choice).
  const status = v.statusCode === undefined ? 200 : typeof v.statusCode === "string" && /^\d{3}$/.test(v.statusCode) ? Number(v.statusCode) : v.statusCode;
  if (!isFinalStatus(status)) return malformed(`statusCode is not an HTTP status: ${shown(v.statusCode)}`);
  if (isObject(v.headers) && Object.values(v.headers).some((h) => Array.isArray(h))) return malformed(`headers holds a list (multi-value headers go in multiValueHeaders): ${shown(v.headers)}`);
  const read = v1Headers(v.headers, v.multiValueHeaders);
  if ("malformed" in read) return read;
  const headers = read.headers;
  const cookies = v.cookies === undefined || v.cookies === null ? [] : v.cookies;
  if (!Array.isArray(cookies) || cookies.some((c) => typeof c !== "string")) return malformed(`cookies is not a list of strings: ${shown(v.cookies)}`);
  const bad = answerHeadersProblem(headers, cookies as string[]);
  return bad === undefined ? { statusCode: status, headers, cookies: cookies as string[] } : malformed(bad);
}

/**
 * A streaming handler's answer on a BUFFERED route (called with Invoke, its stream arrives whole):
 * "API Gateway returns the HTTP headers and status code but not the response body" (the same
 * page's table). Undefined when the answer has no delimiter: a buffered handler's JSON never
 * holds 8 raw NUL bytes (JSON escapes them), so it is read as the proxy integration reads it.
 */
export function metadataOnlyAnswer(payload: Buffer): HttpAnswer | MalformedAnswer | undefined {
  const end = payload.indexOf(DELIMITER);
  if (end < 0) return undefined;
  const prelude = restPrelude(payload.subarray(0, end));
  if ("malformed" in prelude) return prelude;
  const headers = { ...prelude.headers };
  delete headers["content-length"];
  delete headers["transfer-encoding"];
  return { statusCode: prelude.statusCode, headers, cookies: prelude.cookies, body: Buffer.alloc(0) };
}
