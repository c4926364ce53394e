import { describe, expect, it } from "vitest";
import { randomSeed, SeededRng } from "./seeded-rng.ts";

const draw = (n: number, f: () => number) => Array.from({ length: n }, f);

describe("SeededRng", () => {
  it("repeats a stream's sequence for the same seed (42 and \"42\" are one seed)", () => {
    const a = new SeededRng(42).stream("retry-jitter");
    const b = new SeededRng("42").stream("retry-jitter");
    expect(draw(20, () => a.next())).toEqual(draw(20, () => b.next()));
  });

  it("pins the derivation: changing it breaks every recorded --seed replay", () => {
    const s = new SeededRng(42).stream("ids");
    expect([s.next(), s.int(1000), s.hex(4), s.uuid()]).toEqual([
      0.09125561267137527,
      926,
      "d730f796",
      "fafaf7f7-784a-4855-bc85-9b63de76948f",
    ]);
  });

  it("draws a keyed value from the seed, name and key alone, whatever was drawn before", () => {
    const a = new SeededRng(42).keyed("retry-jitter");
    const b = new SeededRng(42).keyed("retry-jitter");
    const first = [a("e1\u00001\u00000"), a("e2\u00001\u00000")];
    // Drawn in the other order, and after other draws: the same values.
    b("other");
    expect([b("e2\u00001\u00000"), b("e1\u00001\u00000")].reverse()).toEqual(first);
    expect(first[0]).not.toBe(first[1]);
    expect(new SeededRng(43).keyed("retry-jitter")("e1\u00001\u00000")).not.toBe(first[0]);
    // Pinned: changing the derivation moves every recorded replay's async retry times.
    expect(first[0]).toBe(0.7582344780676067);
  });

  it("returns the same stream object for the same name", () => {
    const rng = new SeededRng(1);
    const s = rng.stream("alias-routing");
    s.next();
    expect(rng.stream("alias-routing")).toBe(s);
  });

  it("keeps streams independent: drawing from one, or creating one first, does not shift another", () => {
    const r1 = new SeededRng(7);
    const r2 = new SeededRng(7);
    r1.stream("ids").hex(64);
    r1.stream("fault-injection").next();
    expect(draw(5, () => r1.stream("alias-routing").next())).toEqual(draw(5, () => r2.stream("alias-routing").next()));
  });

  it("differs between seeds and between stream names", () => {
    const first = (seed: number | string, name: string) => draw(4, () => new SeededRng(seed).stream(name).next())[0];
    expect(first(1, "x")).not.toBe(first(2, "x"));
    expect(first(1, "x")).not.toBe(first(1, "y"));
    // The NUL separator keeps (seed "1", name "2x") apart from (seed "12", name "x").
    expect(first("1", "2x")).not.toBe(first("12", "x"));
  });

  it("draws next() uniformly in [0, 1)", () => {
    const s = new SeededRng("uniform").stream("t");
    const values = draw(20_000, () => s.next());
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(mean).toBeGreaterThan(0.49);
    expect(mean).toBeLessThan(0.51);
  });

  it.each([1, 2, 3, 6, 10, 1000, 2 ** 32, 2 ** 40])("int(%s) stays in range and covers it", (max) => {
    const s = new SeededRng(`int-${max}`).stream("t");
    const values = draw(3_000, () => s.int(max));
    expect(values.every((n) => Number.isInteger(n) && n >= 0 && n < max)).toBe(true);
    if (max <= 10) expect(new Set(values).size).toBe(max);
    else expect(Math.max(...values)).toBeGreaterThan(max * 0.9);
  });

  it("int(3) is unbiased: each value within 3% of a third over 30,000 draws", () => {
    const s = new SeededRng("bias").stream("t");
    const counts = [0, 0, 0];
    for (let i = 0; i < 30_000; i++) counts[s.int(3)]!++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(300);
  });

  it.each([0, -1, 1.5, Number.NaN, 2 ** 53])("int(%s) is refused", (max) => {
    expect(() => new SeededRng(1).stream("t").int(max)).toThrow(RangeError);
  });

  it("makes distinct v4 UUIDs with the RFC 4122 variant", () => {
    const s = new SeededRng(3).stream("ids");
    const ids = draw(1_000, () => 0).map(() => s.uuid());
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids.map((id) => id[19])).size).toBe(4); // all four variant digits occur
  });

  it.each([0, 1, 3, 4, 12, 33])("hex(%s) gives that many bytes of lowercase hex", (bytes) => {
    expect(new SeededRng(3).stream("ids").hex(bytes)).toMatch(new RegExp(`^[0-9a-f]{${bytes * 2}}$`));
  });
});

describe("randomSeed", () => {
  it("gives a non-negative safe integer, different each time", () => {
    const seeds = draw(5, randomSeed);
    for (const s of seeds) expect(Number.isSafeInteger(s) && s >= 0).toBe(true);
    expect(new Set(seeds).size).toBe(5);
  });
});
