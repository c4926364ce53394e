import { describe, expect, it } from "vitest";
import { evenHashKeyRanges, MAX_HASH_KEY, parseExplicitHashKey, partitionKeyHash, shardForHash } from "./hash-routing.ts";
import { parseSequenceNumber, sequenceNumber, shardId, shardIndexOf } from "./sequence-numbers.ts";

describe("shard routing (aws-facts §8.1)", () => {
  it("splits the 128-bit key space evenly, as AWS numbers new shards", () => {
    expect(evenHashKeyRanges(1)).toEqual([{ start: 0n, end: MAX_HASH_KEY }]);
    expect(evenHashKeyRanges(3).map((r) => [r.start.toString(), r.end.toString()])).toEqual([
      ["0", "113427455640312821154458202477256070484"],
      ["113427455640312821154458202477256070485", "226854911280625642308916404954512140969"],
      ["226854911280625642308916404954512140970", "340282366920938463463374607431768211455"],
    ]);
    const four = evenHashKeyRanges(4);
    for (let i = 1; i < four.length; i++) expect(four[i]!.start).toBe(four[i - 1]!.end + 1n);
  });

  it("hashes the partition key with MD5 as a big-endian unsigned integer", () => {
    // md5("a") = 0cc175b9c0f1b6a831c399e269772661
    expect(partitionKeyHash("a")).toBe(0x0cc175b9c0f1b6a831c399e269772661n);
  });

  it.each([
    [0n, 0],
    [113427455640312821154458202477256070484n, 0],
    [113427455640312821154458202477256070485n, 1],
    [226854911280625642308916404954512140970n, 2],
    [MAX_HASH_KEY, 2],
  ])("hash %s lands in shard %i of 3", (hash, shard) => {
    expect(shardForHash(evenHashKeyRanges(3), hash)).toBe(shard);
  });

  it.each([
    ["0", 0n],
    ["340282366920938463463374607431768211455", MAX_HASH_KEY],
    ["340282366920938463463374607431768211456", undefined],
    ["-1", undefined],
    ["01", undefined],
    ["1e3", undefined],
  ])("ExplicitHashKey %s", (text, key) => {
    expect(parseExplicitHashKey(text)).toBe(key);
  });
});

describe("sequence numbers (aws-facts §8.1)", () => {
  it("are 56-digit decimal strings that grow with the record counter, and round-trip", () => {
    const a = sequenceNumber(41, 2);
    const b = sequenceNumber(42, 0);
    expect(a).toMatch(/^49\d{54}$/);
    expect(BigInt(b) > BigInt(a)).toBe(true);
    expect(parseSequenceNumber(a)).toEqual({ counter: 41, shardIndex: 2 });
    expect(parseSequenceNumber("12345")).toBeUndefined();
  });

  it("name shards with 12 digits", () => {
    expect(shardId(7)).toBe("shardId-000000000007");
    expect(shardIndexOf("shardId-000000000007")).toBe(7);
    expect(shardIndexOf("shard-7")).toBeUndefined();
  });
});
