import { compilePattern, isInvalidEventPattern, type EventMatcher } from "@lambda-sim/core";
import { snsErrors } from "./sns-errors.ts";
import type { StoredMessage } from "./sns-store.ts";

export type FilterPolicyScope = "MessageAttributes" | "MessageBody";

/** A subscription's compiled filter policy: true when the message is for it. */
export type FilterPolicy = (message: StoredMessage) => boolean;

/**
 * SNS's filter policy limits (SNS "Filter policy constraints"): at most 256 KB, five keys, and 150
 * combinations of values.
 */
export const MAX_FILTER_POLICY_BYTES = 256 * 1024;
export const MAX_FILTER_POLICY_KEYS = 5;
export const MAX_FILTER_POLICY_COMBINATIONS = 150;

/**
 * The operators EventBridge has and SNS does not: SNS's filter policy operators (SNS "Amazon SNS
 * subscription filter policies") have no `wildcard`; AWS answers it "Unrecognized match type
 * wildcard", as LocalStack's AWS-validated SNS filter policy validator does for any operator
 * outside SNS's list.
 */
const SNS_DIALECT = { unsupportedOperators: ["wildcard"] } as const;

/**
 * Compiles a subscription's FilterPolicy in its FilterPolicyScope (SNS message filtering). The
 * policy is an event pattern, run by core's one event-pattern matcher (EventBridge's rules, less
 * `wildcard`: exact, prefix, suffix, anything-but, numeric, exists, `$or`, equals-ignore-case,
 * cidr), against the message attributes by name (String as text, Number as a number,
 * String.Array as its JSON array; Binary ones match nothing) or against the JSON message body. A
 * policy that is not valid, or over SNS's limits, is InvalidParameter "FilterPolicy: <reason>",
 * after `prefix`: SNS words the reason "Invalid parameter: FilterPolicy: ..." in
 * SetSubscriptionAttributes and "Invalid parameter: Attributes Reason: FilterPolicy: ..." in
 * Subscribe (LocalStack's AWS-validated snapshots, tests/aws/services/sns/test_sns_filter_policy:
 * test_sub_filter_policy_nested_property_constraints and test_validate_policy, recorded 2024-05).
 * `stored`: a policy a subscription already holds, being routed by: SNS's limits and its operator
 * list are checked when a policy is set, so one stored by an older lambda-sim (before they were
 * checked) keeps routing as it did rather than failing every Publish to its topic (review40).
 */
export function compileFilterPolicy(policy: string | undefined, scope: FilterPolicyScope = "MessageAttributes", stored = false, prefix = ""): FilterPolicy | undefined {
  if (policy === undefined || policy.trim() === "" || policy.trim() === "{}") return undefined;
  const invalid = (reason: string) => snsErrors.invalidParameter(`${prefix}FilterPolicy: ${reason}`);
  // Our wording: AWS's answer to a policy over 256 KB is unrecorded.
  if (!stored && Buffer.byteLength(policy) > MAX_FILTER_POLICY_BYTES) throw invalid("Filter policy is too long");
  let match: EventMatcher;
  try {
    const json: unknown = JSON.parse(policy);
    if (scope === "MessageAttributes") refuseNesting(json, prefix);
    // The limits first, as AWS checks them before the operators (LocalStack's validator's order).
    if (!stored) checkLimits(json, invalid);
    match = compilePattern(policy, stored ? undefined : SNS_DIALECT);
  } catch (e) {
    if (e instanceof SyntaxError) throw invalid("failed to parse JSON.");
    // The reason alone, as SNS gives it ("FilterPolicy: Unrecognized match type wrong-operator",
    // same snapshots), without EventBridge's "Event pattern is not valid. Reason: ".
    if (isInvalidEventPattern(e)) throw invalid(e.reason);
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

/**
 * SNS's key and complexity limits, with AWS's wording (LocalStack's AWS-validated validator, and
 * moto's). Keys are the policy's top-level ones, `$or` among them ("for a nested policy, only
 * parent keys are counted"). Combinations multiply the number of values in each array, an array
 * nested n levels deep counting n times its values (the guide's example: four values three levels
 * deep and three values two deep make 3 × 4 × 2 × 3 = 72); `$or` adds up its branches'.
 */
function checkLimits(policy: unknown, invalid: (reason: string) => Error): void {
  if (typeof policy !== "object" || policy === null || Array.isArray(policy)) return;
  if (Object.keys(policy).length > MAX_FILTER_POLICY_KEYS) throw invalid(`Filter policy can not have more than ${MAX_FILTER_POLICY_KEYS} keys`);
  if (combinations(policy as Record<string, unknown>, 1, 1) > MAX_FILTER_POLICY_COMBINATIONS) throw invalid("Filter policy is too complex");
}

function combinations(policy: Record<string, unknown>, depth: number, start: number): number {
  let n = start;
  for (const [key, value] of Object.entries(policy)) {
    if (key === "$or" && Array.isArray(value)) n = value.reduce((sum: number, branch) => sum + (isObject(branch) ? combinations(branch, depth, n) : 0), 0);
    else if (Array.isArray(value)) n *= value.length * depth;
    else if (isObject(value)) n = combinations(value, depth + 1, n);
  }
  return n;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Attributes are flat: a policy on them names each attribute with a list (`$or` branches alike). */
function refuseNesting(policy: unknown, prefix: string): void {
  if (typeof policy !== "object" || policy === null || Array.isArray(policy)) return;
  for (const [key, value] of Object.entries(policy)) {
    if (key === "$or" && Array.isArray(value)) value.forEach((branch) => refuseNesting(branch, prefix));
    else if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      // AWS's wording, without "FilterPolicy: " (the snapshots above: test_sub_filter_policy_nested_property).
      throw snsErrors.invalidParameter(`${prefix}Filter policy scope MessageAttributes does not support nested filter policy`);
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
