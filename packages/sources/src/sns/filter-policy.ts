import { isAwsError, matchesFilters, parseFilterCriteria, parseFilterData, type ParsedFilters } from "@lambda-sim/core";
import { snsErrors } from "./sns-errors.ts";
import type { StoredMessage } from "./sns-store.ts";

export type FilterPolicyScope = "MessageAttributes" | "MessageBody";

/** A subscription's compiled filter policy: true when the message is for it. */
export type FilterPolicy = (message: StoredMessage) => boolean;

/**
 * Compiles a subscription's FilterPolicy in its FilterPolicyScope (SNS message filtering): the
 * policy is an event pattern, matched against the message attributes by name (String as text,
 * Number as a number, String.Array as its JSON array; Binary ones are never matched) or against
 * the JSON message body. Patterns are evaluated by core's event-pattern matcher, the one SQS and
 * Kinesis filter criteria use. An invalid policy is InvalidParameter "FilterPolicy: ...".
 */
export function compileFilterPolicy(policy: string | undefined, scope: FilterPolicyScope = "MessageAttributes"): FilterPolicy | undefined {
  if (policy === undefined || policy.trim() === "" || policy.trim() === "{}") return undefined;
  let filters: ParsedFilters | undefined;
  try {
    filters = parseFilterCriteria({ Filters: [{ Pattern: policy }] });
  } catch (e) {
    if (isAwsError(e)) throw snsErrors.invalidParameter(`FilterPolicy: ${e.message.replace(/\.$/, "")}`);
    throw e;
  }
  if (scope === "MessageBody") {
    return (m) => {
      let body: unknown;
      try {
        body = parseFilterData(m.Message);
      } catch {
        return false; // a body that is not JSON matches no body policy
      }
      return typeof body === "object" && body !== null && !Array.isArray(body) && matchesFilters(filters, body as Record<string, unknown>);
    };
  }
  return (m) => matchesFilters(filters, attributeRecord(m));
}

/** The attributes as the policy sees them: `{ name: value }`, values typed by their DataType. */
function attributeRecord(m: StoredMessage): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, a] of Object.entries(m.MessageAttributes ?? {})) {
    if (a.StringValue === undefined) continue;
    if (a.DataType.startsWith("Number")) out[name] = parseFilterData(String(Number(a.StringValue)));
    else if (a.DataType === "String.Array") {
      try {
        out[name] = parseFilterData(a.StringValue);
      } catch {
        out[name] = a.StringValue;
      }
    } else out[name] = a.StringValue;
  }
  return out;
}
