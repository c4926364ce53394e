import type { ServerResponse } from "node:http";
import { isHttp2Answer, withoutConnectionHeaders } from "./answer-headers.ts";
import type { HttpAnswer } from "./payload-v2.ts";

/**
 * Sends an answer read from a function (or one the front makes itself, a 403 or a 502) to the
 * client: its headers, one `set-cookie` per cookie, and the body with its length. `extra` headers
 * (the front's own, such as `apigw-requestid`) go first, so the function's may replace them.
 * A 204 or 304 goes without body or Content-Length (RFC 9110 §8.6: a 204 has no Content-Length;
 * a 304's would be the representation's, not this answer's), whatever the function put in them.
 */
export function writeAnswer(res: ServerResponse, answer: HttpAnswer, extra?: Record<string, string>): void {
  const headers: Record<string, string | string[]> = { ...extra };
  for (const [name, value] of Object.entries(answer.headers)) headers[name.toLowerCase()] = value;
  if (answer.cookies.length > 0) {
    const earlier = headers["set-cookie"];
    headers["set-cookie"] = earlier === undefined ? [...answer.cookies] : [...(Array.isArray(earlier) ? earlier : [earlier]), ...answer.cookies];
  }
  // The front computes the length itself; a function's transfer headers would corrupt the framing.
  delete headers["transfer-encoding"];
  delete headers["connection"];
  const bodiless = answer.statusCode === 204 || answer.statusCode === 304;
  if (bodiless) delete headers["content-length"];
  else headers["content-length"] = String(answer.body.length);
  res.writeHead(answer.statusCode, withoutConnectionHeaders(headers, isHttp2Answer(res)));
  res.end(bodiless ? undefined : answer.body);
}

/**
 * A JSON answer the front makes itself, `body` written exactly as API Gateway writes it (REST APIs
 * put a space after the colon in some and not in others: see the constants where they are used).
 */
export function messageAnswer(statusCode: number, body: string, headers: Record<string, string> = {}): HttpAnswer {
  return { statusCode, headers: { "content-type": "application/json", ...headers }, cookies: [], body: Buffer.from(body, "utf8") };
}
