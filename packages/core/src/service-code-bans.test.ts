import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// DESIGN.md "Time" and STYLE.md 7.4/7.5: service logic reads time from the Clock and randomness
// from the seeded Rng, never from the globals, so that --time-scale, the VirtualClock and --seed
// apply everywhere. A lint rule would do the same; this test needs no lint setup and cannot be
// switched off per line.
//
// Exempt: the clocks and the stopwatch (clock/), the random source (random/), tests, and the
// test harness (testing/), which waits on real servers and processes for users' tests.

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const EXEMPT = [
  /\.test\.ts$/,
  /^packages\/core\/src\/clock\//,
  /^packages\/core\/src\/random\//,
  /^packages\/core\/src\/testing\//,
];

const BANNED: { pattern: RegExp; fix: string }[] = [
  { pattern: /\bDate\.now\b/, fix: "Date.now → clock.now() (stopwatch.epochNow() only for a handler's deadline)" },
  { pattern: /\bnew\s+Date\s*\(\s*\)/, fix: "new Date() → new Date(clock.now())" },
  { pattern: /(?<![\w$.])setTimeout\s*\(/, fix: "setTimeout → clock.setTimer / clock.sleep (stopwatch.after only for handler timeouts)" },
  { pattern: /(?<![\w$.])setInterval\s*\(/, fix: "setInterval → clock.setTimer, re-armed from its callback" },
  { pattern: /\b(?:globalThis|global|window)\.(?:setTimeout|setInterval)\b/, fix: "global timers → clock.setTimer" },
  { pattern: /\bMath\.random\b/, fix: "Math.random → rng.stream(name).next()" },
  { pattern: /\bperformance\.now\b/, fix: "performance.now → stopwatch.now() (handler wall time) or clock.now()" },
  { pattern: /(?:from\s*|require\s*\(\s*|import\s*\(\s*)["'](?:node:)?timers(?:\/promises)?["']/, fix: "node:timers → the Clock" },
];

/**
 * Blanks // and /* *\/ comments (keeping line numbers), skipping over string and template
 * literals so "http://…" is not a comment. Rough by design: regex literals and `${}` nesting are
 * not parsed; a false positive there is fixed by rewording the line.
 */
function stripComments(text: string): string {
  let out = "";
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote !== undefined) {
      out += c;
      if (c === "\\") out += text[++i] ?? "";
      else if (c === quote || (c === "\n" && quote !== "`")) quote = undefined;
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") (out += " "), i++;
      out += text[i] ?? "";
    } else if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      const stop = end === -1 ? text.length : end + 2;
      out += text.slice(i, stop).replace(/[^\n]/g, " ");
      i = stop - 1;
    } else {
      if (c === '"' || c === "'" || c === "`") quote = c;
      out += c;
    }
  }
  return out;
}

/** Every banned use in one file's text, as 1-based line numbers with the fix to apply. */
function findBannedCalls(text: string): { line: number; code: string; fix: string }[] {
  const found: { line: number; code: string; fix: string }[] = [];
  const original = text.split("\n");
  stripComments(text)
    .split("\n")
    .forEach((line, i) => {
      for (const { pattern, fix } of BANNED) {
        if (pattern.test(line)) found.push({ line: i + 1, code: original[i]!.trim(), fix });
      }
    });
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" ? [] : sourceFiles(p);
    return e.name.endsWith(".ts") ? [p] : [];
  });
}

describe("findBannedCalls", () => {
  it.each([
    ["const t = Date.now();", 1],
    ["const now = opts.wallNow ?? Date.now;", 1],
    ["const d = new Date();", 1],
    ["const d = new Date( );", 1],
    ["setTimeout(() => {}, 10);", 1],
    ["const h = setInterval(poll, 1000);", 1],
    ["globalThis.setTimeout(fn, 1);", 1],
    ["if (Math.random() < 0.5) retry();", 1],
    ["const t0 = performance.now();", 1],
    ['import { setTimeout as delay } from "node:timers/promises";', 1],
    ["const d = new Date(clock.now());", 0],
    ["const d = new Date(row.created_at).toISOString();", 0],
    ["socket.setTimeout(5_000);", 0],
    ["clock.setTimer(10, fn, 'x');", 0],
    ["// Date.now() is banned; use clock.now()", 0],
    ["const x = 1; // setTimeout( would be wrong here", 0],
    ["/* Math.random() */ const y = rng.stream('ids').next();", 0],
    ["/**\n * new Date() and setInterval(\n */", 0],
    ['const url = "http://localhost"; const t = Date.now();', 1],
    ["const s = '/* not a comment */'; Math.random();", 1],
  ])("%s → %i finding(s)", (code, count) => {
    expect(findBannedCalls(code)).toHaveLength(count);
  });

  it("reports the right line after a multi-line comment", () => {
    const text = "/*\n comment\n*/\nconst a = 1;\nconst t = Date.now();\n";
    expect(findBannedCalls(text)).toEqual([{ line: 5, code: "const t = Date.now();", fix: expect.stringContaining("clock.now()") }]);
  });
});

describe("service code takes time and randomness only from the Clock, the stopwatch and the Rng", () => {
  it("has no Date.now, new Date(), setTimeout, setInterval, Math.random or performance.now outside clock/ and random/", () => {
    const offences: string[] = [];
    const packagesDir = join(ROOT, "packages");
    for (const pkg of readdirSync(packagesDir)) {
      let files: string[];
      try {
        files = sourceFiles(join(packagesDir, pkg, "src"));
      } catch {
        continue; // a package without src/
      }
      for (const file of files) {
        const rel = relative(ROOT, file).split(sep).join("/");
        if (EXEMPT.some((r) => r.test(rel))) continue;
        for (const f of findBannedCalls(readFileSync(file, "utf8"))) offences.push(`  ${rel}:${f.line}: ${f.code}\n      fix: ${f.fix}`);
      }
    }
    const message =
      "Service code must not read the wall clock, arm real timers or draw unseeded randomness: take " +
      "time from the Clock (clock.now(), clock.setTimer, clock.sleep), handler wall time from " +
      "`stopwatch` (clock/stopwatch.ts, runtime drivers only) and randomness from the Rng " +
      "(rng.stream(name)). Offending lines:\n" +
      offences.join("\n");
    expect(offences, message).toEqual([]);
  });
});
