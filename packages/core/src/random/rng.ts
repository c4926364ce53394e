/**
 * Randomness for service logic comes only from here (STYLE.md 7.5): one seed, named streams, so
 * adding a consumer never changes the sequence another consumer sees, and `--seed` replays stay
 * stable. Stream names in use: "alias-routing", "fault-injection", "ids"; keyed: "retry-jitter".
 */
export interface RandomStream {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, maxExclusive). */
  int(maxExclusive: number): number;
  /** A v4-shaped UUID drawn from this stream. */
  uuid(): string;
  /** `bytes` random bytes as lowercase hex. */
  hex(bytes: number): string;
}

/**
 * A draw in [0, 1) that depends only on the seed, the name and the key, not on how many draws came
 * before: for a decision whose turn wall time orders (an async event's retry jitter is drawn when
 * its handler answers, and overlapping real handlers answer in any order).
 */
export type KeyedRandom = (key: string) => number;

export interface Rng {
  stream(name: string): RandomStream;
  keyed(name: string): KeyedRandom;
}
