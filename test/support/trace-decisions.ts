import { readFileSync } from "node:fs";

/**
 * A `--trace` file's service decisions, one JSON text per event: what a seeded replay must give
 * again. Real handlers' wall-clock measurements and output (logs, result previews) differ run to
 * run and are left out.
 */
export function traceDecisions(file: string): string[] {
  return readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l))
    .filter((e) => e.type !== "function.log")
    .map(({ durationMs, billedDurationMs, initDurationMs, maxMemoryUsedMb, result, ...rest }) => JSON.stringify(rest));
}
