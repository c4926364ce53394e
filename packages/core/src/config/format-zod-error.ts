import type { z } from "zod";

export type Path = readonly PropertyKey[];

/**
 * One line per problem: `<file>:<line> <key.path>: expected …, got …` (DESIGN.md "Config": every
 * error names the file, the key path and what was expected). Lines come from a callback so core
 * does not depend on the YAML parser.
 */
export function formatZodError(
  error: z.ZodError,
  file: string,
  lineOf: (path: Path) => number | undefined,
  knownKeysAt: (path: Path) => string[] = () => [],
): string[] {
  const lines: string[] = [];
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        const path = [...issue.path, key];
        lines.push(`${where(file, lineOf(path))} ${dotted(path)}: unknown key${suggest(key, knownKeysAt(issue.path))}`);
      }
      continue;
    }
    const got = "input" in issue ? describe(issue.input) : undefined;
    const message = issue.message.startsWith("expected") ? issue.message : `expected ${issue.message}`;
    const tail = got === undefined ? ", but it is missing" : `, got ${got}`;
    lines.push(`${where(file, lineOf(issue.path))} ${dotted(issue.path)}: ${message}${tail}`);
  }
  return lines;
}

function where(file: string, line: number | undefined): string {
  return line === undefined ? `${file}:` : `${file}:${line}`;
}

function dotted(path: Path): string {
  return path.length === 0 ? "(top level)" : path.map(String).join(".");
}

function describe(input: unknown): string | undefined {
  if (input === undefined) return undefined;
  if (typeof input === "string") return `'${input}'`;
  if (Array.isArray(input)) return `a list`;
  if (input === null) return "null";
  if (typeof input === "object") return "a map";
  return String(input);
}

function suggest(key: string, known: string[]): string {
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of known) {
    const d = distance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best === undefined ? "" : ` (did you mean '${best}'?)`;
}

function distance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]!;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]!;
      dp[j] = a[i - 1] === b[j - 1] ? prev : 1 + Math.min(prev, dp[j]!, dp[j - 1]!);
      prev = tmp;
    }
  }
  return dp[b.length]!;
}
