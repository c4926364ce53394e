import type { TemplateResource } from "./template-stack.ts";

type Props = Record<string, unknown>;

/** The API SAM creates for each event type whose events name no API (RestApiId / ApiId). */
export const IMPLICIT_APIS = {
  Api: { logicalId: "ServerlessRestApi", type: "AWS::Serverless::Api", names: "RestApiId" },
  HttpApi: { logicalId: "ServerlessHttpApi", type: "AWS::Serverless::HttpApi", names: "ApiId" },
} as const;

/**
 * The implicit APIs as the resources SAM adds for them (aws-sam-translator, plugins/api/
 * implicit_rest_api_plugin.py and implicit_http_api_plugin.py): an `AWS::Serverless::Api`
 * `ServerlessRestApi` with `StageName: Prod`, an `AWS::Serverless::HttpApi` `ServerlessHttpApi`,
 * added before the Globals are applied, so `Globals: Api` / `Globals: HttpApi` reach them as they
 * reach declared APIs (SAM's globals.rst: "You can use Globals to override all properties of
 * Implicit APIs as well"). The REST API's StageName is set here, so no global changes it:
 * SAM's own note ("customers cannot override StageName with Globals"). A template that
 * declares a resource of that logical id keeps its own. The API gets its functions' Condition
 * when they all have the same one (SAM makes it conditional on theirs).
 */
export function addImplicitApis(resources: Record<string, TemplateResource>): Record<string, TemplateResource> {
  const out = { ...resources };
  for (const [event, api] of Object.entries(IMPLICIT_APIS)) {
    if (api.logicalId in resources) continue;
    const conditions = new Set<string | undefined>();
    for (const r of Object.values(resources)) {
      if (r.Type !== "AWS::Serverless::Function" || !usesImplicit(r.Properties.Events, event, api.names)) continue;
      conditions.add(r.Condition);
    }
    if (conditions.size === 0) continue;
    const condition = conditions.size === 1 ? [...conditions][0] : undefined;
    out[api.logicalId] = { Type: api.type, Properties: event === "Api" ? { StageName: "Prod" } : {}, Condition: condition };
  }
  return out;
}

function usesImplicit(events: unknown, type: string, names: string): boolean {
  if (events === null || typeof events !== "object" || Array.isArray(events)) return false;
  return Object.values(events as Record<string, Props | null>).some((ev) => ev?.Type === type && ((ev.Properties ?? {}) as Props)[names] === undefined);
}
