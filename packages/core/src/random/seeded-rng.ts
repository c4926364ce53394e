import { randomInt } from "node:crypto";
import type { KeyedRandom, RandomStream, Rng } from "./rng.ts";

/** cyrb128: a fast string hash giving four 32-bit seeds. */
function cyrb128(str: string): [number, number, number, number] {
  let h1 = 1779033703, h2 = 3144134277, h3 = 1013904242, h4 = 2773480762;
  for (let i = 0; i < str.length; i++) {
    const k = str.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
const HEX_DIGIT = "0123456789abcdef";

/** sfc32, a small fast PRNG that passes PractRand; one per named stream. */
class Sfc32Stream implements RandomStream {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: [number, number, number, number]) {
    [this.a, this.b, this.c, this.d] = seed;
    for (let i = 0; i < 12; i++) this.u32();
  }

  private u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  next(): number {
    return this.u32() / 4294967296;
  }

  int(maxExclusive: number): number {
    if (!Number.isSafeInteger(maxExclusive) || maxExclusive < 1) {
      throw new RangeError(`int() needs a positive safe integer bound, got ${maxExclusive}`);
    }
    if (maxExclusive <= 2 ** 32) {
      // Rejection sampling: plain `floor(next() * n)` over-weights the low values when n does not
      // divide 2^32. Fewer than half the draws are ever rejected.
      const limit = 2 ** 32 - (2 ** 32 % maxExclusive);
      let v = this.u32();
      while (v >= limit) v = this.u32();
      return v % maxExclusive;
    }
    // Wider bounds: 53 random bits; the bias (about n / 2^53) is negligible for realistic bounds.
    return Math.floor(((this.u32() >>> 11) * 2 ** 32 + this.u32()) / 2 ** 53 * maxExclusive);
  }

  hex(bytes: number): string {
    if (!Number.isSafeInteger(bytes) || bytes < 0) throw new RangeError(`hex() needs a byte count, got ${bytes}`);
    let out = "";
    for (let i = 0; i < bytes; i += 4) {
      const v = this.u32();
      out += HEX[v & 255]! + HEX[(v >>> 8) & 255]! + HEX[(v >>> 16) & 255]! + HEX[v >>> 24]!;
    }
    return out.slice(0, bytes * 2);
  }

  /**
   * hex(16) laid out as a UUID, with version 4 and the RFC 4122 variant bits so the id looks like
   * every other request id. Built from the four words directly (one per invocation on the hot
   * path); the same string as slicing hex(16), which the golden values pin.
   */
  uuid(): string {
    const a = this.u32();
    const b = this.u32();
    const c = this.u32();
    const d = this.u32();
    const variant = HEX_DIGIT[((c >>> 4) & 0x3) | 0x8]!;
    return (
      HEX[a & 255]! + HEX[(a >>> 8) & 255]! + HEX[(a >>> 16) & 255]! + HEX[a >>> 24]! + "-" +
      HEX[b & 255]! + HEX[(b >>> 8) & 255]! + "-4" +
      HEX_DIGIT[(b >>> 16) & 0xf]! + HEX[b >>> 24]! + "-" +
      variant + HEX_DIGIT[c & 0xf]! + HEX[(c >>> 8) & 255]! + "-" +
      HEX[(c >>> 16) & 255]! + HEX[c >>> 24]! + HEX[d & 255]! + HEX[(d >>> 8) & 255]! + HEX[(d >>> 16) & 255]! + HEX[d >>> 24]!
    );
  }
}

/**
 * The seeded random source (STYLE.md 7.5): one seed, independent named streams, so adding a
 * consumer never shifts another consumer's sequence and `--seed` replays stay stable. Each stream
 * is sfc32 seeded with cyrb128(seed + NUL + name); `stream(name)` returns the same object for the
 * same name. The seed is compared as a string: 42 and "42" are the same seed.
 *
 * The derivation is part of the replay contract: seeded-rng.test.ts pins golden values, so a
 * change to it is deliberate.
 */
export class SeededRng implements Rng {
  readonly seed: string;
  private readonly streams = new Map<string, RandomStream>();

  constructor(seed: number | string) {
    this.seed = String(seed);
  }

  stream(name: string): RandomStream {
    let s = this.streams.get(name);
    if (s === undefined) {
      s = new Sfc32Stream(cyrb128(`${this.seed}\u0000${name}`));
      this.streams.set(name, s);
    }
    return s;
  }

  /**
   * The first draw of an sfc32 seeded with cyrb128(seed + NUL + name + NUL + key): a fresh
   * generator per key, so a key's value does not move when other keys are drawn first or not at
   * all. Part of the replay contract too (golden values in seeded-rng.test.ts).
   */
  keyed(name: string): KeyedRandom {
    const prefix = `${this.seed}\u0000${name}\u0000`;
    return (key) => new Sfc32Stream(cyrb128(prefix + key)).next();
  }
}

/**
 * A fresh seed from node:crypto when the user gives none. Callers should report it (the run
 * summary, telemetry) so a surprising run can be replayed with `--seed`.
 */
export function randomSeed(): number {
  return randomInt(0, 2 ** 47);
}
