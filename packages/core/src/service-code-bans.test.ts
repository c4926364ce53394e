import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// DESIGN.md "Time": service logic reads the Clock and the seeded Rng, never the globals, so that
// --time-scale, the VirtualClock and --seed apply everywhere. Exempt: the clocks and the random
// source themselves, the test harness, and tests.
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const EXEMPT = [/\.test\.ts$/, /^packages\/core\/src\/clock\//, /^packages\/core\/src\/random\//, /^packages\/core\/src\/testing\//];
const BANNED: [RegExp, string][] = [
  [/\bDate\.now\(/, "Date.now() → clock.now() (or stopwatch for handler wall time)"],
  [/new Date\(\)/, "new Date() → new Date(clock.now())"],
  [/(?<![.\w])setTimeout\(/, "setTimeout → clock.setTimer (or stopwatch.after for handler deadlines)"],
  [/(?<![.\w])setInterval\(/, "setInterval → clock.setTimer, rescheduled"],
  [/\bMath\.random\(/, "Math.random() → rng.stream(name)"],
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" ? [] : sourceFiles(p);
    return e.name.endsWith(".ts") ? [p] : [];
  });
}

function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, " ")).replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
}

describe("service code takes time and randomness only from the Clock and the Rng", () => {
  it("has no Date.now, new Date(), setTimeout, setInterval or Math.random outside clock/ and random/", () => {
    const offences: string[] = [];
    for (const pkg of readdirSync(join(ROOT, "packages"))) {
      let files: string[] = [];
      try {
        files = sourceFiles(join(ROOT, "packages", pkg, "src"));
      } catch {
        continue;
      }
      for (const file of files) {
        const rel = relative(ROOT, file);
        if (EXEMPT.some((r) => r.test(rel))) continue;
        stripComments(readFileSync(file, "utf8"))
          .split("\n")
          .forEach((line, i) => {
            for (const [pattern, fix] of BANNED) if (pattern.test(line)) offences.push(`${rel}:${i + 1}: ${fix}`);
          });
      }
    }
    expect(offences, `use the Clock / Rng / stopwatch instead:\n${offences.join("\n")}`).toEqual([]);
  });
});
