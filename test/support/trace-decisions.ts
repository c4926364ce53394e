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

/**
 * The decisions by service instant (README "Replay"): which of the real processes running at one
 * instant answers first is wall time's to decide, and the trace lists their ends in that order,
 * so within an instant the order (and so `seq`) may differ between runs; what happened at each
 * instant may not.
 */
export function decisionsByInstant(file: string): string[] {
  return traceDecisions(file)
    .map((d) => {
      const { seq: _seq, ...rest } = JSON.parse(d) as Record<string, unknown>;
      return `${String(rest.time)} ${JSON.stringify(rest)}`;
    })
    .sort();
}
