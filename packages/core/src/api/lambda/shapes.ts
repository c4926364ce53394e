import type { AliasRecord } from "../../registry/alias-routing.ts";
import type { FunctionVersionConfig } from "../../registry/function-model.ts";
import { effectiveLogging } from "../../registry/logging-config.ts";
import type { FunctionStatus } from "../../registry/function-transitions.ts";

/** The FunctionConfiguration shape of botocore's lambda model, as GetFunctionConfiguration returns it. */
export function functionConfiguration(c: FunctionVersionConfig, status?: FunctionStatus): Record<string, unknown> {
  const state = status?.state ?? "Active";
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
    LoggingConfig: effectiveLogging(c),
  };
  if (Object.keys(c.environment).length > 0) out.Environment = { Variables: c.environment };
  if (c.layers !== undefined && c.layers.length > 0) out.Layers = c.layers.map((l) => ({ Arn: l.arn, CodeSize: l.codeSize }));
  if (c.deadLetterTargetArn) out.DeadLetterConfig = { TargetArn: c.deadLetterTargetArn };
  if (state === "Pending") {
    // Right after CreateFunction (aws-facts §3 "New functions").
    out.StateReason = "The function is being created.";
    out.StateReasonCode = "Creating";
    out.LastUpdateStatus = undefined;
  } else if (status !== undefined && "lastUpdateStatus" in status) {
    // The developer guide's GetFunctionConfiguration example of a function being updated ("Lambda function states").
    out.LastUpdateStatus = "InProgress";
    out.LastUpdateStatusReason = "The function is being created.";
    out.LastUpdateStatusReasonCode = "Creating";
  }
  return out;
}

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
