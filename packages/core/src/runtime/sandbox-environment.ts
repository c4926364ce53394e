import { RUNTIME_CHANNEL_VARIABLE } from "./runtime-channel.ts";

// What a pooled sandbox (sandbox-pool.ts) starts with, before it knows the function it will serve.

/**
 * Variables a runtime reads while it starts, before our bootstrap runs: the interpreter's own
 * options and paths (NODE_OPTIONS, NODE_PATH, PYTHON*), locale, home (user site-packages,
 * ~/.node_modules), the dynamic loader, OpenSSL. A sandbox starts with the function's values of
 * these (they are part of its key); the rest of the environment arrives with the function.
 */
const STARTUP_VARIABLE = /^(NODE_|UV_|PYTHON|LC_|LANG$|LANGUAGE$|HOME$|LD_|GLIBC_TUNABLES$|MALLOC_|OPENSSL_|SSL_CERT_)/;

export function startupVariables(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([name]) => STARTUP_VARIABLE.test(name)));
}

/**
 * What a sandbox starts with: the function's start-up variables (the same for its whole key),
 * PATH and TZ as every environment starts, V8's compile cache, the channel's fd, and `marker` as
 * its log stream name for the process ledger. Everything else arrives with the function.
 */
export function genericEnvironment(env: Record<string, string>, marker: string): Record<string, string> {
  const generic: Record<string, string> = { PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin", TZ: ":UTC", ...startupVariables(env), AWS_LAMBDA_LOG_STREAM_NAME: marker };
  for (const name of ["_LAMBDA_SIM_COMPILE_CACHE", RUNTIME_CHANNEL_VARIABLE]) if (env[name] !== undefined) generic[name] = env[name];
  return generic;
}
