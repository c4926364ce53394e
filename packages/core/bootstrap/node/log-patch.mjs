// @ts-check
// console.* as the RIC patches it (src/LogPatch.js; aws-facts §2.4): each call writes one record to
// stdout, `<ISO time>\t<requestId>\t<LEVEL>\t<util.format(...args)>`, with newlines folded to \r so
// a multi-line message stays one record; or one JSON object when AWS_LAMBDA_LOG_FORMAT=JSON.
// AWS_LAMBDA_LOG_LEVEL silences the levels below it; FATAL is never silenced.
import { asRuntimePaths, intoError, stackLines, toFormatted } from "./errors.mjs";

const { format } = /** @type {typeof import("node:util")} */ (process.getBuiltinModule("node:util"));

// The RIC keeps the current request and tenant in globals under registered symbols; tools that
// read them (rather than the context object) keep working here.
const REQUEST_ID = Symbol.for("aws.lambda.runtime.requestId");
const TENANT_ID = Symbol.for("aws.lambda.runtime.tenantId");
/** @type {Record<symbol, string | undefined>} */
const slots = /** @type {any} */ (globalThis);

/**
 * The request the logs are attributed to. It is not cleared after an invocation: a timer that
 * fires later logs with the previous request's id, as on AWS. Before the first one: `undefined`.
 * @param {string} requestId @param {string | undefined} tenantId
 */
export function setLoggingContext(requestId, tenantId) {
  slots[REQUEST_ID] = requestId;
  slots[TENANT_ID] = tenantId;
}

const LEVELS = /** @type {const} */ (["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"]);

/** @type {(message: string, error: unknown) => void} */
let errorLogger = () => {};

/**
 * Logs an error the runtime itself reports ("Invoke Error", "Uncaught Exception", ...): in text
 * format `ERROR\t<message> \t{json}`, in JSON format the error object as the message.
 * @param {string} message @param {unknown} error
 */
export function logError(message, error) {
  errorLogger(message, error);
}

export function patchConsole() {
  const json = process.env.AWS_LAMBDA_LOG_FORMAT?.toUpperCase() === "JSON";
  const minLevel = Math.max(0, LEVELS.indexOf(/** @type {any} */ (process.env.AWS_LAMBDA_LOG_LEVEL?.toUpperCase())));
  const nop = () => {};
  /** @param {(typeof LEVELS)[number]} level */
  const writer = (level) => {
    if (LEVELS.indexOf(level) < minLevel && level !== "FATAL") return nop;
    if (json) {
      return (/** @type {unknown} */ message, /** @type {unknown[]} */ ...params) => {
        process.stdout.write(`${jsonRecord(level, message, params).replace(/\n/g, "\r")}\n`);
      };
    }
    return (/** @type {unknown} */ message, /** @type {unknown[]} */ ...params) => {
      const line = `${new Date().toISOString()}\t${slots[REQUEST_ID]}\t${level}\t${format(message, ...params)}`;
      process.stdout.write(`${line.replace(/\n/g, "\r")}\n`);
    };
  };
  const con = /** @type {Console & { fatal: (...args: unknown[]) => void }} */ (console);
  con.trace = writer("TRACE");
  con.debug = writer("DEBUG");
  con.info = writer("INFO");
  con.log = con.info;
  con.warn = writer("WARN");
  con.error = writer("ERROR");
  con.fatal = writer("FATAL");
  errorLogger = json ? (_message, error) => console.error(intoError(error)) : (message, error) => console.error(message, toFormatted(intoError(error)));
}

/**
 * One JSON record (RIC formatJsonMessage): a lone argument is kept as a value (errors expanded),
 * several are formatted together and the first error among them adds errorType/errorMessage/stackTrace.
 * @param {string} level @param {unknown} message @param {unknown[]} params
 */
function jsonRecord(level, message, params) {
  /** @type {Record<string, unknown>} */
  const record = { timestamp: new Date().toISOString(), level, requestId: slots[REQUEST_ID] };
  const tenantId = slots[TENANT_ID];
  if (tenantId !== undefined && tenantId !== null) record.tenantId = tenantId;
  if (params.length === 0) {
    record.message = message;
    try {
      return JSON.stringify(record, errorReplacer);
    } catch {
      record.message = format(message);
      return JSON.stringify(record);
    }
  }
  const text = format(message, ...params);
  record.message = text;
  const error = [message, ...params].find((p) => p instanceof Error);
  if (error instanceof Error) {
    // Its formatted stack names this bootstrap's files as AWS's runtime file (asRuntimePaths).
    record.message = asRuntimePaths(text);
    record.errorType = error.constructor?.name ?? "UnknownError";
    record.errorMessage = asRuntimePaths(error.message);
    record.stackTrace = typeof error.stack === "string" ? stackLines(error.stack) : [];
  }
  return JSON.stringify(record);
}

/** @param {string} _key @param {unknown} value */
function errorReplacer(_key, value) {
  if (!(value instanceof Error)) return value;
  return {
    errorType: value.constructor?.name ?? "UnknownError",
    errorMessage: typeof value.message === "string" ? asRuntimePaths(value.message) : value.message,
    stackTrace: typeof value.stack === "string" ? stackLines(value.stack) : value.stack,
    ...value,
  };
}
