// @ts-check
// Loads the handler named by _HANDLER (`dir/module.export[.nested]`) the way the RIC does
// (src/UserFunction.js): .js, .mjs, .cjs, package.json `type`, with the RIC's error types.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { RuntimeError } from "./errors.mjs";

const FUNCTION_EXPR = /^([^.]*)\.(.*)$/;

/**
 * @param {string} appRoot LAMBDA_TASK_ROOT
 * @param {string} fullHandler _HANDLER
 * @returns {Promise<Function>}
 */
export async function loadHandler(appRoot, fullHandler) {
  if (fullHandler.includes("..")) {
    throw new RuntimeError("Runtime.MalformedHandlerName", "'..' is not allowed in handler name. Please use the handler name relative to the function root.");
  }
  const handlerString = basename(fullHandler);
  const moduleRoot = fullHandler.slice(0, fullHandler.length - handlerString.length);
  const match = FUNCTION_EXPR.exec(handlerString);
  if (match === null) throw new RuntimeError("Runtime.MalformedHandlerName", "Bad handler");
  const moduleName = /** @type {string} */ (match[1]);
  const handlerPath = /** @type {string} */ (match[2]);
  const mod = await loadModule(appRoot, moduleRoot, moduleName);
  /** @type {any} */
  let fn = mod;
  for (const part of handlerPath.split(".")) fn = fn?.[part];
  // An ES module loaded with import() exposes CommonJS exports under `default` too.
  if (fn === undefined && mod?.default !== undefined) {
    fn = mod.default;
    for (const part of handlerPath.split(".")) fn = fn?.[part];
  }
  if (fn === undefined || fn === null) throw new RuntimeError("Runtime.HandlerNotFound", `${fullHandler} is undefined or not exported`);
  if (typeof fn !== "function") throw new RuntimeError("Runtime.HandlerNotFound", `${fullHandler} is not a function`);
  return fn;
}

/**
 * @param {string} appRoot @param {string} moduleRoot @param {string} moduleName
 * @returns {Promise<any>}
 */
async function loadModule(appRoot, moduleRoot, moduleName) {
  const base = resolve(appRoot, moduleRoot, moduleName);
  for (const ext of [".js", ".mjs", ".cjs", ""]) {
    const file = base + ext;
    if (ext === "" ? existsSync(file) && !existsSync(`${file}/`) : existsSync(file)) return importFile(file);
  }
  // Not a file next to the handler: a directory or a package, resolved as require() would.
  let resolved;
  try {
    resolved = createRequire(resolve(appRoot, "noop.js")).resolve(resolve(appRoot, moduleRoot, moduleName));
  } catch {
    throw new RuntimeError(
      "Runtime.ImportModuleError",
      `Error: Cannot find module '${moduleName}'\nRequire stack:\n- ${import.meta.filename}`,
    );
  }
  return importFile(resolved);
}

/** @param {string} file */
async function importFile(file) {
  try {
    return await import(pathToFileURL(file).href);
  } catch (e) {
    const err = /** @type {NodeJS.ErrnoException} */ (e);
    if (err instanceof SyntaxError) throw new RuntimeError("Runtime.UserCodeSyntaxError", `${err.name}: ${err.message}`, err);
    if (err?.code === "ERR_MODULE_NOT_FOUND" || err?.code === "MODULE_NOT_FOUND") {
      throw new RuntimeError("Runtime.ImportModuleError", `Error: ${err.message}`, err);
    }
    throw e; // the module's own code threw while loading: reported with its own type
  }
}
