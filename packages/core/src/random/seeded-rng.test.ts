import { describe, expect, it } from "vitest";
import { SeededRng } from "./seeded-rng.ts";

describe("SeededRng", () => {
  it("repeats a stream's sequence for the same seed", () => {
    const a = new SeededRng(42).stream("retry-jitter");
    const b = new SeededRng(42).stream("retry-jitter");
    expect(Array.from({ length: 5 }, () => a.next())).toEqual(Array.from({ length: 5 }, () => b.next()));
  });

  it("keeps streams independent: drawing from one does not shift another", () => {
    const r1 = new SeededRng(7);
    const r2 = new SeededRng(7);
    r1.stream("ids").hex(64);
    expect(r1.stream("alias-routing").next()).toBe(r2.stream("alias-routing").next());
  });

  it("differs between seeds and between stream names", () => {
    expect(new SeededRng(1).stream("x").next()).not.toBe(new SeededRng(2).stream("x").next());
    const r = new SeededRng(1);
    expect(r.stream("x").next()).not.toBe(r.stream("y").next());
  });

  it("draws uniform values and integers in range", () => {
    const s = new SeededRng("range").stream("t");
    let sum = 0;
    for (let i = 0; i < 10_000; i++) {
      const v = s.next();
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(1);
      sum += v;
      const n = s.int(6);
      expect(Number.isInteger(n) && n >= 0 && n < 6).toBe(true);
    }
    expect(sum / 10_000).toBeGreaterThan(0.48);
    expect(sum / 10_000).toBeLessThan(0.52);
  });

  it("makes v4-shaped UUIDs and hex of the asked length", () => {
    const s = new SeededRng(3).stream("ids");
    for (let i = 0; i < 100; i++) expect(s.uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(s.hex(12)).toMatch(/^[0-9a-f]{24}$/);
    expect(s.hex(3)).toMatch(/^[0-9a-f]{6}$/);
  });
});
