import type { FunctionUrlDefinition } from "../function-urls/function-urls.ts";
import type { ModelSpec, SimFunctionSettings } from "../registry/function-model.ts";
import type { LoggingSettings } from "../registry/logging-config.ts";

/**
 * A function declared in lambda-sim.yaml (`functions:`), after validation and path resolution.
 * Keys are AWS's CreateFunction parameter names in lowerCamelCase; omitted values take AWS's
 * defaults when the registry stores them. The code directory is used in place, never copied.
 */
export interface FunctionDefinition {
  functionName: string;
  runtime: string;
  /** Required for managed runtimes; optional for provided.* (AWS allows it empty there). */
  handler?: string;
  /** Absolute path of the code directory (`codeUri` resolved against the config file). */
  codeDir: string;
  description?: string;
  role?: string;
  memorySize?: number;
  timeout?: number;
  ephemeralStorageSize?: number;
  environment?: Record<string, string>;
  architectures?: string[];
  deadLetterTargetArn?: string;
  /** CreateFunction's LoggingConfig, defaults applied (registry/logging-config.ts). */
  loggingConfig?: LoggingSettings;
  /** CreateFunction's Tags: the function's tags at every start (API changes to them are undone, as for its other settings). */
  tags?: Record<string, string>;
  /** PutFunctionConcurrency's ReservedConcurrentExecutions. */
  reservedConcurrency?: number;
  /** PutFunctionRecursionConfig's RecursiveLoop (Terminate, AWS's default, when not given). */
  recursiveLoop?: "Allow" | "Terminate";
  sim?: Partial<SimFunctionSettings>;
  /** `Layers`: layer version ARNs, layer ARNs or names of declared layers (their latest version), in order. */
  layers?: string[];
  /** `runtime: model` only. */
  model?: ModelSpec;
  /** PutFunctionEventInvokeConfig for $LATEST; destinations as written (`sqs:NAME` or an ARN). */
  eventInvokeConfig?: { maximumRetryAttempts?: number; maximumEventAgeInSeconds?: number; onSuccess?: string; onFailure?: string };
  /** CreateFunctionUrlConfig for the unqualified function; its url id stays the same across starts. */
  functionUrl?: FunctionUrlDefinition;
}

/** CreateFunction's defaults: 128 MB, 3 s, 512 MB of /tmp (botocore lambda model, aws-facts §3). */
export const FUNCTION_DEFAULTS = { memorySize: 128, timeout: 3, ephemeralStorageSize: 512 } as const;
