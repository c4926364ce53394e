import { describe, expect, it } from "vitest";
import { z } from "zod";
import { schemaKeysAt } from "./schema-keys.ts";

const schema = z.strictObject({
  region: z.string().default("us-east-1"),
  functions: z.record(z.string(), z.strictObject({ runtime: z.string(), sim: z.strictObject({ freeze: z.boolean() }).optional() })).default({}),
  mappings: z.array(z.object({ batchSize: z.number() })).optional(),
  target: z.union([z.object({ arn: z.string() }), z.object({ queue: z.string() })]).optional(),
  piped: z.object({ a: z.number() }).transform((v) => v.a).optional(),
});

describe("schemaKeysAt", () => {
  it("lists the keys allowed at a path, through records, lists, unions and wrappers", () => {
    expect(schemaKeysAt(schema, [])).toEqual(["region", "functions", "mappings", "target", "piped"]);
    expect(schemaKeysAt(schema, ["functions", "orders"])).toEqual(["runtime", "sim"]);
    expect(schemaKeysAt(schema, ["functions", "orders", "sim"])).toEqual(["freeze"]);
    expect(schemaKeysAt(schema, ["mappings", 0])).toEqual(["batchSize"]);
    expect(schemaKeysAt(schema, ["target"])).toEqual(["arn", "queue"]);
    expect(schemaKeysAt(schema, ["piped"])).toEqual(["a"]);
  });

  it("gives no keys where the schema has no map", () => {
    expect(schemaKeysAt(schema, ["region"])).toEqual([]);
    expect(schemaKeysAt(schema, ["nope", "deeper"])).toEqual([]);
  });
});
