import { shown } from "./shown.ts";

// CommonJS exports, not an ES import: building node:http's namespace loads undici (builtin-imports.test.ts).
const { validateHeaderName, validateHeaderValue } = process.getBuiltinModule("node:http");

/**
 * Why a function's headers or cookies cannot go out on HTTP, or undefined when they can: a name
 * that is not an HTTP token (RFC 9110 §5.1: no space, no colon, no non-ASCII), a value or a cookie
 * with a control character (CR and LF above all: a header built from user input with a newline
 * would otherwise split the answer into headers of the caller's choosing). Node refuses to write
 * either, so a front checks them when it reads the answer and answers it as any other malformed
 * answer (API Gateway and Function URLs: 502 or 500, each as for a wrong shape), instead of
 * throwing from writeHead. What AWS itself answers for such a response is not on record (our choice).
 */
export function answerHeadersProblem(headers: Record<string, string | string[]>, cookies: readonly string[]): string | undefined {
  for (const [name, value] of Object.entries(headers)) {
    if (!isToken(name)) return `header name ${shown(name)} is not an HTTP token`;
    for (const v of Array.isArray(value) ? value : [value]) if (!isFieldValue(name, v)) return `header ${name} has a character HTTP does not allow: ${shown(v)}`;
  }
  for (const c of cookies) if (!isFieldValue("set-cookie", c)) return `cookie has a character HTTP does not allow: ${shown(c)}`;
  return undefined;
}

function isToken(name: string): boolean {
  try {
    validateHeaderName(name);
    return true;
  } catch {
    return false;
  }
}

function isFieldValue(name: string, value: string): boolean {
  try {
    validateHeaderValue(name, value);
    return true;
  } catch {
    return false;
  }
}

/**
 * HTTP/2 forbids connection-specific header fields (RFC 9113 §8.2.2: Connection, Keep-Alive,
 * Proxy-Connection, Transfer-Encoding, Upgrade, TE other than "trailers"), and Node throws when
 * one is written on an h2c answer; they only describe the HTTP/1.1 hop, so an h2c answer drops them.
 */
export function withoutConnectionHeaders<T>(headers: Record<string, T>, http2: boolean): Record<string, T> {
  if (!http2) return headers;
  const out: Record<string, T> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (CONNECTION_SPECIFIC.has(lower)) continue;
    // HTTP/2 allows one value of these (Node throws ERR_HTTP2_HEADER_SINGLE_VALUE): the last one, as HTTP/1.1 clients read it (review18 R18-5).
    out[name] = Array.isArray(value) && SINGLE_VALUE.has(lower) ? (value.at(-1) as T) : value;
  }
  return out;
}

/** Node's http2 single-value headers (lib/internal/http2/util.js kSingleValueHeaders). */
const SINGLE_VALUE = new Set([
  ":status", ":method", ":authority", ":scheme", ":path", ":protocol", "access-control-allow-credentials", "access-control-max-age", "access-control-request-method",
  "age", "authorization", "content-encoding", "content-language", "content-length", "content-location", "content-md5", "content-range", "content-type", "date", "dnt",
  "etag", "expires", "from", "host", "if-match", "if-modified-since", "if-none-match", "if-range", "if-unmodified-since", "last-modified", "location", "max-forwards",
  "proxy-authorization", "range", "referer", "retry-after", "tk", "upgrade-insecure-requests", "user-agent", "x-content-type-options",
]);

const CONNECTION_SPECIFIC = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "http2-settings"]);

/** Whether an answer goes out on an h2c stream (Http2ServerResponse has one; HTTP/1.1's has not). */
export function isHttp2Answer(res: object): boolean {
  return (res as { stream?: unknown }).stream !== undefined;
}
