import type { ProvisionedConcurrency, ProvisionedConfig } from "../../invocation/provisioned-concurrency.ts";
import type { FunctionRegistry } from "../../registry/function-registry.ts";
import { lambdaErrors } from "../../errors/lambda-errors.ts";
import { qualifiedFunctionName } from "../../registry/function-names.ts";
import { jsonBody, type RestRequest, type RestRoute } from "../../protocols/rest-json.ts";
import { intInRange, validationError } from "./validation.ts";
import { LIST_LIMITS, page } from "./pagination.ts";

const PATH = "/2019-09-30/functions/{FunctionName}/provisioned-concurrency";

/** Put/Get/Delete/ListProvisionedConcurrencyConfig(s) (botocore lambda model, aws-facts §4). */
export function provisionedConcurrencyRoutes(registry: FunctionRegistry, pc: ProvisionedConcurrency): RestRoute[] {
  const shape = (c: ProvisionedConfig) => {
    const out: Record<string, unknown> = {
      RequestedProvisionedConcurrentExecutions: c.requested,
      AvailableProvisionedConcurrentExecutions: pc.available(c),
      AllocatedProvisionedConcurrentExecutions: c.status === "READY" ? c.requested : 0,
      Status: c.status,
      LastModified: c.lastModified,
    };
    if (c.statusReason !== undefined) out.StatusReason = c.statusReason;
    return out;
  };
  return [
    {
      method: "PUT",
      path: PATH,
      operation: "PutProvisionedConcurrencyConfig",
      handler: (req) => {
        const input = jsonBody<{ ProvisionedConcurrentExecutions?: number }>(req);
        if (input.ProvisionedConcurrentExecutions === undefined) throw validationError("null", "provisionedConcurrentExecutions", "Member must not be null");
        const n = intInRange(input.ProvisionedConcurrentExecutions, "provisionedConcurrentExecutions", 1, Number.MAX_SAFE_INTEGER)!;
        const { name, qualifier } = named(req);
        return { status: 202, body: shape(pc.put(name, qualifier, n)) };
      },
    },
    {
      method: "GET",
      path: PATH,
      operation: "GetProvisionedConcurrencyConfig",
      handler: (req) => {
        // ListProvisionedConcurrencyConfigs shares the path, told apart by `List=ALL`.
        if (req.query.get("List") === "ALL") {
          const rec = registry.get(req.params.FunctionName!);
          const item = (c: ProvisionedConfig) => ({ FunctionArn: `${registry.arn(rec.name)}:${c.qualifier}`, ...shape(c) });
          return page(pc.list(rec.name), req, "ProvisionedConcurrencyConfigs", { ...LIST_LIMITS.ListProvisionedConcurrencyConfigs, position: (c) => [c.qualifier] }, item);
        }
        const { name, qualifier } = published(req);
        return { body: shape(pc.get(name, qualifier)) };
      },
    },
    {
      method: "DELETE",
      path: PATH,
      operation: "DeleteProvisionedConcurrencyConfig",
      handler: (req) => {
        const { name, qualifier } = published(req);
        pc.delete(name, qualifier);
        return { status: 204 };
      },
    },
  ];
}

/** FunctionName (`fn:live`, a qualified ARN) and `?Qualifier=` name the version or alias together. */
function named(req: RestRequest): { name: string; qualifier?: string } {
  return qualifiedFunctionName(req.params.FunctionName!, req.query.get("Qualifier") ?? undefined);
}

/** Get/Delete on $LATEST: LocalStack's provider message (AWS's wording unconfirmed). */
function published(req: RestRequest): { name: string; qualifier?: string } {
  const target = named(req);
  if (target.qualifier === "$LATEST") throw lambdaErrors.invalidParameterValue("The function resource provided must be an alias or a published version.");
  return target;
}
