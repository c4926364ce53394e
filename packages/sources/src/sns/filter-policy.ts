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
    match = compilePattern(policy);
  } catch (e) {
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
