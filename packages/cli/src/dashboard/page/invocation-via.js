// Who made an invocation, in a few words: the label the dashboard's invocation list and
// `lambda-sim tail` give it. Shared by the page and the console (packages/cli/src/console/event-line.ts);
// plain JS, served as it is.

/** `arn:aws:sqs:us-east-1:000000000000:orders` → `sqs:orders` (as the page's sources and tail name a source). */
export function sourceLabel(arn) {
  const p = String(arn).split(":");
  return p.length >= 6 ? `${p[2]}:${p.slice(5).join(":").replace(/^stream\//, "")}` : String(arn);
}

/**
 * The schedule that delivered an invocation, as its rows name it: a scheduled rule as a bus rule is
 * (`events:rule/nightly`), a Scheduler schedule by its name (`schedule:nightly`), with its group
 * when not the default one (`schedule:reports/nightly`).
 */
export function scheduleLabel(arn) {
  const m = /^arn:[^:]+:scheduler:[^:]*:[^:]*:schedule\/([^/]+)\/(.+)$/.exec(String(arn));
  if (m === null) return sourceLabel(arn);
  return `schedule:${m[1] === "default" ? "" : `${m[1]}/`}${m[2]}`;
}

/**
 * An invocation's `via` (telemetry events.ts InvocationVia): `REST GET /long` and `HTTP GET /long`
 * (API Gateway's route key: a REST API's method and resource, an HTTP API's route, `$default`
 * included; `REST GET /long authorizer` for the route's Lambda authorizer), `URL` for a Function URL, a mapping's source as `sqs:orders`; undefined without one
 * (an Invoke call, or an async event: SNS, EventBridge and schedules are named by the page from
 * their delivery events when it has them).
 */
export function viaLabel(via) {
  if (via === undefined || via === null) return undefined;
  if (via.eventSourceArn !== undefined) return sourceLabel(via.eventSourceArn);
  // A route's Lambda authorizer runs before its integration: its own row says so.
  const authorizer = via.authorizer ? " authorizer" : "";
  if (via.front === "rest-api") return `REST ${via.routeKey}${authorizer}`;
  if (via.front === "http-api") return `HTTP ${via.routeKey}${authorizer}`;
  if (via.front === "function-url") return "URL";
  return undefined;
}

/** The full name of a front, as the story and `http.integration-failed`'s line give it. */
export function viaTitle(via) {
  if (via === undefined || via === null) return "";
  if (via.eventSourceArn !== undefined) return `event source mapping from ${via.eventSourceArn}`;
  if (via.front === "function-url") return `function URL ${via.apiId}`;
  return `${via.authorizer ? "the Lambda authorizer of " : ""}${via.front === "rest-api" ? "REST API" : "HTTP API"} ${via.apiId} stage ${via.stage} route ${via.routeKey}`;
}

/**
 * Who made an invocation, for its row: the front and route (`REST GET /long`, `HTTP GET /long`,
 * `URL`), a mapping's source (`sqs:orders`), an SNS topic, EventBridge rule or schedule that
 * delivered it; nothing for an Invoke call. `front`: its `http.integration-failed`, if any.
 */
export function rowVia(s) {
  const v = s.via ?? s.front;
  return { label: viaLabel(v) ?? s.source ?? "", title: v === undefined ? "" : viaTitle(v) };
}
