// Seeded pseudo-random numbers for the detectors that sample (the isolation forest).
// Math.random() cannot be seeded, and a detector whose output changes from run to run
// cannot be tested, benchmarked or explained to an operator, so every random choice
// in src/anomaly goes through one of these generators.

/** A deterministic source of uniform numbers in [0, 1). */
export interface Rng {
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
}

/**
 * mulberry32: 32-bit state, passes the usual statistical batteries well enough for
 * sampling, and is a handful of integer operations per draw (the forest draws a lot).
 */
export function createRng(seed: number): Rng {
  // Fold the seed through one splitmix-style scramble so nearby seeds (1, 2, 3)
  // give unrelated streams.
  let state = Math.imul((seed | 0) ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  state = (state ^ (state >>> 13)) >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n) };
}

/** Derive a child seed, so each tree or component gets its own reproducible stream. */
export function deriveSeed(seed: number, index: number): number {
  let h = Math.imul(seed ^ 0x5bd1e995, 0x27d4eb2d) ^ Math.imul(index + 1, 0x165667b1);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  return (h ^ (h >>> 12)) >>> 0;
}
