import { existsSync } from "node:fs";
import { dirname } from "node:path";
import type { FunctionVersionConfig } from "../registry/function-model.ts";
import { environmentVariables } from "./environment-variables.ts";
import { addLayerPaths, hostPathOf, optView, type OptView } from "./layer-paths.ts";
import { nodeSdkTargets } from "./node-sdk-path.ts";
import { pythonPathsToKeep } from "./python-driver.ts";
import { RUNTIME_ANSWER_FD, RUNTIME_CHANNEL_FD, RUNTIME_CHANNEL_VARIABLE } from "./runtime-channel.ts";
import { entrypointProblem } from "./entrypoint-problem.ts";
import { driverFor, type PrivateMounts, type ProcessCommand } from "./runtime-driver.ts";
import { sandboxAddresses } from "./sandbox-addresses.ts";

/** What a sandbox runs: the function version, or one of its external extensions, and its surroundings. */
export interface SandboxSpec {
  config: FunctionVersionConfig;
  initializationType: "on-demand" | "provisioned-concurrency";
  runtimeApi: string;
  region: string;
  endpointUrl: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  logStream: string;
  tmpDir: string;
  privateTmp: boolean;
  /**
   * The environment's own loopback address (sandbox-addresses.ts): `sandbox.localdomain` inside
   * it, when its layers are mounted in its private mount namespace.
   */
  address?: string;
  compileCacheDir?: string;
  /** An external extension (`/opt/extensions/<name>`) to start instead of the runtime. */
  extension?: string;
}

/** What planSandbox() makes of a SandboxSpec. */
export interface SandboxPlan {
  command: ProcessCommand;
  env: Record<string, string>;
  /**
   * The host paths to bind back under the private /tmp, the /opt and /etc/hosts mounts, and the
   * code folder bound read-only (not in a pooled sandbox's start: its function is not known yet).
   */
  privateTmp?: { keep: string[] } & PrivateMounts;
  channel: boolean;
}

/**
 * What starting `opts` takes: the runtime's command, its complete environment, and the mounts of
 * its private /tmp (applied by SandboxProcess.start(), or already in place in a pooled sandbox).
 */
export function planSandbox(opts: SandboxSpec): SandboxPlan | { invalidEntrypoint: string } {
  const missing = missingCode(opts.config);
  if (missing !== undefined) return { invalidEntrypoint: missing };
  const env = environmentVariables({
    config: opts.config,
    runtimeApi: opts.runtimeApi,
    region: opts.region,
    endpointUrl: opts.endpointUrl,
    credentials: opts.credentials,
    logStreamName: opts.logStream,
    initializationType: opts.initializationType,
    tmpDir: opts.privateTmp ? undefined : opts.tmpDir,
    compileCacheDir: opts.compileCacheDir,
  });
  const opt = optView(opts.config, opts.privateTmp, hostPaths(opts));
  if (opt !== undefined) addLayerPaths(env, opts.config, opt);
  if (opts.extension !== undefined) forExtension(env);
  const driver = driverFor(opts.config.runtime);
  const unavailable = opts.extension === undefined ? driver.unavailable?.(opts.config) : undefined;
  if (unavailable !== undefined) return { invalidEntrypoint: unavailable };
  const command = opts.extension === undefined ? driver.command(opts.config, env) : { command: `${opt!.path}/extensions/${opts.extension}`, args: [] };
  const problem = entrypointProblem(hostPathOf(command.command, opt), (p) => hostPathOf(p, opt));
  // Said as the environment sees the path (AWS: `fork/exec /var/task/bootstrap: permission denied`), not the host's folder.
  if (problem !== undefined) return { invalidEntrypoint: `fork/exec ${asInEnvironment(command.command, opts.config.codeDir)}: ${problem}` };
  const privateTmp = opts.privateTmp ? privateMounts(opts, env, opt) : undefined;
  // fds 3 and 4 are socket pairs: the private channel to our bootstrap (never to an extension), blocking on its side.
  const channel = driver.privateChannel === true && opts.extension === undefined;
  if (channel) env[RUNTIME_CHANNEL_VARIABLE] = `${RUNTIME_CHANNEL_FD},${RUNTIME_ANSWER_FD}`;
  return { command, env, privateTmp, channel };
}

/**
 * The version's code or /opt folder gone from disk (deleted by hand, or named by the state of an
 * earlier lambda-sim at a path that has since moved): said as such, where the runtime would
 * otherwise fail to start with a bare "exit status 127". No AWS counterpart (Lambda keeps a
 * version's code); reported as RAPID reports an entrypoint it cannot start.
 */
function missingCode(c: FunctionVersionConfig): string | undefined {
  const what = `${c.functionName} version ${c.version}`;
  if (!existsSync(c.codeDir)) return `lambda-sim: the code folder of ${what} is missing: ${c.codeDir} (moved or deleted since it was deployed or published)`;
  if (c.optDir !== undefined && !existsSync(c.optDir)) return `lambda-sim: the layers (/opt) folder of ${what} is missing: ${c.optDir} (moved or deleted since it was deployed or published)`;
  return undefined;
}

/** A path under the function's code folder as the environment names it, under LAMBDA_TASK_ROOT (/var/task). */
function asInEnvironment(path: string, codeDir: string): string {
  const root = codeDir.endsWith("/") ? codeDir : `${codeDir}/`;
  return path.startsWith(root) ? `/var/task/${path.slice(root.length)}` : path;
}

/**
 * Extensions get the function's environment less what only the runtime needs (AWS's "Extensions
 * API" page: these variables are not available to extensions).
 */
function forExtension(env: Record<string, string>): void {
  for (const k of ["AWS_EXECUTION_ENV", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_XRAY_CONTEXT_MISSING", "AWS_XRAY_DAEMON_ADDRESS", "LAMBDA_RUNTIME_DIR", "LAMBDA_TASK_ROOT", "_AWS_XRAY_DAEMON_ADDRESS", "_AWS_XRAY_DAEMON_PORT", "_HANDLER"]) delete env[k];
}

/** The host's paths the process needs (a layer mounted over the host's /opt must not hide them). */
function hostPaths(opts: SandboxSpec): string[] {
  const paths = [opts.config.codeDir, dirname(process.execPath), opts.tmpDir, ...nodeSdkTargets()];
  if (opts.config.runtime.startsWith("python")) paths.push(...pythonPathsToKeep(opts.config.runtime));
  return paths;
}

/**
 * The mounts of its private namespace: /tmp, layers or an empty /opt (both read-only, as on AWS:
 * fuzz19 F3; the host's /opt stays when something the process needs lives there), its host names,
 * and its code folder read-only.
 */
function privateMounts(opts: SandboxSpec, env: Record<string, string>, opt: OptView | undefined): { keep: string[] } & PrivateMounts {
  const keep = pathsToKeep(opts, env);
  const hostsFile = opt?.mount === undefined || opts.address === undefined ? undefined : sandboxAddresses.hostsFile(opts.address);
  const emptyOpt = opt === undefined && ![...keep, ...hostPaths(opts)].some((p) => p === "/opt" || p.startsWith("/opt/")) && existsSync("/opt");
  return { keep, optDir: opt?.mount, emptyOpt, hostsFile, codeDir: opts.config.codeDir };
}

/** Everything the process must still reach once its own directory hides the host's /tmp. */
function pathsToKeep(opts: SandboxSpec, env: Record<string, string>): string[] {
  const paths = [opts.config.codeDir, dirname(process.execPath)];
  if (env.LAMBDA_RUNTIME_DIR) paths.push(env.LAMBDA_RUNTIME_DIR);
  if (opts.compileCacheDir !== undefined) paths.push(opts.compileCacheDir);
  if (env.AWS_LAMBDA_EXEC_WRAPPER) paths.push(dirname(env.AWS_LAMBDA_EXEC_WRAPPER));
  if (opts.config.runtime.startsWith("python")) paths.push(...pythonPathsToKeep(opts.config.runtime));
  // NODE_PATH's SDK directory is links: where they point must be reachable too.
  if (env.NODE_PATH) paths.push(...env.NODE_PATH.split(":"), ...nodeSdkTargets());
  return paths;
}
