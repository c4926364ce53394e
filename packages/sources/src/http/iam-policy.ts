import { isObject } from "./payload-v2.ts";

/** What a Lambda authorizer's policy says about one method ARN. */
export type PolicyVerdict = "allow" | "deny" | "explicit-deny";

/**
 * Evaluates the IAM policy a Lambda authorizer returned against the ARN of the method (REST) or
 * route (HTTP) being called: an explicit Deny wins, then an Allow, and nothing matching denies.
 * `Action` must cover `execute-api:Invoke`; `Resource` may use `*` and `?` wildcards. Undefined
 * when the document is not a policy (the authorizer is then misconfigured: 500).
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html
 */
export function evaluatePolicy(policyDocument: unknown, arn: string): PolicyVerdict | undefined {
  if (!isObject(policyDocument)) return undefined;
  const raw = policyDocument.Statement;
  const statements = Array.isArray(raw) ? raw : isObject(raw) ? [raw] : undefined;
  if (statements === undefined) return undefined;
  let allowed = false;
  for (const s of statements) {
    if (!isObject(s)) return undefined;
    const effect = s.Effect;
    if (effect !== "Allow" && effect !== "Deny") return undefined;
    const actions = list(s.Action);
    const resources = list(s.Resource);
    if (actions === undefined || resources === undefined) return undefined;
    if (!actions.some((a) => wildcard(a.toLowerCase(), "execute-api:invoke"))) continue;
    if (!resources.some((r) => wildcard(r, arn))) continue;
    if (effect === "Deny") return "explicit-deny";
    allowed = true;
  }
  return allowed ? "allow" : "deny";
}

function list(v: unknown): string[] | undefined {
  if (typeof v === "string") return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === "string")) return v as string[];
  return undefined;
}

/** IAM's `*` (any run of characters, `/` included) and `?` (one character). */
export function wildcard(pattern: string, value: string): boolean {
  if (!pattern.includes("*") && !pattern.includes("?")) return pattern === value;
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "s");
  return re.test(value);
}

/**
 * `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{resource path}`: the ARN a
 * REST authorizer's policy is checked against (`methodArn`), and an HTTP API's `routeArn`.
 */
export function executeApiArn(region: string, accountId: string, apiId: string, stage: string, method: string, path: string): string {
  return `arn:aws:execute-api:${region}:${accountId}:${apiId}/${stage}/${method}${path.startsWith("/") ? path : `/${path}`}`;
}
