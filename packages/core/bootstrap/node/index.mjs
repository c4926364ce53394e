// @ts-check
// Entry point of lambda-sim's Node.js runtime bootstrap. It only switches on V8's compile cache
// (shared by all environments of one simulator, so the bootstrap and handler modules are
// compiled once rather than at every cold start) and then loads the runtime loop. The cache
// directory arrives in a private variable, removed before any user code can see it.
import { enableCompileCache } from "node:module";

const cacheDir = process.env._LAMBDA_SIM_COMPILE_CACHE;
delete process.env._LAMBDA_SIM_COMPILE_CACHE;
if (cacheDir) enableCompileCache(cacheDir);
await import("./runtime-loop.mjs");
