import type { LoggingSettings } from "./logging-config.ts";

/**
 * The data-plane view of one function version: everything an execution environment needs to run
 * it. Published versions are immutable snapshots; `$LATEST` changes with each update, and its
 * `revisionId` changes with it, which is how pools know to retire warm environments.
 */
export interface FunctionVersionConfig {
  functionName: string;
  /** Unqualified ARN: arn:aws:lambda:<region>:<account>:function:<name> */
  functionArn: string;
  /** "$LATEST" or a published version number ("1", "2", ...). */
  version: string;
  /** nodejs22.x, nodejs24.x, python3.12, python3.13, python3.14, provided.al2023, provided.al2, ... */
  runtime: string;
  handler: string;
  role: string;
  description: string;
  /** MB, 128-10,240 (aws-facts §3). */
  memorySize: number;
  /** Seconds, 1-900 (aws-facts §3). */
  timeout: number;
  /** MB of /tmp, 512-10,240. */
  ephemeralStorageSize: number;
  environment: Record<string, string>;
  architectures: string[];
  /** Absolute path of the unpacked code (or the codeUri directory used in place). */
  codeDir: string;
  codeSha256: string;
  codeSize: number;
  deadLetterTargetArn?: string;
  /** LoggingConfig set through the API; undefined: derived from `environment` (registry/logging-config.ts). */
  loggingConfig?: LoggingSettings;
  /** `Layers`, in the order they are extracted into /opt (at most 5). */
  layers?: FunctionLayer[];
  /** The layers merged as /opt shows them (registry/opt-directory.ts); undefined without layers. */
  optDir?: string;
  /** AWS format: 2019-11-14T18:16:05.568+0000 */
  lastModified: string;
  /** Changes on every code or configuration change of this version. */
  revisionId: string;
  /** Simulator-only settings (not part of any AWS API). */
  sim: SimFunctionSettings;
  /** For `runtime: model` only: what each invocation does instead of running code. */
  model?: ModelSpec;
}

/** One layer version a function references. */
export interface FunctionLayer {
  /** The layer version ARN (`arn:aws:lambda:<region>:<account>:layer:<name>:<version>`). */
  arn: string;
  /** Zipped bytes, as FunctionConfiguration.Layers[].CodeSize reports them. */
  codeSize: number;
  unzippedSize: number;
  /** The unpacked content. */
  dir: string;
}

/** A duration in service ms: fixed, or drawn from the seeded random source. */
export type ModelDuration = number | { min: number; max: number } | { mean: number };

/**
 * The `model` runtime (no process): a declared duration and outcome per invocation, so that large
 * simulations run through the same Invoker, governor and pools in seconds on the VirtualClock.
 */
export interface ModelSpec {
  durationMs: ModelDuration;
  coldStartMs: ModelDuration;
  /** Probability (0-1) that an invocation ends in a function error. */
  errorProbability: number;
  /** Probability (0-1) that an invocation runs into the function's timeout. */
  timeoutProbability: number;
}

export interface SimFunctionSettings {
  /** SIGSTOP idle environments as AWS freezes them (default true). */
  freeze: boolean;
  /** Service-time ms an idle environment lives before it is retired (default 10 minutes). */
  idleLifetimeMs: number;
  /**
   * Service-time ms each invocation of real code holds its environment and concurrency after its
   * handler answered (a scenario's `serviceTime:`): real handlers otherwise take no service time
   * on the VirtualClock, so their invocations never overlap the way long handlers do on AWS.
   */
  serviceTimeMs?: number;
}

/** What the Invoker runs for one request after resolving name, qualifier and alias routing. */
export interface ResolvedInvocationTarget {
  config: FunctionVersionConfig;
  /** The ARN exactly as invoked (unqualified, `:$LATEST`, `:7` or `:alias`), for the context. */
  invokedFunctionArn: string;
  /** The version that runs, for `X-Amz-Executed-Version`. */
  executedVersion: string;
}
