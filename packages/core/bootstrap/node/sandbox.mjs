// @ts-check
// A pre-started, unspecialised sandbox (packages/core/src/runtime/sandbox-pool.ts): the process
// is up, V8's compile cache is on and the bootstrap's own modules are loaded before any function
// is known. It then blocks on its private channel until lambda-sim sends the function it is to
// serve (its environment variables and code directory), takes them as its own, and runs
// index.mjs exactly as a process started for that function would: Init (the handler's import)
// starts only now, and so does the Init Duration lambda-sim measures.

const { enableCompileCache } = /** @type {typeof import("node:module")} */ (process.getBuiltinModule("node:module"));
const { fileURLToPath } = /** @type {typeof import("node:url")} */ (process.getBuiltinModule("node:url"));

const cacheDir = process.env._LAMBDA_SIM_COMPILE_CACHE;
if (cacheDir) enableCompileCache(cacheDir);
// What index.mjs imports, except invoke-context.mjs, which reads the function's variables as it loads.
await Promise.all([
  import("./errors.mjs"),
  import("./log-patch.mjs"),
  import("./response-stream.mjs"),
  import("./runtime-api-client.mjs"),
  import("./user-function.mjs"),
  import("./module-resolution.mjs"),
]);
const { RuntimeChannelClient } = await import("./runtime-channel-client.mjs");

// The specialisation frame: { cwd } and the function's complete environment as the body. A
// closed channel (lambda-sim shutting the pool down) ends the process.
let frame;
try {
  frame = /** @type {import("./runtime-channel-client.mjs").RuntimeChannelClient} */ (RuntimeChannelClient.open(process.env._LAMBDA_SIM_RUNTIME_FD)).read();
} catch {
  process.exit(0);
}
const env = /** @type {Record<string, string>} */ (JSON.parse(frame.body));
for (const name of Object.keys(process.env)) delete process.env[name];
// Assigning TZ also resets Node's time zone cache.
Object.assign(process.env, env);
process.chdir(frame.header.cwd ?? "/");
// A file path as a started process has it (a URL's pathname keeps %-escapes of spaces and such).
process.argv[1] = fileURLToPath(new URL("./index.mjs", import.meta.url));
await import("./index.mjs");
