import { compilePattern, isInvalidEventPattern, type EventMatcher } from "@lambda-sim/core";
import { snsErrors } from "./sns-errors.ts";
import type { StoredMessage } from "./sns-store.ts";

export type FilterPolicyScope = "MessageAttributes" | "MessageBody";

/** A subscription's compiled filter policy: true when the message is for it. */
export type FilterPolicy = (message: StoredMessage) => boolean;

/**
 * Compiles a subscription's FilterPolicy in its FilterPolicyScope (SNS message filtering). The
 * policy is an event pattern, run by core's one event-pattern matcher (EventBridge's rules:
 * exact, prefix, suffix, anything-but, numeric, exists, `$or`, equals-ignore-case, cidr, ...),
 * against the message attributes by name (String as text, Number as a number, String.Array as
 * its JSON array; Binary ones match nothing) or against the JSON message body. A policy that is
 * not valid is InvalidParameter "FilterPolicy: <reason>".
 */
export function compileFilterPolicy(policy: string | undefined, scope: FilterPolicyScope = "MessageAttributes"): FilterPolicy | undefined {
  if (policy === undefined || policy.trim() === "" || policy.trim() === "{}") return undefined;
  let match: EventMatcher;
  try {
    if (scope === "MessageAttributes") refuseNesting(JSON.parse(policy));
    match = compilePattern(policy);
  } catch (e) {
    if (e instanceof SyntaxError) throw snsErrors.invalidParameter("FilterPolicy: failed to parse JSON.");
    if (isInvalidEventPattern(e)) throw snsErrors.invalidParameter(`FilterPolicy: ${e.message}`);
    throw e;
  }
  if (scope === "MessageBody") {
    return (m) => {
      try {
        return match(JSON.parse(m.Message));
      } catch {
        return false; // a body that is not JSON matches no body policy
      }
    };
  }
  return (m) => match(attributeRecord(m));
}

/** Attributes are flat: a policy on them names each attribute with a list (`$or` branches alike). */
function refuseNesting(policy: unknown): void {
  if (typeof policy !== "object" || policy === null || Array.isArray(policy)) return;
  for (const [key, value] of Object.entries(policy)) {
    if (key === "$or" && Array.isArray(value)) value.forEach(refuseNesting);
    else if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      // AWS's wording (SNS message filtering, attribute-based policies).
      throw snsErrors.invalidParameter("FilterPolicy: Filter policy scope MessageAttributes does not support nested filter policy");
    }
  }
}

/** The attributes as a policy sees them: `{ name: value }`, values typed by their DataType. */
function attributeRecord(m: StoredMessage): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, a] of Object.entries(m.MessageAttributes ?? {})) {
    if (a.StringValue === undefined) continue;
    if (a.DataType.startsWith("Number")) out[name] = Number(a.StringValue);
    else if (a.DataType === "String.Array") out[name] = parseArray(a.StringValue);
    else out[name] = a.StringValue;
  }
  return out;
}

function parseArray(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
