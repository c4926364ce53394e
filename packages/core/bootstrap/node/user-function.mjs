// @ts-check
// Loads the handler named by _HANDLER (`path/to/module.export[.nested]`) the way the RIC does
// (src/UserFunction.js): relative to LAMBDA_TASK_ROOT, trying the bare name, then .js (CommonJS
// unless the nearest package.json says "type": "module"), .mjs and .cjs, then Node's own module
// resolution; with the RIC's error types and messages (aws-facts §1.5).
import { HandlerNotFound, ImportModuleError, MalformedHandlerName, UserCodeSyntaxError } from "./errors.mjs";

const { existsSync, readFileSync } = /** @type {typeof import("node:fs")} */ (process.getBuiltinModule("node:fs"));
const path = /** @type {typeof import("node:path")} */ (process.getBuiltinModule("node:path"));
const { createRequire } = /** @type {typeof import("node:module")} */ (process.getBuiltinModule("node:module"));
const { pathToFileURL } = /** @type {typeof import("node:url")} */ (process.getBuiltinModule("node:url"));

// CommonJS code is required from the runtime's entry file, so a missing module reads
// "Cannot find module 'x'\nRequire stack:\n- <task>/app.js\n- <runtime>/index.mjs", as on AWS
// where the last line is /var/runtime/index.mjs.
const runtimeRequire = createRequire(new URL("./index.mjs", import.meta.url));

const FUNCTION_EXPR = /^([^.]*)\.(.*)$/;

/**
 * @param {string} appRoot LAMBDA_TASK_ROOT
 * @param {string} fullHandler _HANDLER
 * @param {{ defaultExportFallback: boolean }} options nodejs24.x and later also look under the
 *   module's `default` export (RIC src/function/handler-resolver.ts)
 * @returns {Promise<Function>}
 */
export async function loadHandler(appRoot, fullHandler, options) {
  if (fullHandler.includes("..")) {
    throw new MalformedHandlerName(`'${fullHandler}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`);
  }
  const handlerString = path.basename(fullHandler);
  const moduleRoot = fullHandler.substring(0, fullHandler.indexOf(handlerString));
  const match = FUNCTION_EXPR.exec(handlerString);
  if (match === null) throw new MalformedHandlerName("Bad handler");
  const moduleName = /** @type {string} */ (match[1]);
  const handlerPath = /** @type {string} */ (match[2]);

  const app = await loadUserApp(appRoot, moduleRoot, moduleName);
  let handler = resolve(app, handlerPath);
  if (!handler && options.defaultExportFallback && app && typeof app === "object" && "default" in app) handler = resolve(app.default, handlerPath);
  if (!handler) throw new HandlerNotFound(`${fullHandler} is undefined or not exported`);
  if (typeof handler !== "function") throw new HandlerNotFound(`${fullHandler} is not a function`);
  return handler;
}

/** @param {any} object @param {string} nestedPath */
function resolve(object, nestedPath) {
  return nestedPath.split(".").reduce((nested, key) => nested && nested[key], object);
}

/**
 * A syntax error while loading becomes Runtime.UserCodeSyntaxError and a module that cannot be
 * found (MODULE_NOT_FOUND, CommonJS) Runtime.ImportModuleError, both with the original error's
 * text as message. Anything else, including ESM's ERR_MODULE_NOT_FOUND and exceptions thrown by
 * the module's own top-level code, is reported as it is.
 * @param {string} appRoot @param {string} moduleRoot @param {string} moduleName
 */
async function loadUserApp(appRoot, moduleRoot, moduleName) {
  try {
    return await tryLoad(appRoot, moduleRoot, moduleName);
  } catch (e) {
    if (e instanceof SyntaxError) throw new UserCodeSyntaxError(String(e));
    if (/** @type {NodeJS.ErrnoException} */ (e)?.code === "MODULE_NOT_FOUND") throw new ImportModuleError(String(e));
    throw e;
  }
}

/** @param {string} appRoot @param {string} moduleRoot @param {string} moduleName */
async function tryLoad(appRoot, moduleRoot, moduleName) {
  const file = path.resolve(appRoot, moduleRoot, moduleName);
  const extensionless = requireIfExists(file);
  if (extensionless) return extensionless;

  const typeModule = hasPackageJsonTypeModule(path.dirname(file));
  if (!typeModule) {
    const loaded = requireIfExists(`${file}.js`);
    if (loaded) return loaded;
  }
  const loaded = (typeModule && (await importIfExists(`${file}.js`))) || (await importIfExists(`${file}.mjs`)) || requireIfExists(`${file}.cjs`);
  if (loaded) return loaded;

  // Not a file beside the handler path: a package or directory, resolved as require() would
  // from the task root.
  return runtimeRequire(runtimeRequire.resolve(moduleName, { paths: [appRoot, moduleRoot] }));
}

/** @param {string} file */
function requireIfExists(file) {
  return existsSync(file) ? runtimeRequire(file) : undefined;
}

/** @param {string} file */
async function importIfExists(file) {
  return existsSync(file) ? await import(pathToFileURL(file).href) : undefined;
}

/**
 * Whether the nearest package.json above `folder` has "type": "module"; the search stops at a
 * node_modules directory or the filesystem root.
 * @param {string} folder
 */
function hasPackageJsonTypeModule(folder) {
  for (;;) {
    if (folder.endsWith("/node_modules")) return false;
    const pj = path.join(folder, "package.json");
    if (existsSync(pj)) {
      try {
        const pkg = JSON.parse(readFileSync(pj, "utf8"));
        if (pkg) return pkg.type === "module";
      } catch (e) {
        console.warn(`${pj} cannot be read, it will be ignored for ES module detection purposes.`, e);
        return false;
      }
    }
    if (folder === "/" || folder === path.dirname(folder)) return false;
    folder = path.dirname(folder);
  }
}
