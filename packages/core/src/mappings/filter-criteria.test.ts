import { describe, expect, it } from "vitest";
import { isAwsError } from "../errors/aws-error.ts";
import { matchesFilters, parseFilterCriteria, parseFilterData } from "./filter-criteria.ts";

const one = (pattern: unknown) => parseFilterCriteria({ Filters: [{ Pattern: JSON.stringify(pattern) }] });
const matches = (pattern: unknown, record: Record<string, unknown>) => matchesFilters(one(pattern), record);

const order = { body: { city: "Seattle", state: "WA", price: 25, tags: ["new", "sale"], items: [{ sku: "a1", qty: 2 }, { sku: "b2", qty: 0 }], note: null, empty: "" } };

describe("FilterCriteria matching (aws-facts §6, EventBridge pattern subset)", () => {
  it.each([
    ["exact value", { body: { city: ["Seattle"] } }, true],
    ["exact value, other value", { body: { city: ["Portland"] } }, false],
    ["OR list", { body: { city: ["Portland", "Seattle"] } }, true],
    ["exact is case-sensitive", { body: { city: ["seattle"] } }, false],
    ["exact is type-strict", { body: { price: ["25"] } }, false],
    ["exact number", { body: { price: [25] } }, true],
    ["null", { body: { note: [null] } }, true],
    ["null does not match a missing key", { body: { missing: [null] } }, false],
    ["empty string", { body: { empty: [""] } }, true],
    ["empty string is not null", { body: { note: [""] } }, false],
    ["prefix", { body: { state: [{ prefix: "W" }] } }, true],
    ["prefix, no match", { body: { state: [{ prefix: "O" }] } }, false],
    ["prefix needs a string", { body: { price: [{ prefix: "2" }] } }, false],
    ["suffix", { body: { city: [{ suffix: "tle" }] } }, true],
    ["equals-ignore-case", { body: { city: [{ "equals-ignore-case": "SEATTLE" }] } }, true],
    ["anything-but", { body: { state: [{ "anything-but": ["OR", "CA"] }] } }, true],
    ["anything-but, excluded", { body: { state: [{ "anything-but": "WA" }] } }, false],
    ["anything-but needs the key", { body: { missing: [{ "anything-but": "WA" }] } }, false],
    ["anything-but prefix", { body: { city: [{ "anything-but": { prefix: "Port" } }] } }, true],
    ["anything-but prefix, excluded", { body: { city: [{ "anything-but": { prefix: "Sea" } }] } }, false],
    ["anything-but suffix, excluded", { body: { city: [{ "anything-but": { suffix: "tle" } }] } }, false],
    ["numeric range", { body: { price: [{ numeric: [">", 10, "<=", 25] }] } }, true],
    ["numeric range, outside", { body: { price: [{ numeric: [">", 25] }] } }, false],
    ["numeric equals", { body: { price: [{ numeric: ["=", 25] }] } }, true],
    ["numeric needs a number", { body: { city: [{ numeric: [">", 0] }] } }, false],
    ["exists", { body: { city: [{ exists: true }] } }, true],
    ["exists, missing", { body: { zip: [{ exists: true }] } }, false],
    ["does not exist", { body: { zip: [{ exists: false }] } }, true],
    ["does not exist, present", { body: { city: [{ exists: false }] } }, false],
    ["exists on null", { body: { note: [{ exists: true }] } }, true],
    ["does not exist under a missing parent", { body: { nowhere: { zip: [{ exists: false }] } } }, true],
    ["array in data: any element", { body: { tags: ["sale"] } }, true],
    ["array in data: none", { body: { tags: ["old"] } }, false],
    ["array of objects: nested key in any element", { body: { items: { sku: ["b2"] } } }, true],
    ["array of objects: numeric on any element", { body: { items: { qty: [{ numeric: [">", 1] }] } } }, true],
    ["AND between keys", { body: { city: ["Seattle"], state: ["WA"] } }, true],
    ["AND between keys, one fails", { body: { city: ["Seattle"], state: ["OR"] } }, false],
    ["nested key missing", { body: { city: { name: ["Seattle"] } } }, false],
    ["top-level metadata key", { eventSource: ["aws:sqs"] }, true],
  ])("%s", (_name, pattern, expected) => {
    expect(matches(pattern, { ...order, eventSource: "aws:sqs" })).toBe(expected);
  });

  it.each([
    ["300 as written", '{"n":300}', "[300]", true],
    ["300.0 is not 300 (compared as written)", '{"n":300.0}', "[300]", false],
    ["300.0 matches 300.0", '{"n":300.0}', "[300.0]", true],
    ["numeric compares the value", '{"n":300.0}', '[{"numeric":["=",300]}]', true],
    ["anything-but compares as written", '{"n":3e2}', '[{"anything-but":[300]}]', true],
    ["a number is not its string", '{"n":300}', '["300"]', false],
  ])("numbers in parsed data: %s", (_name, data, list, expected) => {
    const filters = parseFilterCriteria({ Filters: [{ Pattern: `{"body":{"n":${list}}}` }] });
    expect(matchesFilters(filters, { body: parseFilterData(data) })).toBe(expected);
  });

  it("ORs between filters", () => {
    const filters = parseFilterCriteria({ Filters: [{ Pattern: '{"body":{"city":["Portland"]}}' }, { Pattern: '{"body":{"state":["WA"]}}' }] });
    expect(matchesFilters(filters, order)).toBe(true);
    expect(matchesFilters(filters, { body: { state: "CA" } })).toBe(false);
  });

  it("matches a plain-string body only with patterns on the body as a string", () => {
    expect(matches({ body: ["hello"] }, { body: "hello" })).toBe(true);
    expect(matches({ body: [{ prefix: "hel" }] }, { body: "hello" })).toBe(true);
    // A JSON pattern against a plain string: dropped (aws-facts §6 body format check).
    expect(matches({ body: { greeting: ["hello"] } }, { body: "hello" })).toBe(false);
    expect(matches({ body: { greeting: [{ exists: false }] } }, { body: "hello" })).toBe(false);
  });

  it("without filters everything matches", () => {
    expect(parseFilterCriteria(undefined)).toBeUndefined();
    expect(parseFilterCriteria({})).toBeUndefined();
    expect(parseFilterCriteria({ Filters: [] })).toBeUndefined();
    expect(matchesFilters(undefined, { body: "x" })).toBe(true);
  });

  it("keeps the pattern as written, for the API response", () => {
    expect(parseFilterCriteria({ Filters: [{ Pattern: '{ "body" : { "a": [1] } }' }] })?.[0]?.pattern).toBe('{ "body" : { "a": [1] } }');
  });
});

describe("FilterCriteria validation", () => {
  const refuse = (input: unknown) => {
    try {
      parseFilterCriteria(input as never);
    } catch (e) {
      return isAwsError(e) ? { code: e.code, message: e.message } : e;
    }
    return "accepted";
  };
  const invalid = { code: "InvalidParameterValueException", message: "Invalid filter pattern definition." };

  it.each([
    ["not JSON", "{body:"],
    ["not an object", '["a"]'],
    ["empty object", "{}"],
    ["bare value", '{"body":"x"}'],
    ["empty list", '{"body":{"a":[]}}'],
    ["unknown operator", '{"a":[{"contains":"x"}]}'],
    ["two operators in one object", '{"a":[{"prefix":"x","suffix":"y"}]}'],
    ["prefix not a string", '{"a":[{"prefix":1}]}'],
    ["exists not a boolean", '{"a":[{"exists":"yes"}]}'],
    ["numeric bad operator", '{"a":[{"numeric":["!=",1]}]}'],
    ["numeric odd length", '{"a":[{"numeric":[">"]}]}'],
    ["numeric two lower bounds", '{"a":[{"numeric":[">",1,">=",2]}]}'],
    ["numeric bound not a number", '{"a":[{"numeric":[">","1"]}]}'],
    ["anything-but empty list", '{"a":[{"anything-but":[]}]}'],
    ["anything-but unknown operator", '{"a":[{"anything-but":{"wildcard":"x"}}]}'],
    ["object as an exact value", '{"a":[{"b":1,"c":2}]}'],
  ])("refuses %s", (_name, pattern) => {
    expect(refuse({ Filters: [{ Pattern: pattern }] })).toEqual(invalid);
  });

  it("refuses a filter without a pattern, a sixth filter and a pattern over 4,096 characters", () => {
    expect(refuse({ Filters: [{}] })).toEqual(invalid);
    expect(refuse({ Filters: Array.from({ length: 6 }, () => ({ Pattern: '{"a":["x"]}' })) })).toMatchObject({ code: "InvalidParameterValueException" });
    expect(refuse({ Filters: Array.from({ length: 5 }, () => ({ Pattern: '{"a":["x"]}' })) })).toBe("accepted");
    const long = JSON.stringify({ a: ["x".repeat(4100)] });
    expect(refuse({ Filters: [{ Pattern: long }] })).toMatchObject({ code: "ValidationException" });
  });
});
