import { describe, expect, it } from "vitest";
import { SeededRng } from "../random/seeded-rng.ts";
import { pickVersion } from "./alias-routing.ts";
import { awsTimestamp, parseFunctionName } from "./function-names.ts";

describe("alias routing (aws-facts §11)", () => {
  const alias = { name: "live", functionVersion: "1", description: "", additionalVersionWeights: { "2": 0.3 }, revisionId: "r" };

  it("sends the weight's share to the additional version", () => {
    const s = new SeededRng(9).stream("alias-routing");
    let two = 0;
    for (let i = 0; i < 10_000; i++) if (pickVersion(alias, s.next()) === "2") two++;
    expect(two / 10_000).toBeGreaterThan(0.28);
    expect(two / 10_000).toBeLessThan(0.32);
  });

  it("routes everything to the primary without weights", () => {
    expect(pickVersion({ ...alias, additionalVersionWeights: undefined }, 0)).toBe("1");
  });
});

describe("function names", () => {
  it.each([
    ["orders", { name: "orders" }],
    ["orders:live", { name: "orders", qualifier: "live" }],
    ["arn:aws:lambda:us-east-1:000000000000:function:orders", { name: "orders", qualifier: undefined }],
    ["arn:aws:lambda:us-east-1:000000000000:function:orders:7", { name: "orders", qualifier: "7" }],
    ["000000000000:function:orders:$LATEST", { name: "orders", qualifier: "$LATEST" }],
  ])("%s", (input, expected) => {
    expect(parseFunctionName(input)).toEqual(expected);
  });

  it("formats LastModified as Lambda does", () => {
    expect(awsTimestamp(Date.UTC(2019, 10, 14, 18, 16, 5, 568))).toBe("2019-11-14T18:16:05.568+0000");
  });
});
