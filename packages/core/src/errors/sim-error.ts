/**
 * Internal errors of the simulator itself (not AWS errors): bad config, a state directory from a
 * newer version, a port in use. `user` errors are printed as one line by the cli; `system` errors
 * with their stack.
 */
export type SimErrorCode =
  | "ERR_CONFIG"
  | "ERR_STATE_TOO_NEW"
  | "ERR_STATE_IN_USE"
  | "ERR_PORT_IN_USE"
  | "ERR_CODE_DIR"
  | "ERR_NOT_RUNNING"
  | "ERR_REFUSED"
  | "ERR_INTERNAL";

const USER_CODES: ReadonlySet<SimErrorCode> = new Set([
  "ERR_CONFIG",
  "ERR_STATE_TOO_NEW",
  "ERR_STATE_IN_USE",
  "ERR_PORT_IN_USE",
  "ERR_CODE_DIR",
  "ERR_NOT_RUNNING",
  "ERR_REFUSED",
]);

export class SimError extends Error {
  readonly code: SimErrorCode;

  constructor(code: SimErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = `SimError [${code}]`;
  }

  get isUserError(): boolean {
    return USER_CODES.has(this.code);
  }
}

export function isSimError(e: unknown): e is SimError {
  return e instanceof Error && e.name.startsWith("SimError [");
}

/** An exception's first line and the first frame of its stack (where it was thrown). */
export function describeException(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const lines = (e.stack ?? `${e.name}: ${e.message}`).split("\n");
  const frame = lines.find((l) => l.trimStart().startsWith("at "))?.trim();
  return frame === undefined ? lines[0]! : `${lines[0]} (${frame})`;
}
