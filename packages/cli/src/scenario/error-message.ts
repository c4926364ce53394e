/** The report's one line of a function's error (Observations' firstError). */

/** Our choice: an error message in the report is cut to this many characters, so it stays one readable line. */
const MESSAGE_MAX = 200;

/**
 * The `errorMessage` of an error payload preview (`{"errorType":...,"errorMessage":...}`, cut to
 * PREVIEW_BYTES, so maybe not whole JSON), else the preview itself; one line, cut to MESSAGE_MAX.
 */
export function errorMessage(result: string | undefined): string {
  if (result === undefined) return "";
  let text = result;
  try {
    const m = (JSON.parse(result) as { errorMessage?: unknown } | null)?.errorMessage;
    if (typeof m === "string") text = m;
  } catch {
    const m = /"errorMessage"\s*:\s*"((?:[^"\\]|\\.)*)/.exec(result);
    if (m !== null) text = m[1]!.replace(/\\n/g, " ").replace(/\\(.)/g, "$1");
  }
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > MESSAGE_MAX ? `${line.slice(0, MESSAGE_MAX)}…` : line;
}
