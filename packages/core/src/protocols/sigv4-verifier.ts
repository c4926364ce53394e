import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

/** One access key the simulator accepts (`LAMBDA_SIM_ACCESS_KEY_ID` / `auth.credentials`). */
export interface Credential {
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * Why a request was refused. Each protocol names these its own way (sigv4-errors.ts):
 * `unknown-key` is UnrecognizedClientException / InvalidClientTokenId, `mismatch` and the two
 * clock failures InvalidSignatureException / SignatureDoesNotMatch, `missing` and `incomplete` the
 * MissingAuthenticationToken and IncompleteSignature families.
 */
export type AuthFailure =
  | { kind: "missing" }
  | { kind: "incomplete"; message: string }
  | { kind: "unknown-key" }
  | { kind: "mismatch" }
  | { kind: "expired"; message: string };

/** AWS refuses a signature dated more than 15 minutes from its own clock, either way (SigV4 docs). */
export const MAX_CLOCK_SKEW_MS = 15 * 60_000;

/** What a request's Authorization header or X-Amz-* query parameters say. */
interface SignedParts {
  accessKeyId: string;
  /** `date/region/service/aws4_request`. */
  scope: string;
  scopeDate: string;
  amzDate: string;
  signedHeaders: string[];
  signature: string;
  /** Query-string (presigned) signatures only: seconds from amzDate the URL is valid. */
  expiresSeconds?: number;
}

/**
 * Verifies AWS Signature Version 4 (header and query-string forms) with node:crypto, as AWS
 * computes it: canonical request (method, the path URI-encoded once more per segment, the sorted
 * query, the signed headers, the payload hash), string to sign, HMAC key chain. Time is the wall
 * clock (`now`): clients sign with theirs, so --time-scale and the VirtualClock do not apply.
 */
export class SigV4Verifier {
  private readonly secrets: Map<string, string>;
  private readonly now: () => number;

  constructor(credentials: readonly Credential[], now: () => number) {
    this.secrets = new Map(credentials.map((c) => [c.accessKeyId, c.secretAccessKey]));
    this.now = now;
  }

  /** undefined when the request is signed by a known key, in time; otherwise why not. */
  verify(req: IncomingMessage, body: Buffer): AuthFailure | undefined {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const path = q < 0 ? url : url.slice(0, q);
    const query = q < 0 ? "" : url.slice(q + 1);
    const parts = fromHeader(req.headers.authorization, req.headers) ?? fromQuery(query);
    if (parts === undefined) return { kind: "missing" };
    if ("kind" in parts) return parts;
    const secret = this.secrets.get(parts.accessKeyId);
    if (secret === undefined) return { kind: "unknown-key" };
    const late = this.clockFailure(parts);
    if (late !== undefined) return late;
    const headers = canonicalHeaders(req, parts.signedHeaders);
    if (headers === undefined) return { kind: "incomplete", message: "Authorization header requires existence of every signed header." };
    const declared = header(req, "x-amz-content-sha256");
    const hashes = declared !== undefined ? [declared] : [sha256(body), "UNSIGNED-PAYLOAD"];
    if (declared !== undefined && declared !== "UNSIGNED-PAYLOAD" && declared !== sha256(body)) return { kind: "mismatch" };
    const key = signingKey(secret, parts.scope.split("/"));
    const canonicalQuery = canonicalQueryString(query, parts.expiresSeconds !== undefined);
    for (const payloadHash of hashes) {
      const canonical = [req.method ?? "GET", canonicalPath(path), canonicalQuery, headers, parts.signedHeaders.join(";"), payloadHash].join("\n");
      const toSign = ["AWS4-HMAC-SHA256", parts.amzDate, parts.scope, sha256(canonical)].join("\n");
      const expected = createHmac("sha256", key).update(toSign).digest();
      const given = Buffer.from(parts.signature, "hex");
      if (given.length === expected.length && timingSafeEqual(given, expected)) return undefined;
    }
    return { kind: "mismatch" };
  }

  /** Whether `token` is one of the secret access keys (the /_sim bearer token). */
  knowsSecret(token: string): boolean {
    const given = Buffer.from(token);
    for (const secret of this.secrets.values()) {
      const s = Buffer.from(secret);
      if (s.length === given.length && timingSafeEqual(s, given)) return true;
    }
    return false;
  }

  /** AWS's messages: `Signature expired: <date> is now earlier than <limit> (<now> - 15 min.)`. */
  private clockFailure(parts: SignedParts): AuthFailure | undefined {
    const signedAt = parseAmzDate(parts.amzDate);
    if (signedAt === undefined || !parts.amzDate.startsWith(parts.scopeDate)) {
      return { kind: "incomplete", message: `Date must be in ISO-8601 'basic format'. Got '${parts.amzDate}'. See http://en.wikipedia.org/wiki/ISO_8601` };
    }
    const now = this.now();
    const earliest = now - MAX_CLOCK_SKEW_MS;
    if (parts.expiresSeconds !== undefined && now > signedAt + parts.expiresSeconds * 1000) {
      return { kind: "expired", message: `Signature expired: ${parts.amzDate} is now earlier than ${amzDate(now - parts.expiresSeconds * 1000)} (${amzDate(now)} - ${parts.expiresSeconds} sec.)` };
    }
    if (signedAt < earliest) return { kind: "expired", message: `Signature expired: ${parts.amzDate} is now earlier than ${amzDate(earliest)} (${amzDate(now)} - 15 min.)` };
    if (signedAt > now + MAX_CLOCK_SKEW_MS) {
      return { kind: "expired", message: `Signature not yet current: ${parts.amzDate} is still later than ${amzDate(now + MAX_CLOCK_SKEW_MS)} (${amzDate(now)} + 15 min.)` };
    }
    return undefined;
  }
}

function fromHeader(authorization: string | undefined, headers: IncomingMessage["headers"]): SignedParts | AuthFailure | undefined {
  if (authorization === undefined) return undefined;
  if (!authorization.startsWith("AWS4-HMAC-SHA256 ")) return { kind: "incomplete", message: `Authorization header requires 'AWS4-HMAC-SHA256' algorithm.` };
  const fields = new Map<string, string>();
  for (const part of authorization.slice(17).split(",")) {
    const eq = part.indexOf("=");
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = fields.get("Credential");
  const signedHeaders = fields.get("SignedHeaders");
  const signature = fields.get("Signature");
  const date = headerValue(headers["x-amz-date"]) ?? rfc1123ToAmz(headerValue(headers.date));
  if (credential === undefined || signedHeaders === undefined || signature === undefined || date === undefined) {
    return { kind: "incomplete", message: "Authorization header requires 'Credential', 'Signature', 'SignedHeaders' and a date (X-Amz-Date or Date)." };
  }
  return parts(credential, signedHeaders, signature, date, undefined);
}

function fromQuery(query: string): SignedParts | AuthFailure | undefined {
  if (!query.includes("X-Amz-Signature=")) return undefined;
  const p = new URLSearchParams(query);
  if (p.get("X-Amz-Algorithm") !== "AWS4-HMAC-SHA256") return { kind: "incomplete", message: "X-Amz-Algorithm only supports 'AWS4-HMAC-SHA256'." };
  const credential = p.get("X-Amz-Credential");
  const signedHeaders = p.get("X-Amz-SignedHeaders");
  const signature = p.get("X-Amz-Signature");
  const date = p.get("X-Amz-Date");
  const expires = Number(p.get("X-Amz-Expires") ?? "");
  if (credential === null || signedHeaders === null || signature === null || date === null || !Number.isInteger(expires) || expires < 1) {
    return { kind: "incomplete", message: "AWS query-string parameters must include 'X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-SignedHeaders', 'X-Amz-Date' and 'X-Amz-Expires'." };
  }
  return parts(credential, signedHeaders, signature, date, expires);
}

function parts(credential: string, signedHeaders: string, signature: string, amzDate: string, expiresSeconds: number | undefined): SignedParts | AuthFailure {
  const scope = credential.split("/");
  if (scope.length !== 5 || scope[4] !== "aws4_request") return { kind: "incomplete", message: `Credential should be scoped to a valid region, not '${scope[2] ?? ""}'.` };
  return { accessKeyId: scope[0]!, scope: scope.slice(1).join("/"), scopeDate: scope[1]!, amzDate, signedHeaders: signedHeaders.split(";"), signature, expiresSeconds };
}

/** Each signed header as `name:value`, values trimmed with inner runs of spaces collapsed. */
function canonicalHeaders(req: IncomingMessage, names: string[]): string | undefined {
  let out = "";
  for (const name of names) {
    const v = header(req, name);
    if (v === undefined) return undefined;
    out += `${name}:${v.trim().replace(/\s+/g, " ")}\n`;
  }
  return out;
}

function header(req: IncomingMessage, name: string): string | undefined {
  // HTTP/2 carries the host as :authority.
  if (name === "host") return headerValue(req.headers.host) ?? headerValue(req.headers[":authority"]);
  return headerValue(req.headers[name]);
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(",") : v;
}

/**
 * The path as signed by every service but S3: dot segments and empty segments removed, then each
 * byte URI-encoded again (the SDKs sign the already-encoded path, so `%3A` is signed as `%253A`).
 */
function canonicalPath(path: string): string {
  const segments: string[] = [];
  for (const s of path.split("/")) {
    if (s === "" || s === ".") continue;
    if (s === "..") segments.pop();
    else segments.push(s);
  }
  const normalized = `/${segments.join("/")}${segments.length > 0 && path.endsWith("/") ? "/" : ""}`;
  return uriEncode(normalized).replace(/%2F/g, "/");
}

/** Parameters decoded, re-encoded the RFC 3986 way, sorted by name then value. */
function canonicalQueryString(query: string, presigned: boolean): string {
  if (query === "") return "";
  const pairs: [string, string][] = [];
  for (const part of query.split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const name = decode(eq < 0 ? part : part.slice(0, eq));
    if (presigned && name === "X-Amz-Signature") continue;
    pairs.push([uriEncode(name), uriEncode(decode(eq < 0 ? "" : part.slice(eq + 1)))]);
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join("&");
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    return s; // not valid percent-encoding: signed as sent, then it simply will not match
  }
}

/** encodeURIComponent plus the sub-delimiters it leaves alone (SigV4 encodes all but A-Z a-z 0-9 - _ . ~). */
function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function signingKey(secret: string, scope: string[]): Buffer {
  let key: Buffer | string = `AWS4${secret}`;
  for (const part of scope) key = createHmac("sha256", key).update(part).digest();
  return key as Buffer;
}

function sha256(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

/** `20260101T120000Z` → epoch ms. */
function parseAmzDate(s: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (m === null) return undefined;
  const t = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  return Number.isNaN(t) ? undefined : t;
}

function amzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

/** A `Date: Tue, 01 Jan 2026 12:00:00 GMT` header as an amz date (older signers send only that). */
function rfc1123ToAmz(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : amzDate(t);
}
