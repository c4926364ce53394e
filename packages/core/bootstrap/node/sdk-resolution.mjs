// @ts-check
// The AWS SDK for JavaScript v3 that the runtime provides (aws-facts 2.3: NODE_PATH includes
// /var/runtime/node_modules), for ES modules as well: `import { SQSClient } from
// "@aws-sdk/client-sqs"` in an un-bundled .mjs handler works on AWS since nodejs18.x, while Node's
// ESM resolution ignores NODE_PATH. A bare specifier that resolves nowhere else is retried from each
// NODE_PATH directory; CommonJS require() already searches them.

const { registerHooks } = /** @type {typeof import("node:module")} */ (process.getBuiltinModule("node:module"));
const path = /** @type {typeof import("node:path")} */ (process.getBuiltinModule("node:path"));
const { pathToFileURL } = /** @type {typeof import("node:url")} */ (process.getBuiltinModule("node:url"));

export function resolveNodePathForImports() {
  const dirs = (process.env.NODE_PATH ?? "").split(path.delimiter).filter((d) => d !== "");
  // module.registerHooks: Node 22.15 and 23.5 on; without it, only require() finds the SDK.
  if (dirs.length === 0 || typeof registerHooks !== "function") return;
  const parents = dirs.map((d) => pathToFileURL(path.join(path.resolve(d), "index.js")).href);
  registerHooks({
    resolve(specifier, context, nextResolve) {
      try {
        return nextResolve(specifier, context);
      } catch (error) {
        if (/** @type {NodeJS.ErrnoException} */ (error)?.code !== "ERR_MODULE_NOT_FOUND" || !isBare(specifier)) throw error;
        for (const parentURL of parents) {
          try {
            return nextResolve(specifier, { ...context, parentURL });
          } catch {
            // Not in this directory either.
          }
        }
        throw error;
      }
    },
  });
}

/** @param {string} specifier */
function isBare(specifier) {
  return !specifier.startsWith(".") && !specifier.startsWith("/") && !/^[a-z][a-z0-9+.-]*:/i.test(specifier);
}
