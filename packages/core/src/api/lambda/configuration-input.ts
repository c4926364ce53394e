import { environmentProblem } from "../../config/environment-rules.ts";
import { SUPPORTED_RUNTIMES } from "../../config/function-schema.ts";
import { AwsError } from "../../errors/aws-error.ts";
import { lambdaErrors } from "../../errors/lambda-errors.ts";
import type { FunctionVersionConfig } from "../../registry/function-model.ts";
import { APPLICATION_LOG_LEVELS, applyLoggingInput, currentLogging, LOG_FORMATS, SYSTEM_LOG_LEVELS, type LoggingInput } from "../../registry/logging-config.ts";
import { noPythonMessage, pythonInterpreter } from "../../runtime/python-interpreter.ts";
import { intInRange, matches, oneOf } from "./validation.ts";

/** The configuration members CreateFunction and UpdateFunctionConfiguration share (botocore lambda 2015-03-31). */
export interface ConfigurationInput {
  Runtime?: string;
  Handler?: string;
  Role?: string;
  Description?: string;
  Timeout?: number;
  MemorySize?: number;
  Environment?: { Variables?: Record<string, string> };
  EphemeralStorage?: { Size?: number };
  DeadLetterConfig?: { TargetArn?: string };
  Architectures?: string[];
  Layers?: string[];
  LoggingConfig?: Record<string, unknown>;
  RevisionId?: string;
}

export /** Validates the configuration members present in `input` (aws-facts §2.3, §3); `current`: $LATEST before an update. */
function validateConfiguration(input: ConfigurationInput, runtime: string, functionName: string, current?: FunctionVersionConfig): Partial<FunctionVersionConfig> {
  const patch: Partial<FunctionVersionConfig> = {};
  if (input.Runtime !== undefined) patch.runtime = checkRuntime(input.Runtime);
  const effectiveRuntime = patch.runtime ?? runtime;
  if (input.Handler !== undefined) patch.handler = matches(input.Handler, "handler", /^[^\s]+$/, "[^\\s]+", 128);
  else if (input.Runtime !== undefined && (effectiveRuntime.startsWith("nodejs") || effectiveRuntime.startsWith("python"))) {
    throw lambdaErrors.invalidParameterValue("Runtime and Handler are mandatory parameters for functions created with deployment packages.");
  }
  if (input.Role !== undefined) patch.role = input.Role;
  if (input.Description !== undefined) patch.description = String(input.Description);
  const timeout = intInRange(input.Timeout, "timeout", 1, 900);
  if (timeout !== undefined) patch.timeout = timeout;
  const memory = intInRange(input.MemorySize, "memorySize", 128, 10240);
  if (memory !== undefined) patch.memorySize = memory;
  const storage = intInRange(input.EphemeralStorage?.Size, "ephemeralStorage.size", 512, 10240);
  if (storage !== undefined) patch.ephemeralStorageSize = storage;
  if (input.Environment !== undefined) {
    const vars = input.Environment.Variables ?? {};
    const problem = environmentProblem(vars);
    if (problem !== undefined) throw lambdaErrors.invalidParameterValue(problem);
    patch.environment = vars;
  }
  if (input.DeadLetterConfig !== undefined) patch.deadLetterTargetArn = input.DeadLetterConfig.TargetArn || undefined;
  if (input.Architectures !== undefined) {
    if (input.Architectures.length !== 1 || !["x86_64", "arm64"].includes(input.Architectures[0]!)) {
      throw new AwsError("ValidationException", 400, `1 validation error detected: Value '[${input.Architectures.join(", ")}]' at 'architectures' failed to satisfy constraint: Member must have length less than or equal to 1`, { messageKey: "message" });
    }
    patch.architectures = input.Architectures;
  }
  if (input.LoggingConfig !== undefined && input.LoggingConfig !== null) {
    patch.loggingConfig = applyLoggingInput(current === undefined ? undefined : currentLogging(current), loggingInput(input.LoggingConfig), functionName);
  }
  return patch;
}

/** LoggingConfig's members against botocore's shapes (enums; LogGroup 1-512 of `[\.\-_/#A-Za-z0-9]+`). */
function loggingInput(i: Record<string, unknown>): LoggingInput {
  const LogGroup = i.LogGroup === undefined || i.LogGroup === null ? undefined : matches(i.LogGroup, "loggingConfig.logGroup", /^[.\-_/#A-Za-z0-9]+$/, "[\\.\\-_/#A-Za-z0-9]+", 512);
  return {
    LogFormat: oneOf(i.LogFormat, "loggingConfig.logFormat", LOG_FORMATS),
    ApplicationLogLevel: oneOf(i.ApplicationLogLevel, "loggingConfig.applicationLogLevel", APPLICATION_LOG_LEVELS),
    SystemLogLevel: oneOf(i.SystemLogLevel, "loggingConfig.systemLogLevel", SYSTEM_LOG_LEVELS),
    LogGroup,
  };
}

function checkRuntime(runtime: string): string {
  if ((SUPPORTED_RUNTIMES as readonly string[]).includes(runtime)) {
    // AWS would accept it; refused here, clearly, rather than failing at every invocation.
    if (runtime.startsWith("python") && pythonInterpreter(runtime) === undefined) throw lambdaErrors.invalidParameterValue(noPythonMessage(runtime));
    return runtime;
  }
  const node = /^nodejs(\d+)\.x$/.exec(runtime);
  if (node !== null && Number(node[1]) < 22) {
    throw lambdaErrors.invalidParameterValue(
      `The runtime parameter of ${runtime} is no longer supported for creating or updating AWS Lambda functions. We recommend you use the new runtime (nodejs24.x) while creating or updating functions.`,
    );
  }
  // AWS may accept it; lambda-sim cannot run it yet.
  throw lambdaErrors.invalidParameterValue(`lambda-sim does not run the ${runtime} runtime; supported runtimes: ${SUPPORTED_RUNTIMES.join(", ")}.`);
}
