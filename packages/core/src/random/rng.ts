/**
 * Randomness for service logic comes only from here (STYLE.md 7.5): one seed, named streams, so
 * adding a consumer never changes the sequence another consumer sees, and `--seed` replays stay
 * stable. Stream names in use: "alias-routing", "retry-jitter", "fault-injection", "ids".
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

export interface Rng {
  stream(name: string): RandomStream;
}
