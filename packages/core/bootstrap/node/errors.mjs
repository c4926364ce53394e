// @ts-check
// Errors as AWS's Node.js runtime interface client reports them (RIC src/Errors.js; aws-facts §1.5):
// the runtime's own types are named `Runtime.<Name>`, and a function error travels to the Runtime
// API as `{"errorType","errorMessage","trace":[...]}` (the key is `trace`, not `stackTrace`).

const { types } = /** @type {typeof import("node:util")} */ (process.getBuiltinModule("node:util"));

/**
 * An error class whose instances are named `Runtime.<name>`. The name lives on the prototype, as in
 * the RIC, so the stack's first line reads `Runtime.ImportModuleError: Error: Cannot find module...`.
 * @param {string} name
 */
function runtimeError(name) {
  const RuntimeError = class extends Error {};
  RuntimeError.prototype.name = `Runtime.${name}`;
  return RuntimeError;
}

export const MalformedHandlerName = runtimeError("MalformedHandlerName");
export const HandlerNotFound = runtimeError("HandlerNotFound");
/** Its message is the loader's error as a string: `Error: Cannot find module 'x'...`. */
export const ImportModuleError = runtimeError("ImportModuleError");
export const UserCodeSyntaxError = runtimeError("UserCodeSyntaxError");
/** nodejs24.x and later reject callback-style handlers at init (RIC src/function/callback-deprecation.ts). */
export const CallbackHandlerDeprecated = runtimeError("CallbackHandlerDeprecated");
/** nodejs24.x and later: a result JSON.stringify cannot serialise (RIC src/utils/serialize.ts). */
export const JSONStringifyError = runtimeError("JSONStringifyError");

export class NodeJsExit extends Error {
  constructor() {
    super(
      "The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly caused by a Promise that was never settled. For more information, see https://nodejs.org/docs/latest/api/process.html#exit-codes",
    );
  }
}
NodeJsExit.prototype.name = "Runtime.NodeJsExit";

export class UnhandledPromiseRejection extends Error {
  /** @param {unknown} reason @param {Promise<unknown>} promise */
  constructor(reason, promise) {
    // Error(reason) stringifies it: an Error reason becomes "Error: <message>" (aws-facts §2.4).
    super(/** @type {string} */ (reason));
    this.reason = reason;
    this.promise = promise;
  }
}
UnhandledPromiseRejection.prototype.name = "Runtime.UnhandledPromiseRejection";

/**
 * @typedef {{ errorType: string, errorMessage: string, trace: string[] }} RapidError
 */

/** This bootstrap's own directory, as frames name it: a file URL (ESM) or a path (CommonJS). */
const OWN_URL = new URL(".", import.meta.url).href;
const OWN_PATH = decodeURIComponent(new URL(".", import.meta.url).pathname);

/** A frame in one of this directory's own files (not in a folder under it). @param {string} line */
function isOwnFrame(line) {
  for (const dir of [OWN_URL, OWN_PATH]) {
    const i = line.indexOf(dir);
    if (i >= 0 && !line.slice(i + dir.length).split(":")[0]?.includes("/")) return true;
  }
  return false;
}

/** Regex-escaped. @param {string} s */
const escaped = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** This directory's own files (not a folder under it), as a file URL or a path. */
const OWN_FILE_URL = new RegExp(`${escaped(OWN_URL)}[^/\\s:)'"]+\\.mjs`, "g");
const OWN_FILE_PATH = new RegExp(`${escaped(OWN_PATH)}[^/\\s:)'"]+\\.mjs`, "g");

/**
 * Text naming this bootstrap's files (a `Require stack:` line, a frame) names AWS's runtime
 * instead: on AWS the runtime is one file, `/var/runtime/index.mjs` (`file:///var/runtime/index.mjs`
 * in ESM frames), as a Runtime.ImportModuleError's payload shows (`Require stack:\n- /var/task/app.js\n-
 * /var/runtime/index.mjs`, frames `at _loadUserApp (file:///var/runtime/index.mjs:1087:17)`:
 * aws-samples/s3-to-lambda-patterns#40, nodejs22.x). A local install's path is lambda-sim's, not
 * the function's: it told a client where lambda-sim lives and read as the user's missing file.
 * The user's own paths are left as they are. Line and column numbers stay this bootstrap's.
 * @param {string} text
 */
export function asRuntimePaths(text) {
  return text.replace(OWN_FILE_URL, "file:///var/runtime/index.mjs").replace(OWN_FILE_PATH, "/var/runtime/index.mjs");
}

/**
 * A stack as lines, ending with the user's frames: from the first frame of this bootstrap on
 * (and the promise plumbing under it), the lines describe lambda-sim, not the function, and
 * AWS's runtime shows no such frames of a local install. An error raised by the bootstrap itself
 * (no user frame above its own) keeps its stack, its frames in AWS's runtime file (asRuntimePaths).
 * @param {string} stack
 */
export function stackLines(stack) {
  const lines = stackLinesOf(stack);
  return lines.map(asRuntimePaths);
}

/** @param {string} stack */
function stackLinesOf(stack) {
  const lines = stack.split("\n");
  const frames = lines.map((l) => /^\s+at /.test(l));
  const first = frames.indexOf(true);
  if (first < 0 || isOwnFrame(lines[first] ?? "")) return lines;
  const cut = lines.findIndex((l, i) => i > first && frames[i] && isOwnFrame(l));
  return cut < 0 ? lines : lines.slice(0, cut);
}

/** @param {any} obj duck-typed errors (another realm's, or hand-made) count as errors too */
function isErrorLike(obj) {
  return obj && typeof obj.name === "string" && obj.name && typeof obj.message === "string" && obj.message && typeof obj.stack === "string" && obj.stack;
}

/**
 * The body of an error POST. Non-errors are reported by type: `callback("boom")` gives
 * `{"errorType":"string","errorMessage":"boom","trace":[]}`. DEL characters are escaped because
 * the value also travels in a header.
 * @param {any} error
 * @returns {RapidError}
 */
export function toRapidResponse(error) {
  try {
    if (types.isNativeError(error) || isErrorLike(error)) {
      return {
        errorType: error.name?.replaceAll("\x7F", "%7F"),
        errorMessage: (typeof error.message === "string" ? asRuntimePaths(error.message) : error.message)?.replaceAll("\x7F", "%7F"),
        trace: stackLines(error.stack.replaceAll("\x7F", "%7F")),
      };
    }
    return { errorType: typeof error, errorMessage: error.toString(), trace: [] };
  } catch {
    return {
      errorType: "handled",
      errorMessage: "callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack",
      trace: [],
    };
  }
}

/** @param {unknown} err */
export function intoError(err) {
  return err instanceof Error ? err : new Error(/** @type {string} */ (err));
}

/**
 * The tab-prefixed JSON the RIC logs after "Invoke Error", "Uncaught Exception" and friends: name,
 * message and code, the error's own enumerable fields, and the stack as an array of lines.
 * @param {unknown} error
 */
export function toFormatted(error) {
  try {
    return `\t${JSON.stringify(error, (_key, value) => withEnumerableProperties(value))}`;
  } catch {
    return `\t${JSON.stringify(toRapidResponse(error))}`;
  }
}

/** @param {unknown} value */
function withEnumerableProperties(value) {
  if (!(value instanceof Error)) return value;
  /** @type {Record<string, unknown>} */
  const out = { errorType: value.name, errorMessage: asRuntimePaths(value.message), code: /** @type {any} */ (value).code, ...value };
  if (typeof value.stack === "string") out.stack = stackLines(value.stack);
  return out;
}
