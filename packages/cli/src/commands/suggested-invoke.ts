import type { ApiView, FunctionUrlView, ScheduleView } from "@lambda-sim/sources";

/** What the start banner's `try:` line invokes: a function, with a payload it is known to accept. */
export interface SuggestedInvoke {
  functionName: string;
  qualifier?: string;
  payload: string;
}

/** What the running simulator says feeds each function (its `/_sim/state` views). */
export interface FunctionFeeds {
  functions: string[];
  mappings?: { functionName: string }[];
  schedules?: ScheduleView[];
  apis?: ApiView[];
  functionUrls?: FunctionUrlView[];
  topics?: TopicFeeds[];
  /** The `buses` view's `list`. */
  buses?: BusFeeds[];
}

/** A topic of the `topics` view: a `lambda` subscription's endpoint is the function's ARN. */
export interface TopicFeeds {
  subscriptions: { protocol: string; endpoint: string }[];
}

/** A bus of the `buses` view: its rules' targets by ARN. */
export interface BusFeeds {
  rules: { targets: { arn: string }[] }[];
}

// `arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`, as schedule targets store them.
const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:[^:]*:[^:]*:function:([^:]+)(?::([^:]+))?$/;

/**
 * The banner's first command must work. A function's code accepts the events its triggers send,
 * and nothing else is known of it, so the suggestion follows the triggers:
 * - a function an enabled schedule or rule invokes with a constant Input: that Input, the very
 *   payload it gets on AWS;
 * - else a function nothing triggers (no mapping, API route or authorizer, function URL, topic
 *   subscription or rule target: each sends its own event shape), called directly by
 *   its users: `{}`, as `aws lambda invoke` sends with no --payload;
 * - else none: every function wants its source's events, which the banner cannot make up (the
 *   README promises never a queue's, an API's, a topic's or a rule's function), and the line
 *   names no function.
 */
export function suggestedInvoke(feeds: FunctionFeeds): SuggestedInvoke | undefined {
  const known = new Set(feeds.functions);
  for (const s of feeds.schedules ?? []) {
    if (s.state !== "ENABLED") continue;
    for (const t of s.inputs) {
      const m = LAMBDA_ARN.exec(t.arn);
      if (m === null || !known.has(m[1]!)) continue;
      return { functionName: m[1]!, ...(m[2] === undefined ? {} : { qualifier: m[2] }), payload: t.input };
    }
  }
  const triggered = new Set([
    ...(feeds.mappings ?? []).map((m) => functionOf(m.functionName)),
    ...(feeds.apis ?? []).flatMap((a) => [...a.functions, ...a.authorizerFunctions].map(functionOf)),
    ...(feeds.functionUrls ?? []).map((u) => functionOf(u.functionName)),
    ...(feeds.schedules ?? []).flatMap((s) => s.targets.map(functionOf)),
    ...(feeds.topics ?? []).flatMap((t) => t.subscriptions.flatMap((s) => (s.protocol === "lambda" ? [functionOf(s.endpoint)] : []))),
    ...(feeds.buses ?? []).flatMap((b) => b.rules.flatMap((r) => r.targets.map((t) => functionOf(t.arn)))),
  ]);
  const direct = feeds.functions.find((f) => !triggered.has(f));
  return direct === undefined ? undefined : { functionName: direct, payload: "{}" };
}

/**
 * The function NAME a trigger names: a Lambda ARN's, or `NAME[:QUALIFIER]`'s (a template's
 * AutoPublishAlias qualifies its routes and mappings); undefined for any other ARN.
 */
function functionOf(ref: string): string | undefined {
  if (ref.startsWith("arn:")) return LAMBDA_ARN.exec(ref)?.[1];
  return ref.split(":")[0];
}

/**
 * The `try:` command line: the payload quoted for a POSIX shell. None without a suggestion: a
 * placeholder (`invoke NAME`) is copied as it is by a newcomer (newuser9 P2-10), and no real
 * function would accept `{}` (each wants its source's events). `cli`: how the user's shell runs lambda-sim (cli-name.ts).
 */
export function suggestedInvokeLine(s: SuggestedInvoke | undefined, endpointArg: string, cli = "lambda-sim"): string | undefined {
  if (s === undefined) return undefined;
  const qualifier = s.qualifier === undefined ? "" : ` --qualifier ${s.qualifier}`;
  return `${cli} invoke ${s.functionName}${qualifier} --payload ${shellQuote(s.payload)} --log${endpointArg}`;
}

/** Single quotes keep everything literal; a single quote inside closes, escapes and reopens them. */
function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
