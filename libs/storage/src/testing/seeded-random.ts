/**
 * A small deterministic PRNG (mulberry32) for seeded storage tests: a run is drawn from one
 * seed, printed on failure as SEED=…, and replayed with that environment variable.
 */
export class SeededRandom {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** The seed from env SEED when set, else a fresh one. */
  static fromEnv(): SeededRandom {
    const fromEnv = process.env['SEED'];
    return new SeededRandom(fromEnv !== undefined ? Number(fromEnv) : Math.floor(Math.random() * 0xffffffff));
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [min, max). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }
}
