import { lambdaErrors } from "../../errors/lambda-errors.ts";
import type { PermissionInput, ResourcePolicies } from "../../function-urls/resource-policies.ts";
import { jsonBody, type RestRequest, type RestRoute } from "../../protocols/rest-json.ts";
import type { FunctionRegistry } from "../../registry/function-registry.ts";
import { qualifiedFunctionName } from "../../registry/function-names.ts";

/**
 * AddPermission / GetPolicy / RemovePermission: statements are kept per function and qualifier
 * and returned as AWS writes them; they are not evaluated (`lambda:InvokeFunctionUrl` grants from
 * deploy tools are accepted, and a URL answers without them).
 */
export function permissionRoutes(registry: FunctionRegistry, policies: ResourcePolicies): RestRoute[] {
  return [
    {
      method: "POST",
      path: "/2015-03-31/functions/{FunctionName}/policy",
      operation: "AddPermission",
      handler: (req) => {
        const { name, qualifier } = target(req, registry);
        if (qualifier === "$LATEST") throw lambdaErrors.invalidParameterValue("We currently do not support adding policies for $LATEST.");
        const statement = policies.add(name, qualifier, jsonBody<PermissionInput>(req));
        return { status: 201, body: { Statement: JSON.stringify(statement) } };
      },
    },
    {
      method: "GET",
      path: "/2015-03-31/functions/{FunctionName}/policy",
      operation: "GetPolicy",
      handler: (req) => {
        const { name, qualifier } = target(req, registry);
        return { body: policies.get(name, qualifier) };
      },
    },
    {
      method: "DELETE",
      path: "/2015-03-31/functions/{FunctionName}/policy/{StatementId}",
      operation: "RemovePermission",
      handler: (req) => {
        const { name, qualifier } = target(req, registry);
        policies.remove(name, qualifier, req.params.StatementId!);
        return { status: 204 };
      },
    },
  ];
}

/** The function (it must exist) and its version or alias, if one is named (`fn:live` or `?Qualifier=live`). */
function target(req: RestRequest, registry: FunctionRegistry): { name: string; qualifier: string | undefined } {
  const { name, qualifier } = qualifiedFunctionName(req.params.FunctionName!, req.query.get("Qualifier") ?? undefined);
  const rec = registry.get(name);
  if (qualifier !== undefined && qualifier !== "$LATEST" && !rec.versions.has(qualifier) && !rec.aliases.has(qualifier)) {
    throw lambdaErrors.functionNotFound(`${registry.arn(name)}:${qualifier}`);
  }
  return { name, qualifier };
}
