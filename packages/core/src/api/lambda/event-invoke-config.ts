import { lambdaErrors } from "../../errors/lambda-errors.ts";
import type { EventInvokeConfig, EventInvokeConfigs } from "../../registry/event-invoke-configs.ts";
import type { FunctionRegistry } from "../../registry/function-registry.ts";
import { parseFunctionName, qualifiedFunctionName } from "../../registry/function-names.ts";
import { jsonBody, type RestRequest, type RestRoute } from "../../protocols/rest-json.ts";
import { LIST_LIMITS, page } from "./pagination.ts";
import { intInRange } from "./validation.ts";

const P = "/2019-09-25/functions/{FunctionName}/event-invoke-config";

interface ConfigInput {
  MaximumRetryAttempts?: number;
  MaximumEventAgeInSeconds?: number;
  DestinationConfig?: { OnSuccess?: { Destination?: string }; OnFailure?: { Destination?: string } };
}

/**
 * Put/Update/Get/List/DeleteFunctionEventInvokeConfig (REST-JSON, botocore lambda 2019-09-25
 * paths), per function ($LATEST), version or alias. Messages as LocalStack's AWS-validated
 * snapshots record them (test_lambda_api TestLambdaEventInvokeConfig).
 */
export function eventInvokeConfigRoutes(registry: FunctionRegistry, configs: EventInvokeConfigs): RestRoute[] {
  const write = (req: RestRequest, replace: boolean) => {
    const input = jsonBody<ConfigInput>(req);
    const retries = intInRange(input.MaximumRetryAttempts, "maximumRetryAttempts", 0, 2);
    const age = intInRange(input.MaximumEventAgeInSeconds, "maximumEventAgeInSeconds", 60, 21_600);
    if (retries === undefined && age === undefined && input.DestinationConfig === undefined) {
      throw lambdaErrors.invalidParameterValue("You must specify at least one of error handling or destination setting.");
    }
    const { name, qualifier } = target(registry, req, "The function doesn't exist.");
    if (!replace && configs.get(name, qualifier) === undefined) throw missing(registry, name, qualifier);
    const config = configs.save(name, qualifier, { maximumRetryAttempts: retries, maximumEventAgeInSeconds: age, onSuccess: input.DestinationConfig?.OnSuccess?.Destination, onFailure: input.DestinationConfig?.OnFailure?.Destination }, replace);
    return { body: shape(registry, config) };
  };
  const existing = (req: RestRequest) => {
    const { name, qualifier } = target(registry, req, undefined);
    const config = configs.get(name, qualifier);
    if (config === undefined) throw missing(registry, name, qualifier);
    return config;
  };
  return [
    { method: "PUT", path: P, operation: "PutFunctionEventInvokeConfig", handler: (req) => write(req, true) },
    { method: "POST", path: P, operation: "UpdateFunctionEventInvokeConfig", handler: (req) => write(req, false) },
    { method: "GET", path: P, operation: "GetFunctionEventInvokeConfig", handler: (req) => ({ body: shape(registry, existing(req)) }) },
    {
      method: "DELETE",
      path: P,
      operation: "DeleteFunctionEventInvokeConfig",
      handler: (req) => {
        const config = existing(req);
        configs.remove(config.functionName, config.qualifier);
        return { status: 204 };
      },
    },
    {
      method: "GET",
      path: `${P}/list`,
      operation: "ListFunctionEventInvokeConfigs",
      handler: (req) => {
        const name = parseFunctionName(req.params.FunctionName!).name;
        if (!registry.has(name)) throw lambdaErrors.resourceNotFound("The function doesn't exist.");
        return page(configs.list(name), req, "FunctionEventInvokeConfigs", { ...LIST_LIMITS.ListFunctionEventInvokeConfigs, position: (c) => [c.qualifier] }, (c) => shape(registry, c));
      },
    },
  ];
}

/**
 * FunctionName (name, `name:qualifier`, ARN) plus the Qualifier query → function and qualifier
 * ($LATEST when none). A version or alias that does not exist is a ResourceNotFoundException.
 */
function target(registry: FunctionRegistry, req: RestRequest, notFound: string | undefined): { name: string; qualifier: string } {
  const parsed = qualifiedFunctionName(req.params.FunctionName!, req.query.get("Qualifier") ?? undefined);
  const qualifier = parsed.qualifier ?? "$LATEST";
  const rec = registry.has(parsed.name) ? registry.get(parsed.name) : undefined;
  const exists = rec !== undefined && (qualifier === "$LATEST" || rec.versions.has(qualifier) || rec.aliases.has(qualifier));
  if (!exists) throw notFound !== undefined ? lambdaErrors.resourceNotFound(notFound) : missing(registry, parsed.name, qualifier);
  return { name: parsed.name, qualifier };
}

function missing(registry: FunctionRegistry, name: string, qualifier: string) {
  return lambdaErrors.resourceNotFound(`The function ${registry.arn(name)}:${qualifier} doesn't have an EventInvokeConfig`);
}

/** FunctionEventInvokeConfig: LastModified is a timestamp (epoch seconds on REST-JSON). */
function shape(registry: FunctionRegistry, c: EventInvokeConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {
    LastModified: c.lastModified / 1000,
    FunctionArn: `${registry.arn(c.functionName)}:${c.qualifier}`,
    DestinationConfig: {
      OnSuccess: c.onSuccess === undefined ? {} : { Destination: c.onSuccess },
      OnFailure: c.onFailure === undefined ? {} : { Destination: c.onFailure },
    },
  };
  if (c.maximumRetryAttempts !== undefined) out.MaximumRetryAttempts = c.maximumRetryAttempts;
  if (c.maximumEventAgeInSeconds !== undefined) out.MaximumEventAgeInSeconds = c.maximumEventAgeInSeconds;
  return out;
}
