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
}

// `arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`, as schedule targets store them.
const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:[^:]*:[^:]*:function:([^:]+)(?::([^:]+))?$/;

/**
 * The banner's first command must work. A function's code accepts the events its triggers send,
 * and nothing else is known of it, so the suggestion follows the triggers:
 * - a function an enabled schedule or rule invokes with a constant Input: that Input, the very
 *   payload it gets on AWS;
 * - else a function nothing triggers (no mapping, API route or function URL), called directly by
 *   its users: `{}`, as `aws lambda invoke` sends with no --payload;
 * - else the first function with `{}` (a queue or stream consumer wants its source's events: the
 *   banner cannot make one up).
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
    ...(feeds.mappings ?? []).map((m) => m.functionName),
    ...(feeds.apis ?? []).flatMap((a) => a.functions),
    ...(feeds.functionUrls ?? []).map((u) => u.functionName),
    ...(feeds.schedules ?? []).flatMap((s) => s.targets.map((arn) => LAMBDA_ARN.exec(arn)?.[1])),
  ]);
  const direct = feeds.functions.find((f) => !triggered.has(f)) ?? feeds.functions[0];
  return direct === undefined ? undefined : { functionName: direct, payload: "{}" };
}

/** The `try:` command line: the payload quoted for a POSIX shell. */
export function suggestedInvokeLine(s: SuggestedInvoke | undefined, endpointArg: string): string {
  if (s === undefined) return `lambda-sim invoke NAME --payload '{}' --log${endpointArg}`;
  const qualifier = s.qualifier === undefined ? "" : ` --qualifier ${s.qualifier}`;
  return `lambda-sim invoke ${s.functionName}${qualifier} --payload ${shellQuote(s.payload)} --log${endpointArg}`;
}

/** Single quotes keep everything literal; a single quote inside closes, escapes and reopens them. */
function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
