import { describe, expect, it } from "vitest";
import { compileFilterPattern, FilterPatternError } from "./filter-pattern.ts";
import { splitEvents } from "./log-capture.ts";

const matches = (pattern: string, message: string) => compileFilterPattern(pattern)(message);
const line = (json: unknown) => `2026-01-01T00:00:00.000Z\tc0ffee00-0000-4000-8000-000000000000\tINFO\t${JSON.stringify(json)}\n`;

describe("filter patterns", () => {
  it("matches every event when empty", () => {
    expect(matches("", "anything")).toBe(true);
    expect(matches('""', "anything")).toBe(true);
  });

  it("needs every term, case-sensitively; quoted phrases match as a whole", () => {
    expect(matches("ERROR timeout", "ERROR: upstream timeout")).toBe(true);
    expect(matches("ERROR timeout", "ERROR: upstream failed")).toBe(false);
    expect(matches("error", "ERROR")).toBe(false);
    expect(matches('"Task timed out"', "Task timed out after 3.00 seconds")).toBe(true);
    expect(matches('"Task timed out"', "Task was timed out")).toBe(false);
  });

  it("? terms match any of them; - terms exclude", () => {
    expect(matches("?ERROR ?WARN", "WARN disk")).toBe(true);
    expect(matches("?ERROR ?WARN", "INFO disk")).toBe(false);
    expect(matches("ERROR -retry", "ERROR will retry")).toBe(false);
    expect(matches("ERROR -retry", "ERROR gave up")).toBe(true);
    expect(matches('ERROR -"will retry"', "ERROR retry later")).toBe(true);
  });

  it("matches regular expressions between percent signs", () => {
    expect(matches("%ERR(OR)?:\\s+\\d+%", "ERR: 42")).toBe(true);
    expect(matches("%^START%", "END RequestId")).toBe(false);
  });

  it("matches JSON selectors with =, !=, numeric comparisons, wildcards, && and ||", () => {
    const m = line({ level: "error", latency: 250, user: { id: 7, tags: ["a", "b"] }, ok: false, gone: null });
    expect(matches('{ $.level = "error" }', m)).toBe(true);
    expect(matches("{ $.level = err* }", m)).toBe(true);
    expect(matches('{ $.level != "error" }', m)).toBe(false);
    expect(matches("{ $.latency >= 250 && $.user.id = 7 }", m)).toBe(true);
    expect(matches("{ $.latency < 100 || $.user.tags[1] = b }", m)).toBe(true);
    expect(matches("{ ($.latency < 100 || $.level = info) && $.ok IS FALSE }", m)).toBe(false);
    expect(matches("{ $.gone IS NULL }", m)).toBe(true);
    expect(matches("{ $.missing NOT EXISTS }", m)).toBe(true);
    expect(matches("{ $.missing = 1 }", m)).toBe(false);
    expect(matches('{ $.level = "error" }', "not json at all")).toBe(false);
  });

  it("refuses patterns that do not parse, and space-delimited ones", () => {
    for (const p of ["{ $.a = }", "{ $.a > x }", "{ a = 1 }", "{ $.a = 1", "[ip, user]", "%(%"]) expect(() => compileFilterPattern(p)).toThrow(FilterPatternError);
  });
});

describe("log events from function output", () => {
  it("makes one event per line, keeping the newline", () => {
    expect(splitEvents("a\nb\n")).toEqual(["a\n", "b\n"]);
    expect(splitEvents("no newline")).toEqual(["no newline\n"]);
    expect(splitEvents("one line\n")).toEqual(["one line\n"]);
    expect(splitEvents("")).toEqual([]);
  });

  it("keeps a multi-line message (\\r from the Node runtime, or indented stack frames) as one event", () => {
    expect(splitEvents("Error: x\r    at f (index.js:1)\n")).toEqual(["Error: x\n    at f (index.js:1)\n"]);
    expect(splitEvents("Error: x\n    at f (index.js:1)\nnext\n")).toEqual(["Error: x\n    at f (index.js:1)\n", "next\n"]);
  });
});
