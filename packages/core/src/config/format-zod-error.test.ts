import { describe, expect, it } from "vitest";
import { z } from "zod";
import { describe as describeValue, dottedPath, formatZodError, suggestion, type Path } from "./format-zod-error.ts";

/** Lines keyed by dotted path; a missing key falls back to its parent, as the YAML loader does. */
function lines(table: Record<string, number>): (path: Path) => number | undefined {
  return (path) => {
    for (let n = path.length; n > 0; n--) {
      const line = table[path.slice(0, n).map(String).join(".")];
      if (line !== undefined) return line;
    }
    return undefined;
  };
}

function format(schema: z.ZodType, input: unknown, table: Record<string, number> = {}, keys: (p: Path) => string[] = () => []): string[] {
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) throw new Error("expected the input to be invalid");
  return formatZodError(result.error, "cfg.yaml", lines(table), keys);
}

describe("formatZodError", () => {
  it("keeps a schema's own 'expected' message and appends what the file holds", () => {
    const schema = z.object({ memorySize: z.number({ error: "expected an integer between 128 and 10240" }).int().min(128, { error: "expected an integer between 128 and 10240" }) });
    expect(format(schema, { memorySize: 64 }, { memorySize: 4 })).toEqual(["cfg.yaml:4 memorySize: expected an integer between 128 and 10240, got 64"]);
  });

  it("says a required key is missing", () => {
    const schema = z.object({ fn: z.object({ runtime: z.enum(["nodejs22.x", "nodejs24.x"]) }) });
    expect(format(schema, { fn: {} }, { fn: 2 })).toEqual(["cfg.yaml:2 fn.runtime: expected one of nodejs22.x, nodejs24.x, but it is missing"]);
  });

  it("turns zod's stock messages into expectations", () => {
    const schema = z.object({
      a: z.string(),
      b: z.number().max(5),
      c: z.string().min(3),
      d: z.enum(["x86_64", "arm64"]),
      e: z.string().regex(/^\d+$/),
      f: z.array(z.string()),
      g: z.union([z.string(), z.number()]),
      h: z.number().gt(0),
    });
    const out = format(schema, { a: 1, b: 6, c: "ab", d: "mips", e: "x", f: {}, g: null, h: 0 });
    expect(out).toEqual([
      "cfg.yaml: a: expected a string, got 1",
      "cfg.yaml: b: expected a number ≤ 5, got 6",
      "cfg.yaml: c: expected at least 3 characters, got 'ab'",
      "cfg.yaml: d: expected one of x86_64, arm64, got 'mips'",
      "cfg.yaml: e: expected a string matching /^\\d+$/, got 'x'",
      "cfg.yaml: f: expected a list, got a map",
      "cfg.yaml: g: expected a string or a number, got an empty value",
      "cfg.yaml: h: expected a number > 0, got 0",
    ]);
  });

  it("names every unknown key, with a hint for a near miss", () => {
    const schema = z.strictObject({ memorySize: z.number().optional(), timeout: z.number().optional() });
    const out = format(schema, { memroySize: 1, MemorySize: 2, colour: 3 }, { memroySize: 3, MemorySize: 4, colour: 5 }, () => ["memorySize", "timeout"]);
    expect(out).toEqual([
      "cfg.yaml:3 memroySize: unknown key (did you mean 'memorySize'?)",
      "cfg.yaml:4 MemorySize: unknown key (did you mean 'memorySize'?)",
      "cfg.yaml:5 colour: unknown key",
    ]);
  });

  it("reports a bad map key with the key's own expectation", () => {
    const schema = z.record(z.string().regex(/^[a-z]+$/, { error: "expected a lower-case name" }), z.number(), { error: "expected a map" });
    expect(format(schema, { "Bad Name": 1 }, { "Bad Name": 7 })).toEqual(['cfg.yaml:7 ["Bad Name"]: expected a lower-case name, got \'Bad Name\'']);
  });

  it("leaves 'got a map' off a refinement over a whole map", () => {
    const schema = z.object({ environment: z.record(z.string(), z.string()).refine((v) => !("AWS_REGION" in v), { error: "reserved key AWS_REGION" }) });
    expect(format(schema, { environment: { AWS_REGION: "x" } }, { environment: 9 })).toEqual(["cfg.yaml:9 environment: reserved key AWS_REGION"]);
  });

  it("says what a discriminated union's discriminator holds, not that it got a map", () => {
    const schema = z.discriminatedUnion("kind", [z.object({ kind: z.literal("a") }), z.object({ kind: z.literal("b") })], { error: "expected kind: one of a, b" });
    expect(format(schema, { kind: "nope" }, { kind: 3 })).toEqual(["cfg.yaml:3 kind: expected kind: one of a, b, got 'nope'"]);
    expect(format(schema, { kind: 5 }, { kind: 3 })).toEqual(["cfg.yaml:3 kind: expected kind: one of a, b, got 5"]);
    expect(format(schema, { other: 1 })).toEqual(["cfg.yaml: kind: expected kind: one of a, b, but it is missing"]);
  });

  it("sorts the lines by line number", () => {
    const schema = z.strictObject({ a: z.string(), b: z.string() });
    expect(format(schema, { a: 1, b: 2, zz: 3 }, { a: 5, b: 3, zz: 1 })).toEqual([
      "cfg.yaml:1 zz: unknown key",
      "cfg.yaml:3 b: expected a string, got 2",
      "cfg.yaml:5 a: expected a string, got 1",
    ]);
  });
});

describe("helpers", () => {
  it("writes key paths as the file reads them", () => {
    expect(dottedPath([])).toBe("(top level)");
    expect(dottedPath(["functions", "orders", "memorySize"])).toBe("functions.orders.memorySize");
    expect(dottedPath(["functions", "f", "architectures", 0])).toBe("functions.f.architectures[0]");
    expect(dottedPath(["queues", "a.b"])).toBe('queues["a.b"]');
  });

  it("describes values in YAML words and keeps long strings short", () => {
    expect(describeValue("nodejs18.x")).toBe("'nodejs18.x'");
    expect(describeValue("x".repeat(300))).toBe("a string of 300 characters");
    expect(describeValue(null)).toBe("an empty value");
    expect(describeValue([1, 2])).toBe("a list of 2 items");
    expect(describeValue({})).toBe("a map");
    expect(describeValue(false)).toBe("false");
  });

  it("suggests only near misses", () => {
    expect(suggestion("timout", ["timeout", "memorySize"])).toBe(" (did you mean 'timeout'?)");
    expect(suggestion("banana", ["timeout", "memorySize"])).toBe("");
    // Another word for a key the schema has, only where it has it.
    expect(suggestion("probability", ["kind", "fraction"])).toBe(" (did you mean 'fraction'?)");
    expect(suggestion("probability", ["timeout", "memorySize"])).toBe("");
  });
});
