import type { IncomingMessage } from "node:http";

/**
 * One HTTP request as the fronts (API Gateway REST and HTTP APIs, Function URLs) read it, before
 * any payload format: the raw path and query as received, node's raw header list (order and
 * duplicates kept, names as sent), the body bytes. The payload builders (payload-v1.ts,
 * payload-v2.ts) turn it into the event a function receives.
 */
export interface HttpRequest {
  method: string;
  /** The path as received, still percent-encoded ("/my%20path"), without the query. */
  rawPath: string;
  /** What follows the `?`, as received ("" when none). */
  rawQueryString: string;
  /** node's `rawHeaders`: `[name, value, name, value, ...]`, names in the client's case. */
  rawHeaders: readonly string[];
  body: Buffer;
  sourceIp: string;
  /** "HTTP/1.1", "HTTP/2.0". */
  protocol: string;
}

/**
 * The HttpRequest for one request a front took: `rawPath` is the path after the front's own
 * prefix; HTTP/2 pseudo-headers (`:authority`...) are left out of the headers.
 */
export function httpRequestOf(req: IncomingMessage, rawPath: string, rawQueryString: string, body: Buffer): HttpRequest {
  return {
    method: req.method ?? "GET",
    rawPath,
    rawQueryString,
    rawHeaders: req.rawHeaders.filter((_, i, all) => !all[i - (i % 2)]!.startsWith(":")),
    body,
    sourceIp: (req.socket.remoteAddress ?? "127.0.0.1").replace(/^::ffff:/, ""),
    protocol: `HTTP/${req.httpVersion === "2.0" ? "2.0" : req.httpVersion}`,
  };
}

/** Headers by lower-case name, each with its values in arrival order. */
export function headerValues(rawHeaders: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const list = out.get(name);
    if (list === undefined) out.set(name, [rawHeaders[i + 1]!]);
    else list.push(rawHeaders[i + 1]!);
  }
  return out;
}

/** The first value of one header, case-insensitive. */
export function headerValue(rawHeaders: readonly string[], name: string): string | undefined {
  const lower = name.toLowerCase();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) if (rawHeaders[i]!.toLowerCase() === lower) return rawHeaders[i + 1];
  return undefined;
}

/**
 * Query parameters by name, each with its values in order, percent-decoded. Undecodable escapes
 * are kept as written, and `+` stays `+`: API Gateway's exact treatment of both is not documented
 * (our choice).
 */
export function queryValues(rawQueryString: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (rawQueryString === "") return out;
  for (const pair of rawQueryString.split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const name = decode(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? "" : decode(pair.slice(eq + 1));
    const list = out.get(name);
    if (list === undefined) out.set(name, [value]);
    else list.push(value);
  }
  return out;
}

export function decode(s: string): string {
  if (!s.includes("%")) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * Whether a request body travels base64-encoded in the event. HTTP APIs and Function URLs send
 * text media types as they are and base64-encode the rest (including form posts, as AWS's Function
 * URL launch post shows); a body without a content type is treated as binary (our choice: AWS does
 * not document it).
 * @see https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-payloads
 */
export function isTextContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const type = contentType.split(";", 1)[0]!.trim().toLowerCase();
  return type.startsWith("text/") || TEXT_TYPES.has(type) || type.endsWith("+json") || type.endsWith("+xml");
}

const TEXT_TYPES = new Set(["application/json", "application/javascript", "application/xml"]);

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** API Gateway's `requestTime` / `time`: "12/Mar/2020:19:03:58 +0000" (always UTC). */
export function requestTime(epochMs: number): string {
  const d = new Date(epochMs);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}
