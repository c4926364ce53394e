// @ts-check
// Error types and payloads as AWS's Node runtime interface client (RIC, src/Errors.js) reports
// them (aws-facts §1.5): the payload key is `trace`, not `stackTrace`.

/** An error whose `name` is one of the runtime's own types (Runtime.ImportModuleError, ...). */
export class RuntimeError extends Error {
  /**
   * @param {string} name
   * @param {string} message
   * @param {unknown} [cause]
   */
  constructor(name, message, cause) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = name;
  }
}

/**
 * @param {unknown} error
 * @returns {{ errorType: string, errorMessage: string, trace: string[] }}
 */
export function toRapidResponse(error) {
  try {
    if (error instanceof Error || (typeof error === "object" && error !== null && "name" in error && "message" in error)) {
      const e = /** @type {Error} */ (error);
      return {
        errorType: String(e.name),
        errorMessage: String(e.message),
        trace: typeof e.stack === "string" ? e.stack.split("\n") : [],
      };
    }
    return { errorType: typeof error, errorMessage: String(error), trace: [] };
  } catch {
    return {
      errorType: "handled",
      errorMessage: "callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack",
      trace: [],
    };
  }
}

/** The tab-prefixed JSON the RIC prints after "Invoke Error" or "Uncaught Exception". */
export function toFormatted(error) {
  try {
    return `\t${JSON.stringify(toRapidResponse(error))}`;
  } catch {
    return `\t${JSON.stringify({ errorType: "Runtime.Unknown", errorMessage: String(error) })}`;
  }
}
