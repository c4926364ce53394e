import { AwsError } from "../../errors/aws-error.ts";
import type { FunctionRegistry } from "../../registry/function-registry.ts";
import { unqualifiedFunctionName } from "../../registry/function-names.ts";
import { jsonBody, type RestRoute } from "../../protocols/rest-json.ts";

/**
 * Two per-function settings IaC tools read back after creating a function (Terraform's
 * aws_lambda_function reads the code signing config and fails when the operation is missing):
 * - Get/PutFunctionRecursionConfig: RecursiveLoop (Allow or Terminate, AWS's default) is stored
 *   and answered; the loop detection itself (stopping after ~16 rounds of one event chain through
 *   SQS, SNS or S3) is not simulated (README "Not simulated").
 * - Get/Put/DeleteFunctionCodeSigningConfig: code signing configs are not simulated, so no
 *   function has one; a Put names one that cannot exist.
 */
export function functionSettingsRoutes(registry: FunctionRegistry): RestRoute[] {
  return [
    {
      method: "GET",
      path: "/2024-08-31/functions/{FunctionName}/recursion-config",
      operation: "GetFunctionRecursionConfig",
      handler: (req) => {
        const rec = registry.get(unqualifiedFunctionName(req.params.FunctionName!, "GetFunctionRecursionConfig"));
        return { body: { RecursiveLoop: rec.recursiveLoop ?? "Terminate" } };
      },
    },
    {
      method: "PUT",
      path: "/2024-08-31/functions/{FunctionName}/recursion-config",
      operation: "PutFunctionRecursionConfig",
      handler: (req) => {
        const rec = registry.get(unqualifiedFunctionName(req.params.FunctionName!, "PutFunctionRecursionConfig"));
        // The model checks RecursiveLoop (required, Allow or Terminate) before this runs.
        const loop = jsonBody<{ RecursiveLoop: "Allow" | "Terminate" }>(req).RecursiveLoop;
        registry.saveRecursiveLoop(rec.name, loop);
        return { body: { RecursiveLoop: loop } };
      },
    },
    {
      method: "GET",
      path: "/2020-06-30/functions/{FunctionName}/code-signing-config",
      operation: "GetFunctionCodeSigningConfig",
      handler: (req) => {
        const rec = registry.get(unqualifiedFunctionName(req.params.FunctionName!, "GetFunctionCodeSigningConfig"));
        // A function without one: AWS's exact answer is not recorded; the name alone (LocalStack's
        // legacy provider answers nulls), which Terraform reads as "none".
        return { body: { FunctionName: rec.name } };
      },
    },
    {
      method: "PUT",
      path: "/2020-06-30/functions/{FunctionName}/code-signing-config",
      operation: "PutFunctionCodeSigningConfig",
      handler: (req) => {
        registry.get(unqualifiedFunctionName(req.params.FunctionName!, "PutFunctionCodeSigningConfig"));
        const arn = jsonBody<{ CodeSigningConfigArn: string }>(req).CodeSigningConfigArn;
        throw new AwsError("CodeSigningConfigNotFoundException", 404, `The code signing configuration cannot be found. Check that the provided configuration is not deleted: ${arn}.`);
      },
    },
    {
      method: "DELETE",
      path: "/2020-06-30/functions/{FunctionName}/code-signing-config",
      operation: "DeleteFunctionCodeSigningConfig",
      handler: (req) => {
        registry.get(unqualifiedFunctionName(req.params.FunctionName!, "DeleteFunctionCodeSigningConfig"));
        return { status: 204 };
      },
    },
  ];
}
