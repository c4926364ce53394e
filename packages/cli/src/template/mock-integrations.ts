import { unevaluatedVtl } from "@lambda-sim/sources";
import { TemplateError, type TemplatePath } from "./intrinsics.ts";
import { defined, type Translation } from "./translation.ts";

type Props = Record<string, unknown>;

/** One integration response as both forms write it: its selection pattern (`default` for none) and what it answers. */
export interface MockResponse {
  pattern: string;
  statusCode: unknown;
  responseParameters: unknown;
  responseTemplates: unknown;
}

/**
 * A REST API method's MOCK integration as lambda-sim.yaml's `{ mock }` route (api-config.ts), from
 * an OpenAPI `x-amazon-apigateway-integration` of type mock or an `AWS::ApiGateway::Method`'s
 * `Integration: { Type: MOCK }`. What the simulator does not do of it is listed at start: mapping
 * templates' VTL beyond literal text and a few references, and response parameters other than
 * `'literal'` values (a mock has no integration headers or body to map from).
 */
export function mockRoute(t: Translation, logicalId: string, key: string, requestTemplates: unknown, passthroughBehavior: unknown, responses: MockResponse[], at: TemplatePath): Props {
  const templates = (v: unknown, where: TemplatePath): Record<string, string> => {
    if (v === undefined || v === null) return {};
    if (typeof v !== "object" || Array.isArray(v)) throw new TemplateError(where, "expected a map of media types to mapping templates");
    return Object.fromEntries(Object.entries(v as Props).map(([type, tpl]) => [type, tpl === null || tpl === undefined ? "" : String(tpl)]));
  };
  const request = templates(requestTemplates, [...at, "requestTemplates"]);
  const out: Record<string, Props> = {};
  const unevaluated = new Set<string>();
  for (const tpl of Object.values(request)) {
    const what = unevaluatedVtl(tpl);
    if (what !== undefined) unevaluated.add(what);
  }
  for (const r of responses) {
    const parameters = (r.responseParameters ?? {}) as Props;
    for (const [name, value] of Object.entries(parameters)) {
      if (!/^method\.response\.header\./.test(name) || !/^'.*'$/s.test(String(value))) t.notSimulated.push(`${logicalId} ${key} response parameter ${name}: ${String(value)} (a mock's response parameters are simulated for 'literal' header values only)`);
    }
    const response = templates(r.responseTemplates, [...at, "responses", r.pattern, "responseTemplates"]);
    for (const tpl of Object.values(response)) {
      const what = unevaluatedVtl(tpl);
      if (what !== undefined) unevaluated.add(what);
    }
    // The first response for a pattern counts (two with the same pattern: our choice, API Gateway keeps one).
    out[r.pattern] ??= defined({
      statusCode: r.statusCode === undefined ? undefined : String(r.statusCode),
      responseParameters: Object.fromEntries(Object.entries(parameters).map(([k, v]) => [k, String(v)])),
      responseTemplates: response,
    });
  }
  for (const what of unevaluated) t.notSimulated.push(`${logicalId} ${key} mapping template: ${what} (not evaluated, written out as is: lambda-sim evaluates literal text, $context variables, $stageVariables and $input.params() only)`);
  return { mock: defined({ requestTemplates: request, passthroughBehavior: passthroughBehavior === undefined ? undefined : String(passthroughBehavior).toUpperCase(), responses: out }) };
}
