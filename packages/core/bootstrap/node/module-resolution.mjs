// @ts-check
// What a handler's bare imports resolve to, as in AWS's Node.js runtimes.
// - The AWS SDK for JavaScript v3 the runtime provides (aws-facts 2.3: NODE_PATH includes
//   /var/runtime/node_modules), for ES modules as well: `import { SQSClient } from
//   "@aws-sdk/client-sqs"` in an un-bundled .mjs handler works on AWS since nodejs18.x, while Node's
//   ESM resolution ignores NODE_PATH. A bare specifier that resolves nowhere else is retried from
//   each NODE_PATH directory; CommonJS require() already searches them.
// - Nothing above the function's code: on AWS the code sits alone in /var/task, while here it sits
//   in a project whose node_modules, found by Node's walk up the directories, hold the project's
//   packages and lambda-sim's own (yaml, zod, express...). See confineHandlerImports.

const { createRequire, registerHooks } = /** @type {typeof import("node:module")} */ (process.getBuiltinModule("node:module"));
const fs = /** @type {typeof import("node:fs")} */ (process.getBuiltinModule("node:fs"));
const path = /** @type {typeof import("node:path")} */ (process.getBuiltinModule("node:path"));
const { fileURLToPath, pathToFileURL } = /** @type {typeof import("node:url")} */ (process.getBuiltinModule("node:url"));

const nodePathDirs = () => (process.env.NODE_PATH ?? "").split(path.delimiter).filter((d) => d !== "");

export function resolveNodePathForImports() {
  const dirs = nodePathDirs();
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

/**
 * A bare import made by the function's code (under LAMBDA_TASK_ROOT or its layers' /opt, outside
 * any node_modules) that resolves outside what the deployed function would have fails as on AWS
 * ("Cannot find package"), instead of working here and failing after the deploy. What it has: its
 * code directory, its layers, the NODE_PATH directories (the runtime's SDK; a NODE_PATH of the
 * function's own), and the packages its package.json declares, which `sam build` and the like
 * install into the deployed code (here npm may have hoisted them to a node_modules above it).
 */
export function confineHandlerImports() {
  const taskRoot = process.env.LAMBDA_TASK_ROOT;
  if (!taskRoot || typeof registerHooks !== "function") return;
  const code = [within(realpath(taskRoot)), "/opt/"];
  /** @type {{ roots: string[], declared: Set<string> } | undefined} */
  let reach;
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const out = nextResolve(specifier, context);
      const parent = context.parentURL;
      if (!out.url.startsWith("file:") || parent === undefined || !parent.startsWith("file:") || !isBare(specifier)) return out;
      const from = fileURLToPath(parent);
      // The function's own code only: a package in its node_modules may have its dependencies
      // hoisted above by npm, and `sam build` installs them into the deployed node_modules.
      if (!code.some((d) => from.startsWith(d)) || from.includes(`${path.sep}node_modules${path.sep}`)) return out;
      reach ??= reachable(taskRoot);
      const file = fileURLToPath(out.url);
      if (reach.roots.some((d) => file.startsWith(d)) || reach.declared.has(packageName(specifier))) return out;
      // A package the runtime provides (the SDK) comes from there, as on AWS, not from the project's
      // copy. require() resolves from its parent module whatever parentURL says: from a require of its own.
      const required = context.conditions?.includes("require") === true;
      for (const dir of nodePathDirs()) {
        const index = path.join(path.resolve(dir), "index.js");
        try {
          const provided = required ? { url: pathToFileURL(createRequire(index).resolve(specifier)).href } : nextResolve(specifier, { ...context, parentURL: pathToFileURL(index).href });
          if (provided.url.startsWith("file:") && reach.roots.some((d) => fileURLToPath(provided.url).startsWith(d))) return { ...provided, shortCircuit: true };
        } catch {
          // Not provided there either.
        }
      }
      throw notFound(specifier, from, required);
    },
  });
}

/** @param {string} taskRoot */
function reachable(taskRoot) {
  const roots = [within(realpath(taskRoot)), "/opt/"];
  for (const dir of nodePathDirs()) {
    roots.push(within(realpath(dir)));
    // The runtime's SDK directory holds links: what they point to is reachable too.
    for (const entry of list(dir)) {
      const names = entry.startsWith("@") ? list(path.join(dir, entry)).map((e) => path.join(entry, e)) : [entry];
      for (const name of names) roots.push(within(realpath(path.join(dir, name))));
    }
  }
  /** @type {Set<string>} */
  const declared = new Set();
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(taskRoot, "package.json"), "utf8"));
    for (const field of ["dependencies", "optionalDependencies", "peerDependencies"]) for (const name of Object.keys(manifest?.[field] ?? {})) declared.add(name);
  } catch {
    // No package.json (or not JSON): nothing declared.
  }
  return { roots, declared };
}

/**
 * The error Node gives when nothing is found, so the runtime reports it as it would on AWS.
 * @param {string} specifier @param {string} from @param {boolean} required
 */
function notFound(specifier, from, required) {
  const error = /** @type {NodeJS.ErrnoException} */ (
    new Error(required ? `Cannot find module '${specifier}'\nRequire stack:\n- ${from}` : `Cannot find package '${packageName(specifier)}' imported from ${from}`)
  );
  error.code = required ? "MODULE_NOT_FOUND" : "ERR_MODULE_NOT_FOUND";
  return error;
}

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. @param {string} specifier */
function packageName(specifier) {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0] ?? specifier;
}

/** @param {string} dir */
function within(dir) {
  return dir.endsWith(path.sep) ? dir : dir + path.sep;
}

/** @param {string} p */
function realpath(p) {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

/** @param {string} dir @returns {string[]} */
function list(dir) {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/** @param {string} specifier */
function isBare(specifier) {
  return !specifier.startsWith(".") && !specifier.startsWith("/") && !/^[a-z][a-z0-9+.-]*:/i.test(specifier);
}
