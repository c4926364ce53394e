import type { ConcurrencyGovernor } from "../../invocation/concurrency-governor.ts";
import type { FunctionRegistry } from "../../registry/function-registry.ts";
import { unqualifiedFunctionName } from "../../registry/function-names.ts";
import { jsonBody, type RestRoute } from "../../protocols/rest-json.ts";
import { intInRange, validationError } from "./validation.ts";

/** Put/Get/DeleteFunctionConcurrency and GetAccountSettings (aws-facts §4). */
export function concurrencyRoutes(registry: FunctionRegistry, governor: ConcurrencyGovernor): RestRoute[] {
  return [
    {
      method: "PUT",
      path: "/2017-10-31/functions/{FunctionName}/concurrency",
      operation: "PutFunctionConcurrency",
      handler: (req) => {
        const rec = registry.get(unqualifiedFunctionName(req.params.FunctionName!, "PutFunctionConcurrency"));
        const input = jsonBody<{ ReservedConcurrentExecutions?: number }>(req);
        if (input.ReservedConcurrentExecutions === undefined) throw validationError("null", "reservedConcurrentExecutions", "Member must not be null");
        const reserved = intInRange(input.ReservedConcurrentExecutions, "reservedConcurrentExecutions", 0, Number.MAX_SAFE_INTEGER)!;
        governor.setReserved(rec.name, reserved);
        registry.saveReservedConcurrency(rec.name, reserved);
        return { body: { ReservedConcurrentExecutions: reserved } };
      },
    },
    {
      method: "GET",
      path: "/2019-09-30/functions/{FunctionName}/concurrency",
      operation: "GetFunctionConcurrency",
      handler: (req) => {
        const rec = registry.get(unqualifiedFunctionName(req.params.FunctionName!, "GetFunctionConcurrency"));
        return { body: rec.reservedConcurrency === undefined ? {} : { ReservedConcurrentExecutions: rec.reservedConcurrency } };
      },
    },
    {
      method: "DELETE",
      path: "/2017-10-31/functions/{FunctionName}/concurrency",
      operation: "DeleteFunctionConcurrency",
      handler: (req) => {
        const rec = registry.get(unqualifiedFunctionName(req.params.FunctionName!, "DeleteFunctionConcurrency"));
        governor.setReserved(rec.name, undefined);
        registry.saveReservedConcurrency(rec.name, undefined);
        return { status: 204 };
      },
    },
    // The model's path ends with a slash; SDKs send it with or without.
    ...["/2016-08-19/account-settings", "/2016-08-19/account-settings/"].map((path): RestRoute => ({
      method: "GET",
      path,
      operation: "GetAccountSettings",
      handler: () => {
        const functions = registry.list();
        const totalCodeSize = functions.reduce((n, r) => n + r.latest.codeSize + [...r.versions.values()].reduce((m, v) => m + v.codeSize, 0), 0);
        return {
          body: {
            // Code-size quotas as AWS documents them (75 GB storage, 250 MB unzipped, 50 MB zipped).
            AccountLimit: { TotalCodeSize: 80_530_636_800, CodeSizeUnzipped: 262_144_000, CodeSizeZipped: 52_428_800, ...governor.accountLimits() },
            AccountUsage: { TotalCodeSize: totalCodeSize, FunctionCount: functions.length },
          },
        };
      },
    })),
  ];
}
