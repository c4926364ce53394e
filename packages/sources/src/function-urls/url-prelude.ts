import { answerHeadersProblem } from "../http/answer-headers.ts";
import type { Prelude, PreludeRules } from "../http/http-stream-sink.ts";
import { isFinalStatus, isObject, malformed, stringValues, type MalformedAnswer } from "../http/payload-v2.ts";
import { shown } from "../http/shown.ts";

/**
 * How a RESPONSE_STREAM Function URL reads a stream (HttpStreamSink): only a stream announced with
 * HttpResponseStream.from's content type has a prelude (`statusCode`, `headers`, `cookies`); any
 * other is a 200 with the stream's content type. A prelude without its delimiter is read as it came.
 * What cannot be read is left at its default (200, no headers). A prelude that cannot go out (a 1xx
 * status, a header or cookie HTTP cannot carry) is refused, answered as the URL answers a malformed
 * buffered answer (502); what AWS answers then is not on record (our choice).
 * `LAMBDA_SIM_URL_STREAM_FAILURE=end` ends an answer whose function failed mid-stream as if
 * complete instead of cutting it off (read per failure).
 */
export const URL_PRELUDE: PreludeRules = {
  always: false,
  delimiterRequired: false,
  read: urlPrelude,
  keepContentLength: false,
  endOnFailure: () => process.env.LAMBDA_SIM_URL_STREAM_FAILURE === "end",
};

function urlPrelude(bytes: Buffer): Prelude | MalformedAnswer {
  let v: unknown;
  try {
    v = JSON.parse(bytes.toString("utf8"));
  } catch {
    v = {};
  }
  const o = isObject(v) ? v : {};
  const status = typeof o.statusCode === "number" && Number.isInteger(o.statusCode) && o.statusCode >= 100 && o.statusCode <= 599 ? o.statusCode : 200;
  if (!isFinalStatus(status)) return malformed(`the prelude's statusCode is not a final HTTP status: ${shown(status)}`);
  const cookies = Array.isArray(o.cookies) ? o.cookies.filter((c): c is string => typeof c === "string") : [];
  const headers = stringValues(o.headers) ?? {};
  const bad = answerHeadersProblem(headers, cookies);
  return bad === undefined ? { statusCode: status, headers, cookies } : malformed(`the prelude's ${bad}`);
}
