import type { AliasRecord } from "../../registry/alias-routing.ts";
import type { FunctionVersionConfig } from "../../registry/function-model.ts";

/** The FunctionConfiguration shape of botocore's lambda model, as GetFunctionConfiguration returns it. */
export function functionConfiguration(c: FunctionVersionConfig, state: "Pending" | "Active" = "Active"): Record<string, unknown> {
  const out: Record<string, unknown> = {
    FunctionName: c.functionName,
    FunctionArn: c.version === "$LATEST" ? c.functionArn : `${c.functionArn}:${c.version}`,
    Runtime: c.runtime,
    Role: c.role,
    Handler: c.handler,
    CodeSize: c.codeSize,
    Description: c.description,
    Timeout: c.timeout,
    MemorySize: c.memorySize,
    LastModified: c.lastModified,
    CodeSha256: c.codeSha256,
    Version: c.version,
    TracingConfig: { Mode: "PassThrough" },
    RevisionId: c.revisionId,
    State: state,
    LastUpdateStatus: "Successful",
    PackageType: "Zip",
    Architectures: c.architectures,
    EphemeralStorage: { Size: c.ephemeralStorageSize },
    SnapStart: { ApplyOn: "None", OptimizationStatus: "Off" },
    LoggingConfig: loggingConfig(c),
  };
  if (Object.keys(c.environment).length > 0) out.Environment = { Variables: c.environment };
  if (c.layers !== undefined && c.layers.length > 0) out.Layers = c.layers.map((l) => ({ Arn: l.arn, CodeSize: l.codeSize }));
  if (c.deadLetterTargetArn) out.DeadLetterConfig = { TargetArn: c.deadLetterTargetArn };
  if (state === "Pending") {
    // Right after CreateFunction (aws-facts §3 "New functions").
    out.StateReason = "The function is being created.";
    out.StateReasonCode = "Creating";
    out.LastUpdateStatus = undefined;
  }
  return out;
}

/**
 * LoggingConfig (botocore LoggingConfig; every function has one since Nov 2023): Text and the
 * function's log group, or JSON with its log levels when the function's environment sets
 * AWS_LAMBDA_LOG_FORMAT=JSON, the variable AWS sets from it and our runtimes read (INFO when
 * AWS_LAMBDA_LOG_LEVEL does not say, as AWS defaults both levels).
 */
function loggingConfig(c: FunctionVersionConfig): Record<string, string> {
  const LogGroup = `/aws/lambda/${c.functionName}`;
  if (c.environment.AWS_LAMBDA_LOG_FORMAT?.toUpperCase() !== "JSON") return { LogFormat: "Text", LogGroup };
  const level = c.environment.AWS_LAMBDA_LOG_LEVEL?.toUpperCase();
  return { LogFormat: "JSON", ApplicationLogLevel: level !== undefined && APPLICATION_LOG_LEVELS.includes(level) ? level : "INFO", SystemLogLevel: "INFO", LogGroup };
}

const APPLICATION_LOG_LEVELS = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"];

export function aliasConfiguration(functionArn: string, a: AliasRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {
    AliasArn: `${functionArn}:${a.name}`,
    Name: a.name,
    FunctionVersion: a.functionVersion,
    Description: a.description,
    RevisionId: a.revisionId,
  };
  if (a.additionalVersionWeights !== undefined) out.RoutingConfig = { AdditionalVersionWeights: a.additionalVersionWeights };
  return out;
}
