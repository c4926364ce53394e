import { fileURLToPath } from "node:url";
import type { FunctionVersionConfig } from "../registry/function-model.ts";
import { loggingVariables } from "../registry/logging-config.ts";
import { nodeSdkPath } from "./node-sdk-path.ts";
import { pythonInterpreter } from "./python-interpreter.ts";

export interface EnvironmentVariableInputs {
  config: FunctionVersionConfig;
  runtimeApi: string;
  region: string;
  /** The simulator's own endpoint, so AWS SDK calls in function code reach lambda-sim. */
  endpointUrl: string;
  /** With `--auth`: the key function code signs its calls to lambda-sim with. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  logStreamName: string;
  initializationType: "on-demand" | "provisioned-concurrency";
  /** Set when the process cannot get a private /tmp mount and must use this directory instead. */
  tmpDir?: string;
  /** V8 compile cache shared by the simulator's Node environments (read and removed by the bootstrap). */
  compileCacheDir?: string;
}

const RUNTIME_DIR = fileURLToPath(new URL("../../bootstrap/", import.meta.url));

/**
 * The environment of a function process as AWS sets it (aws-facts §2.3), plus AWS_ENDPOINT_URL and
 * fake credentials (DESIGN.md): function code calling SQS with the AWS SDK reaches lambda-sim with
 * no code change. The host's PATH is kept so a `provided` bootstrap finds its tools.
 */
export function environmentVariables(i: EnvironmentVariableInputs): Record<string, string> {
  const c = i.config;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
    LANG: "en_US.UTF-8",
    TZ: ":UTC",
    ...c.environment,
    _HANDLER: c.handler,
    AWS_REGION: i.region,
    AWS_DEFAULT_REGION: i.region,
    AWS_LAMBDA_FUNCTION_NAME: c.functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(c.memorySize),
    AWS_LAMBDA_FUNCTION_VERSION: c.version,
    AWS_LAMBDA_INITIALIZATION_TYPE: i.initializationType,
    AWS_LAMBDA_LOG_STREAM_NAME: i.logStreamName,
    AWS_LAMBDA_RUNTIME_API: i.runtimeApi,
    ...functionCredentials(i.credentials),
    AWS_XRAY_CONTEXT_MISSING: "LOG_ERROR",
    LAMBDA_TASK_ROOT: c.codeDir,
    LAMBDA_RUNTIME_DIR: RUNTIME_DIR,
  };
  // The log group and, once set through the API, the log format and level (LoggingConfig).
  for (const [k, v] of Object.entries(loggingVariables(c))) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  // User-set AWS_ENDPOINT_URL wins: the variable is not reserved on AWS.
  env.AWS_ENDPOINT_URL ??= i.endpointUrl;
  // Managed runtimes only; provided.* has no AWS_EXECUTION_ENV.
  if (c.runtime.startsWith("nodejs") || c.runtime.startsWith("python")) env.AWS_EXECUTION_ENV = `AWS_Lambda_${c.runtime}`;
  // The SDK the Node.js runtimes provide, on NODE_PATH as AWS has /var/runtime/node_modules; like
  // AWS's, a NODE_PATH set by the function replaces it (the variable is not reserved).
  const sdk = c.runtime.startsWith("nodejs") ? nodeSdkPath() : undefined;
  if (sdk !== undefined) env.NODE_PATH ??= sdk;
  // boto3 borrowed from another interpreter (python-interpreter.ts), read and removed by the bootstrap.
  const boto3Dir = c.runtime.startsWith("python") ? pythonInterpreter(c.runtime)?.boto3Dir : undefined;
  if (boto3Dir !== undefined) env._LAMBDA_SIM_BOTO3_DIR = boto3Dir;
  if (i.tmpDir !== undefined) env.TMPDIR = i.tmpDir;
  if (i.compileCacheDir !== undefined && c.runtime.startsWith("nodejs")) env._LAMBDA_SIM_COMPILE_CACHE = i.compileCacheDir;
  return env;
}

/**
 * AWS gives a function its execution role's temporary keys. Without `--auth` nothing checks them,
 * so fixed fake ones do; with it, the first accepted key, so calls from function code pass.
 */
function functionCredentials(c: EnvironmentVariableInputs["credentials"]): Record<string, string> {
  if (c === undefined) return { AWS_ACCESS_KEY_ID: "AKIALAMBDASIMULATOR0", AWS_SECRET_ACCESS_KEY: "lambda-sim-fake-secret-access-key", AWS_SESSION_TOKEN: "lambda-sim-fake-session-token" };
  return { AWS_ACCESS_KEY_ID: c.accessKeyId, AWS_SECRET_ACCESS_KEY: c.secretAccessKey };
}

/** `YYYY/MM/DD/[$LATEST]<32 hex>` (aws-facts §2.3). */
export function logStreamName(nowMs: number, version: string, hex32: string): string {
  const d = new Date(nowMs).toISOString().slice(0, 10).replaceAll("-", "/");
  return `${d}/[${version}]${hex32}`;
}
