import { lambdaErrors } from "../errors/lambda-errors.ts";
import type { FunctionVersionConfig } from "./function-model.ts";

/** botocore lambda's enums (LogFormat, ApplicationLogLevel, SystemLogLevel). */
export const LOG_FORMATS = ["JSON", "Text"] as const;
export const APPLICATION_LOG_LEVELS = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"] as const;
export const SYSTEM_LOG_LEVELS = ["DEBUG", "INFO", "WARN"] as const;

/** A function version's LoggingConfig, as CreateFunction or UpdateFunctionConfiguration left it. */
export interface LoggingSettings {
  logFormat: (typeof LOG_FORMATS)[number];
  /** JSON only. */
  applicationLogLevel?: string;
  /** JSON only. */
  systemLogLevel?: string;
  /** Undefined: `/aws/lambda/NAME`. */
  logGroup?: string;
}

/** A request's LoggingConfig members, enum values already checked. */
export interface LoggingInput {
  LogFormat?: string;
  ApplicationLogLevel?: string;
  SystemLogLevel?: string;
  LogGroup?: string;
}

/** The LoggingConfig member of FunctionConfiguration (GetFunction, GetFunctionConfiguration, ...). */
export interface LoggingConfigShape {
  LogFormat: string;
  ApplicationLogLevel?: string;
  SystemLogLevel?: string;
  LogGroup: string;
}

/**
 * The LoggingConfig in effect (every function has one since Nov 2023): what the API set; else, for
 * a function that never had one set (lambda-sim.yaml's), what its environment says to our runtimes
 * (AWS_LAMBDA_LOG_FORMAT=JSON, AWS_LAMBDA_LOG_LEVEL; INFO when it does not say, as AWS defaults
 * both levels), Text otherwise. The log group is `/aws/lambda/NAME` unless one was set.
 */
export function effectiveLogging(c: FunctionVersionConfig): LoggingConfigShape {
  const s = c.loggingConfig ?? fromEnvironment(c.environment);
  const LogGroup = s.logGroup ?? `/aws/lambda/${c.functionName}`;
  if (s.logFormat === "Text") return { LogFormat: "Text", LogGroup };
  return { LogFormat: "JSON", ApplicationLogLevel: s.applicationLogLevel ?? "INFO", SystemLogLevel: s.systemLogLevel ?? "INFO", LogGroup };
}

function fromEnvironment(env: Record<string, string>): LoggingSettings {
  if (env.AWS_LAMBDA_LOG_FORMAT?.toUpperCase() !== "JSON") return { logFormat: "Text" };
  const level = env.AWS_LAMBDA_LOG_LEVEL?.toUpperCase();
  return { logFormat: "JSON", applicationLogLevel: level !== undefined && (APPLICATION_LOG_LEVELS as readonly string[]).includes(level) ? level : "INFO" };
}

/**
 * The variables Lambda sets from a LoggingConfig and the runtimes read (aws-facts §2.3; our Node
 * and Python runtimes, as for lambda-sim.yaml's functions that set them in `environment`):
 * AWS_LAMBDA_LOG_FORMAT=JSON and AWS_LAMBDA_LOG_LEVEL with JSON, neither with Text. Undefined
 * values remove the function's own: a LoggingConfig set through the API wins over them (chosen:
 * AWS does not say which wins).
 */
export function loggingVariables(c: FunctionVersionConfig): Record<string, string | undefined> {
  const group = { AWS_LAMBDA_LOG_GROUP_NAME: effectiveLogging(c).LogGroup };
  const s = c.loggingConfig;
  if (s === undefined) return group;
  if (s.logFormat === "Text") return { ...group, AWS_LAMBDA_LOG_FORMAT: undefined, AWS_LAMBDA_LOG_LEVEL: undefined };
  return { ...group, AWS_LAMBDA_LOG_FORMAT: "JSON", AWS_LAMBDA_LOG_LEVEL: s.applicationLogLevel ?? "INFO" };
}

/**
 * A request's LoggingConfig applied to the function's current one (CreateFunction: none). As
 * LocalStack's provider does it: members left out keep their values, JSON starts both levels at
 * INFO, switching to Text drops them, and the log group stays unless one is given. Levels with
 * Text are refused with AWS's message (LocalStack's provider; a CloudFormation deploy quoted in
 * aws-cdk#28045).
 */
export function applyLoggingInput(current: LoggingSettings | undefined, input: LoggingInput, functionName: string): LoggingSettings {
  const logFormat = (input.LogFormat ?? current?.logFormat ?? "Text") as LoggingSettings["logFormat"];
  if (logFormat === "Text" && (input.ApplicationLogLevel !== undefined || input.SystemLogLevel !== undefined)) {
    throw lambdaErrors.invalidParameterValue('LogLevel is not supported when LogFormat is set to "Text". Remove LogLevel from your request or change the LogFormat to "JSON" and try again.');
  }
  const logGroup = input.LogGroup ?? current?.logGroup;
  const out: LoggingSettings = { logFormat };
  // The default group is stored as no setting.
  if (logGroup !== undefined && logGroup !== `/aws/lambda/${functionName}`) out.logGroup = logGroup;
  if (logFormat === "JSON") {
    const wasJson = current?.logFormat === "JSON";
    out.applicationLogLevel = input.ApplicationLogLevel ?? (wasJson ? current.applicationLogLevel : undefined) ?? "INFO";
    out.systemLogLevel = input.SystemLogLevel ?? (wasJson ? current.systemLogLevel : undefined) ?? "INFO";
  }
  return out;
}

/** The settings a function has now, stored or derived from its environment (UpdateFunctionConfiguration's starting point). */
export function currentLogging(c: FunctionVersionConfig): LoggingSettings {
  const e = effectiveLogging(c);
  const out: LoggingSettings = { logFormat: e.LogFormat as LoggingSettings["logFormat"] };
  if (c.loggingConfig?.logGroup !== undefined) out.logGroup = c.loggingConfig.logGroup;
  if (e.LogFormat === "JSON") Object.assign(out, { applicationLogLevel: e.ApplicationLogLevel, systemLogLevel: e.SystemLogLevel });
  return out;
}
