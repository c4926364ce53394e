// @ts-check
// console.* as the RIC patches it (src/LogPatch.js, aws-facts §2.4): one record per call, text
// `<ISO time>\t<requestId>\t<LEVEL>\t<message>` with newlines folded to \r so a multi-line message
// stays one record, or JSON when AWS_LAMBDA_LOG_FORMAT=JSON.
import { format } from "node:util";

/** @type {{ requestId: string | undefined }} */
export const logContext = { requestId: undefined };

const LEVELS = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"];

export function patchConsole() {
  const json = (process.env.AWS_LAMBDA_LOG_FORMAT ?? "").toUpperCase() === "JSON";
  const minLevel = json ? Math.max(0, LEVELS.indexOf((process.env.AWS_LAMBDA_LOG_LEVEL ?? "TRACE").toUpperCase())) : 0;
  /** @param {string} level */
  const writer = (level) => {
    if (LEVELS.indexOf(level) < minLevel) return () => {};
    return (/** @type {unknown[]} */ ...args) => {
      const time = new Date().toISOString();
      const message = format(...args);
      const line = json
        ? JSON.stringify({ timestamp: time, level, requestId: logContext.requestId, message })
        : `${time}\t${logContext.requestId}\t${level}\t${message.replace(/\n/g, "\r")}`;
      process.stdout.write(`${line}\n`);
    };
  };
  console.trace = writer("TRACE");
  console.debug = writer("DEBUG");
  console.info = writer("INFO");
  console.log = writer("INFO");
  console.warn = writer("WARN");
  console.error = writer("ERROR");
  /** @type {any} */ (console).fatal = writer("FATAL");
}
