import type { Source } from "@lambda-sim/core";
import { API_MAX_BODY_BYTES, ApiGatewayFront, EXECUTE_API_HOST_LABEL, EXECUTE_API_PREFIX } from "./api-gateway-front.ts";
import { apiConfigSchema, apiId, type ApiConfig } from "./api-config.ts";
import type { ApiHandler } from "./api-request.ts";
import { HttpApi } from "./http-api.ts";
import { RestApi } from "./rest-api.ts";

/** What `/_sim/state` and the start banner show of one API. */
export interface ApiView {
  name: string;
  id: string;
  protocolType: "REST" | "HTTP";
  /** Base address of each stage, path form and host form. */
  stages: { stage: string; url: string; hostUrl: string }[];
  routes: string[];
  /** The functions its routes call (the start banner suggests invoking others directly). */
  functions: string[];
  /** Its Lambda authorizers' functions: they want an authorizer event, so the banner passes them over too. */
  authorizerFunctions: string[];
}

/**
 * API Gateway in front of functions (issue 18): REST APIs (payload 1.0) and HTTP APIs (payload
 * 2.0) declared under `apis:`, served on the one port at `/_aws/execute-api/{apiId}/{stage}/...`
 * and `{apiId}.execute-api.localhost:PORT/{stage}/...`. Every call to a function goes through the
 * Invoker. The REST/HTTP API control plane (CreateRestApi, CreateApi...) is not simulated.
 */
export const apiGatewaySource: Source<ApiConfig> = {
  name: "apigateway",
  configKey: "apis",
  configSchema: apiConfigSchema,
  migrations: [],
  start(ctx, config) {
    const front = new ApiGatewayFront(ctx.clock, ctx.rng.stream("api-gateway"));
    const deps = { invoker: ctx.invoker, telemetry: ctx.telemetry, clock: ctx.clock, accountId: ctx.accountId, region: ctx.region };
    const routes = new Map<string, string[]>();
    const functions = new Map<string, string[]>();
    const authorizerFunctions = new Map<string, string[]>();
    for (const [name, entry] of Object.entries(config ?? {})) {
      const id = entry.id ?? apiId(ctx.accountId, ctx.region, name);
      const api: ApiHandler = entry.protocolType === "REST" ? new RestApi(name, id, entry, deps) : new HttpApi(name, id, entry, deps);
      front.add(api);
      routes.set(id, Object.keys(entry.routes));
      functions.set(id, [...new Set(Object.values(entry.routes).flatMap((r) => (typeof r === "string" ? [r] : "mock" in r ? [] : [r.functionName])))]);
      authorizerFunctions.set(id, [...new Set(Object.values(entry.authorizers).map((a) => a.functionName))]);
    }
    ctx.router.addFront({ name: "execute-api", pathPrefix: EXECUTE_API_PREFIX, hostLabel: EXECUTE_API_HOST_LABEL, handler: front.handle, maxBodyBytes: API_MAX_BODY_BYTES, refuseTooLarge: front.refuseTooLarge });
    const endpoint = new URL(ctx.endpoint);
    ctx.addStateView("apis", (): ApiView[] =>
      front.list().map((api) => ({
        name: api.name,
        id: api.id,
        protocolType: api.protocolType,
        stages: api.stages.map((stage) => {
          const suffix = stage === "$default" ? "/" : `/${stage}/`;
          return { stage, url: `${ctx.endpoint}${EXECUTE_API_PREFIX}${api.id}${suffix}`, hostUrl: `${endpoint.protocol}//${api.id}.execute-api.localhost:${endpoint.port}${suffix}` };
        }),
        routes: routes.get(api.id) ?? [],
        functions: functions.get(api.id) ?? [],
        authorizerFunctions: authorizerFunctions.get(api.id) ?? [],
      })),
    );
  },
};
