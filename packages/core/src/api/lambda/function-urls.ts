import { lambdaErrors } from "../../errors/lambda-errors.ts";
import type { Cors, FunctionUrlConfig, FunctionUrlDefinition, FunctionUrls } from "../../function-urls/function-urls.ts";
import { jsonBody, type RestRequest, type RestRoute } from "../../protocols/rest-json.ts";
import type { FunctionRegistry } from "../../registry/function-registry.ts";
import { parseFunctionName, qualifiedFunctionName } from "../../registry/function-names.ts";
import { LIST_LIMITS, page } from "./pagination.ts";
import { validationError } from "./validation.ts";

const PATH = "/2021-10-31/functions/{FunctionName}/url";
/** The model's FunctionUrlQualifier pattern: an alias, never `$LATEST` or a version number. */
const QUALIFIER_PATTERN = "((?!^\\d+$)^[0-9a-zA-Z-_]+$)";
const FUNCTION_MISSING = "Function does not exist";
const RESOURCE_MISSING = "The resource you requested does not exist.";

/**
 * Create/Get/Update/Delete/ListFunctionUrlConfigs (botocore lambda 2015-03-31; messages as AWS
 * words them, recorded in LocalStack's snapshots). `urlOf` turns a url id into the address this
 * simulator serves it at (`http://<id>.lambda-url.<region>.localhost:<port>/`).
 */
export function functionUrlRoutes(registry: FunctionRegistry, urls: FunctionUrls, urlOf: (urlId: string) => string): RestRoute[] {
  const shape = (u: FunctionUrlConfig, withModified = true) => {
    const out: Record<string, unknown> = { FunctionUrl: urlOf(u.urlId), FunctionArn: registry.arn(u.functionName) + (u.qualifier === undefined ? "" : `:${u.qualifier}`), AuthType: u.authType };
    if (u.cors !== undefined) out.Cors = u.cors;
    out.CreationTime = u.creationTime;
    if (withModified) out.LastModifiedTime = u.lastModifiedTime;
    out.InvokeMode = u.invokeMode;
    return out;
  };
  return [
    {
      method: "POST",
      path: PATH,
      operation: "CreateFunctionUrlConfig",
      handler: (req) => {
        const { name, qualifier } = target(req, registry, FUNCTION_MISSING);
        const body = jsonBody<{ AuthType: FunctionUrlDefinition["authType"]; InvokeMode?: FunctionUrlDefinition["invokeMode"]; Cors?: Cors }>(req);
        const u = urls.create(name, qualifier, { authType: body.AuthType, invokeMode: body.InvokeMode, cors: body.Cors });
        return { status: 201, body: shape(u, false) };
      },
    },
    {
      method: "GET",
      path: PATH,
      operation: "GetFunctionUrlConfig",
      handler: (req) => {
        const { name, qualifier } = target(req, registry, RESOURCE_MISSING);
        return { body: shape(urls.get(name, qualifier)) };
      },
    },
    {
      method: "PUT",
      path: PATH,
      operation: "UpdateFunctionUrlConfig",
      handler: (req) => {
        const { name, qualifier } = target(req, registry, FUNCTION_MISSING);
        const body = jsonBody<{ AuthType?: FunctionUrlDefinition["authType"]; InvokeMode?: FunctionUrlDefinition["invokeMode"]; Cors?: Cors }>(req);
        return { body: shape(urls.update(name, qualifier, { authType: body.AuthType, invokeMode: body.InvokeMode, cors: body.Cors })) };
      },
    },
    {
      method: "DELETE",
      path: PATH,
      operation: "DeleteFunctionUrlConfig",
      handler: (req) => {
        const { name, qualifier } = target(req, registry, RESOURCE_MISSING);
        urls.delete(name, qualifier);
        return { status: 204 };
      },
    },
    {
      method: "GET",
      path: "/2021-10-31/functions/{FunctionName}/urls",
      operation: "ListFunctionUrlConfigs",
      handler: (req) => {
        const { name } = parseFunctionName(req.params.FunctionName!);
        if (!registry.has(name)) throw lambdaErrors.resourceNotFound(FUNCTION_MISSING);
        // The unqualified function's URL first, then its aliases'.
        return page(urls.list(name), req, "FunctionUrlConfigs", { ...LIST_LIMITS.ListFunctionUrlConfigs, position: (u) => (u.qualifier === undefined ? [0] : [1, u.qualifier]) }, shape);
      },
    },
  ];
}

/** The function and alias a URL operation names (`name`, `name:alias`, an ARN, or `?Qualifier=`). */
function target(req: RestRequest, registry: FunctionRegistry, missing: string): { name: string; qualifier: string | undefined } {
  const parsed = qualifiedFunctionName(req.params.FunctionName!, req.query.get("Qualifier") ?? undefined);
  const qualifier = parsed.qualifier;
  if (qualifier !== undefined && !new RegExp(QUALIFIER_PATTERN).test(qualifier)) {
    throw validationError(qualifier, "qualifier", `Member must satisfy regular expression pattern: ${QUALIFIER_PATTERN}`);
  }
  if (!registry.has(parsed.name)) throw lambdaErrors.resourceNotFound(missing);
  if (qualifier !== undefined && !registry.get(parsed.name).aliases.has(qualifier)) throw lambdaErrors.resourceNotFound(FUNCTION_MISSING);
  return { name: parsed.name, qualifier };
}
