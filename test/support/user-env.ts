import { spawnSync } from "node:child_process";

/**
 * The environment of a user's shell on a machine like CI's: the system's own Node and npm on PATH
 * (`/usr/bin`, Debian's Node 20 here) when they are there, and none of the `npm_*` variables that
 * `npm test` sets for this process (a nested npm would take them as its own configuration).
 */
export function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^npm_/i.test(k) && k !== "AWS_ENDPOINT_URL" && k !== "LAMBDA_SIM_ENDPOINT" && k !== "NODE_OPTIONS") env[k] = v;
  }
  if (spawnSync("/usr/bin/npm", ["--version"]).status === 0) env.PATH = "/usr/bin:/bin";
  return { ...env, ...extra };
}
