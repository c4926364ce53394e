// The /_sim bearer token (`lambda-sim start --auth`). Loaded by client commands too
// (`@lambda-sim/core/sim-token`), so it imports nothing but node:crypto.
import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * The token that opens `/_sim` (the dashboard, `lambda-sim tail`, `clock`, `faults`) for whoever
 * holds the secret access key `secret`: derived from it, so the address `start` prints with it and
 * the token a browser keeps open the simulator's own API but cannot sign AWS requests (which run
 * code: CreateFunction). The same secret always gives the same token; another secret, another.
 * base64url, so it fits where a browser can put it: a WebSocket subprotocol (`bearer.<token>`).
 */
export function simToken(secret: string): string {
  return `lsim_${createHmac("sha256", secret).update("lambda-sim /_sim bearer token v1").digest("base64url")}`;
}

/** Whether `given` is one of `tokens`, in time that does not depend on where they differ. */
export function isOneOf(given: string, tokens: readonly string[]): boolean {
  const g = Buffer.from(given);
  let found = false;
  for (const t of tokens) {
    const b = Buffer.from(t);
    if (b.length === g.length && timingSafeEqual(b, g)) found = true;
  }
  return found;
}

/** The WebSocket subprotocol that carries the token where a browser cannot set Authorization. */
export const BEARER_PROTOCOL_PREFIX = "bearer.";
