import { describe, expect, it } from "vitest";
import { matchesStreamFilters, parseStreamFilterCriteria } from "./stream-filter-stub.ts";

const f = (...patterns: object[]) => parseStreamFilterCriteria({ Filters: patterns.map((p) => ({ Pattern: JSON.stringify(p) })) })!;

describe("FilterCriteria on a Kinesis record's data (stand-in matcher)", () => {
  const rec = (data: unknown, partitionKey = "k") => ({ partitionKey, data });
  it.each([
    [{ data: { type: ["click"] } }, rec({ type: "click" }), true],
    [{ data: { type: ["click"] } }, rec({ type: "view" }), false],
    [{ data: { type: ["click"] } }, rec("not json"), false],
    [{ data: { page: [{ prefix: "/shop" }] } }, rec({ page: "/shop/1" }), true],
    [{ data: { n: [{ numeric: [">", 10, "<=", 20] }] } }, rec({ n: 15 }), true],
    [{ data: { n: [{ numeric: [">", 10, "<=", 20] }] } }, rec({ n: 25 }), false],
    [{ data: { type: [{ "anything-but": ["poison"] }] } }, rec({ type: "ok" }), true],
    [{ data: { bot: [{ exists: false }] } }, rec({ type: "x" }), true],
    [{ partitionKey: ["user-1"] }, rec({}, "user-1"), true],
  ])("%j against %j", (pattern, record, expected) => {
    expect(matchesStreamFilters(f(pattern), record)).toBe(expected);
  });

  it("ORs the filters and refuses invalid patterns with AWS's message", () => {
    expect(matchesStreamFilters(f({ data: { a: [1] } }, { data: { b: [2] } }), rec({ b: 2 }))).toBe(true);
    expect(() => parseStreamFilterCriteria({ Filters: [{ Pattern: "{not json" }] })).toThrow("Invalid filter pattern definition.");
    expect(() => parseStreamFilterCriteria({ Filters: [{ Pattern: '{"data": "click"}' }] })).toThrow("Invalid filter pattern definition.");
  });
});
