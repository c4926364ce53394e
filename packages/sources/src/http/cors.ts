import type { CorsEntry } from "./api-config.ts";
import type { HttpAnswer } from "./payload-v2.ts";

/**
 * An HTTP API's CORS configuration, answered as HTTP APIs answer it: a preflight (OPTIONS with
 * Origin and Access-Control-Request-Method) is answered by API Gateway itself, 204, whether or not
 * an OPTIONS route exists and before any authorizer; other responses from an allowed origin get
 * the configured CORS headers, replacing any the function set.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html
 */
export class CorsPolicy {
  private readonly config: CorsEntry;

  constructor(config: CorsEntry) {
    this.config = config;
  }

  /** The preflight answer, or undefined when the request is not a preflight. */
  preflight(method: string, headers: Map<string, string[]>): HttpAnswer | undefined {
    const origin = headers.get("origin")?.[0];
    const requested = headers.get("access-control-request-method")?.[0];
    if (method !== "OPTIONS" || origin === undefined || requested === undefined) return undefined;
    const out: Record<string, string> = {};
    const allowOrigin = this.allowedOrigin(origin);
    if (allowOrigin !== undefined) {
      out["access-control-allow-origin"] = allowOrigin;
      const methods = this.config.allowMethods;
      if (methods.length > 0) out["access-control-allow-methods"] = methods.includes("*") ? requested : methods.join(",");
      const requestedHeaders = headers.get("access-control-request-headers")?.[0];
      const allowHeaders = this.config.allowHeaders;
      if (allowHeaders.length > 0) out["access-control-allow-headers"] = allowHeaders.includes("*") && requestedHeaders !== undefined ? requestedHeaders : allowHeaders.join(",");
      if (this.config.maxAge !== undefined) out["access-control-max-age"] = String(this.config.maxAge);
      if (this.config.allowCredentials) out["access-control-allow-credentials"] = "true";
    }
    return { statusCode: 204, headers: out, cookies: [], body: Buffer.alloc(0) };
  }

  /** The CORS headers for a response to a request from `origin` (none when not allowed). */
  responseHeaders(origin: string | undefined): Record<string, string> {
    if (origin === undefined) return {};
    const allowOrigin = this.allowedOrigin(origin);
    if (allowOrigin === undefined) return {};
    const out: Record<string, string> = { "access-control-allow-origin": allowOrigin };
    if (this.config.exposeHeaders.length > 0) out["access-control-expose-headers"] = this.config.exposeHeaders.join(",");
    if (this.config.allowCredentials) out["access-control-allow-credentials"] = "true";
    return out;
  }

  private allowedOrigin(origin: string): string | undefined {
    const allowed = this.config.allowOrigins;
    if (allowed.includes("*")) return "*";
    return allowed.some((o) => o.toLowerCase() === origin.toLowerCase()) ? origin : undefined;
  }
}

/** Drops the function's own CORS headers before the configured ones go on (AWS replaces them). */
export function withoutCorsHeaders(headers: Record<string, string | string[]>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) if (!name.toLowerCase().startsWith("access-control-")) out[name] = value;
  return out;
}
