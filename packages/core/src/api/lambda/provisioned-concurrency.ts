import type { ProvisionedConcurrency, ProvisionedConfig } from "../../invocation/provisioned-concurrency.ts";
import type { FunctionRegistry } from "../../registry/function-registry.ts";
import { jsonBody, type RestRoute } from "../../protocols/rest-json.ts";
import { intInRange, validationError } from "./validation.ts";

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
        return { status: 202, body: shape(pc.put(req.params.FunctionName!, req.query.get("Qualifier") ?? undefined, n)) };
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
          const configs = pc.list(rec.name).map((c) => ({ FunctionArn: `${registry.arn(rec.name)}:${c.qualifier}`, ...shape(c) }));
          return { body: { ProvisionedConcurrencyConfigs: configs } };
        }
        return { body: shape(pc.get(req.params.FunctionName!, req.query.get("Qualifier") ?? undefined)) };
      },
    },
    {
      method: "DELETE",
      path: PATH,
      operation: "DeleteProvisionedConcurrencyConfig",
      handler: (req) => {
        pc.delete(req.params.FunctionName!, req.query.get("Qualifier") ?? undefined);
        return { status: 204 };
      },
    },
  ];
}
