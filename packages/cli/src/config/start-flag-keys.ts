import { dottedPath } from "@lambda-sim/core";

/**
 * Settings of the running process, not of the architecture: `lambda-sim start` flags, which a
 * lambda-sim.yaml (alone, or beside a template) does not set, as none of these is. A file that
 * writes one is told the flag, rather than only "unknown key".
 */
const START_FLAGS: Readonly<Record<string, string>> = {
  timescale: "--time-scale N",
  clock: "--clock system|virtual",
  seed: "--seed S",
  asyncconcurrency: "--async-concurrency N",
  catchup: "--catch-up",
  port: "--port N",
  host: "--host H",
  state: "--state DIR",
};

/** The flag a top-level key of lambda-sim.yaml stands for (`timeScale`, `time-scale`, `time_scale`), if it is one. */
function startFlagOf(key: string): string | undefined {
  return START_FLAGS[key.toLowerCase().replace(/[-_]/g, "")];
}

/**
 * The schema's lines with each top-level unknown key that is a start flag saying so:
 * `lambda-sim.yaml:1 timeScale: unknown key: a start flag, not a file setting (lambda-sim start --time-scale N)`.
 */
export function withStartFlagHints(lines: readonly string[], file: string, raw: unknown): string[] {
  const keys = raw !== null && typeof raw === "object" && !Array.isArray(raw) ? Object.keys(raw) : [];
  // The tail of the schema's line for each such key (` timeScale: unknown key`), and what it gains.
  const hints = new Map<string, string>();
  for (const key of keys) {
    const flag = startFlagOf(key);
    if (flag !== undefined) hints.set(` ${dottedPath([key])}: unknown key`, `: a start flag, not a file setting (lambda-sim start ${flag})`);
  }
  return lines.map((line) => {
    const at = line.startsWith(`${file}:`) ? line.indexOf(" ", file.length) : -1;
    const hint = at < 0 ? undefined : hints.get(line.slice(at));
    return hint === undefined ? line : line + hint;
  });
}
