import { existsSync } from "node:fs";
import { join } from "node:path";
import type { FunctionVersionConfig } from "../registry/function-model.ts";
import { interpreterMinorVersion, pythonInterpreter } from "./python-interpreter.ts";

/** Where a function's layers are, as its processes see them. */
export interface OptView {
  /** `/opt` when mounted there, else the merged directory itself (no private mounts here). */
  path: string;
  /** The directory to mount read-only at /opt, when it is mounted. */
  mount?: string;
}

/**
 * Layers are mounted at /opt in the environment's own mount namespace (the one its private /tmp
 * lives in) when there is one and nothing the process needs lives under the host's /opt; otherwise
 * the paths below point at the merged directory and code that names `/opt/...` itself will not
 * find it (said in the README).
 */
export function optView(config: FunctionVersionConfig, privateMounts: boolean, hostPaths: readonly string[]): OptView | undefined {
  const dir = config.optDir;
  if (dir === undefined) return undefined;
  const hostNeedsOpt = hostPaths.some((p) => p === "/opt" || p.startsWith("/opt/"));
  if (privateMounts && !hostNeedsOpt && existsSync("/opt")) return { path: "/opt", mount: dir };
  return { path: dir };
}

/** `/opt/...` as this machine can reach it (to check a wrapper script before starting it). */
export function hostPathOf(path: string, opt: OptView | undefined): string {
  if (opt === undefined || !path.startsWith("/opt/")) return path;
  return join(opt.mount ?? opt.path, path.slice("/opt/".length));
}

/**
 * The paths AWS adds for layers (aws-facts §2.3; "Layer paths for each Lambda runtime"):
 * `/opt/nodejs/node<major>/node_modules` and `/opt/nodejs/node_modules` ahead of the runtime's own
 * modules on NODE_PATH, `/opt/bin` last on PATH, `/opt/lib` last on LD_LIBRARY_PATH. Python's
 * `/opt/python` and its site-packages are put on sys.path by the bootstrap; PYTHONPATH carries them
 * only when /opt is not mounted. A variable the function sets itself is left alone, as on AWS.
 */
export function addLayerPaths(env: Record<string, string>, config: FunctionVersionConfig, opt: OptView): void {
  const own = config.environment;
  const o = opt.path;
  if (own.PATH === undefined) env.PATH = `${env.PATH}:${o}/bin`;
  if (own.LD_LIBRARY_PATH === undefined) env.LD_LIBRARY_PATH = [config.codeDir, `${config.codeDir}/lib`, `${o}/lib`].join(":");
  const node = /^nodejs(\d+)\.x$/.exec(config.runtime);
  if (node !== null && own.NODE_PATH === undefined) {
    env.NODE_PATH = [`${o}/nodejs/node${node[1]}/node_modules`, `${o}/nodejs/node_modules`, ...(env.NODE_PATH ? [env.NODE_PATH] : [])].join(":");
  }
  if (config.runtime.startsWith("python") && opt.mount === undefined && own.PYTHONPATH === undefined) {
    // As bootstrap.py orders them: the runtime's site-packages, the interpreter's own when it differs.
    const py = pythonInterpreter(config.runtime);
    const version = py === undefined ? undefined : interpreterMinorVersion(py);
    const versions = [config.runtime, ...(version !== undefined && `python${version}` !== config.runtime ? [`python${version}`] : [])];
    env.PYTHONPATH = [...versions.map((v) => `${o}/python/lib/${v}/site-packages`), `${o}/python`].join(":");
  }
  const wrapper = env.AWS_LAMBDA_EXEC_WRAPPER;
  if (wrapper !== undefined && opt.mount === undefined) env.AWS_LAMBDA_EXEC_WRAPPER = hostPathOf(wrapper, opt);
}
