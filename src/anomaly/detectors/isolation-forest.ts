// Isolation forest (Liu, Ting & Zhou, 2008), written here because the npm packages get
// the details wrong: they grow trees on the full data (no subsampling, so swamping and
// masking return), use a wrong average path length c(n), and cannot be seeded.
//
// Anomalies are few and different, so random axis-parallel cuts isolate them in fewer
// steps than normal points. Each tree is grown on a random subsample of psi rows
// (256 by default: the paper shows larger samples add cost, not accuracy), to a height
// limit of ceil(log2 psi); a point's path length is the depth where it lands plus c(size)
// for the unbuilt subtree below a leaf, and the score is 2^(-E[h] / c(psi)).
// Nodes live in one flat Float64Array, three slots each ([feature, split, left child] for a
// split, [-1, path length, 0] for a leaf), so scoring a point is a tight, cache-friendly
// loop without allocation.

import { createRng, deriveSeed, type Rng } from './rng.ts';

const EULER_GAMMA = 0.5772156649015329;
/** Float64 slots per node. */
const NODE = 3;

/** Harmonic number H(i) approximated by ln(i) + gamma, as in the paper. */
export function harmonic(i: number): number {
  return Math.log(i) + EULER_GAMMA;
}

/**
 * Average path length of an unsuccessful search in a binary search tree of n points:
 * c(n) = 2H(n-1) - 2(n-1)/n, with c(2) = 1 and c(n <= 1) = 0 by definition.
 */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * harmonic(n - 1) - (2 * (n - 1)) / n;
}

export interface ForestOptions {
  trees: number;
  /** Subsample size per tree (psi). */
  sampleSize: number;
  seed: number;
}

/** A trained forest over `dims`-dimensional rows. Immutable once built. */
export class IsolationForest {
  readonly dims: number;
  private readonly maxNodes: number;
  private readonly nodes: Float64Array;
  private readonly trees: number;
  private readonly norm: number;

  /**
   * @param data row-major matrix, `rows` x `dims`
   */
  constructor(data: Float64Array, rows: number, dims: number, opts: ForestOptions) {
    this.dims = dims;
    this.trees = opts.trees;
    const psi = Math.max(2, Math.min(opts.sampleSize, rows));
    this.norm = averagePathLength(psi);
    this.maxNodes = 2 * psi - 1;
    this.nodes = new Float64Array(this.maxNodes * opts.trees * NODE);
    const heightLimit = Math.ceil(Math.log2(psi));
    const idx = new Int32Array(rows);
    for (let i = 0; i < rows; i++) idx[i] = i;
    for (let t = 0; t < opts.trees; t++) {
      const rng = createRng(deriveSeed(opts.seed, t));
      // Partial Fisher-Yates: the first psi entries become a sample without replacement.
      // Starting from the previous tree's permutation is fine: any permutation works.
      for (let i = 0; i < psi; i++) {
        const j = i + rng.int(rows - i);
        const tmp = idx[i]!;
        idx[i] = idx[j]!;
        idx[j] = tmp;
      }
      this.grow(t * this.maxNodes, data, idx.subarray(0, psi), heightLimit, rng);
    }
  }

  /** Builds one tree depth-first with an explicit stack; rows are partitioned in place. */
  private grow(base: number, data: Float64Array, rows: Int32Array, limit: number, rng: Rng): void {
    const d = this.dims;
    // stack entries: node, start, end, depth
    const stack: number[] = [0, 0, rows.length, 0];
    let next = 1;
    while (stack.length > 0) {
      const depth = stack.pop()!;
      const end = stack.pop()!;
      const start = stack.pop()!;
      const node = stack.pop()!;
      const at = (base + node) * NODE;
      const size = end - start;
      let q = -1;
      let lo = 0;
      let hi = 0;
      if (depth < limit && size > 1) {
        // Pick a random feature that still varies here; a constant one cannot split.
        const first = rng.int(d);
        for (let k = 0; k < d && q < 0; k++) {
          const f = (first + k) % d;
          lo = Infinity;
          hi = -Infinity;
          for (let i = start; i < end; i++) {
            const v = data[rows[i]! * d + f]!;
            if (v < lo) lo = v;
            if (v > hi) hi = v;
          }
          if (hi > lo) q = f;
        }
      }
      if (q < 0) {
        // A leaf's path length: its depth plus c(size) for the subtree never grown.
        this.nodes[at] = -1;
        this.nodes[at + 1] = depth + averagePathLength(size);
        continue;
      }
      const p = lo + rng.next() * (hi - lo);
      let i = start;
      let j = end - 1;
      while (i <= j) {
        if (data[rows[i]! * d + q]! < p) i++;
        else {
          const tmp = rows[i]!;
          rows[i] = rows[j]!;
          rows[j] = tmp;
          j--;
        }
      }
      this.nodes[at] = q;
      this.nodes[at + 1] = p;
      this.nodes[at + 2] = (base + next) * NODE;
      stack.push(next, start, i, depth + 1, next + 1, i, end, depth + 1);
      next += 2;
    }
  }

  /** Path length of one row (offset `off` in `x`) averaged over the trees. */
  pathLength(x: ArrayLike<number>, off = 0): number {
    const nodes = this.nodes;
    const stride = this.maxNodes * NODE;
    let sum = 0;
    for (let at = 0, end = this.trees * stride; at < end; at += stride) {
      let n = at;
      let f = nodes[n]! | 0;
      while (f >= 0) {
        // `| 0` keeps indices small integers; V8 indexes typed arrays far faster with them.
        n = (x[(off + f) | 0]! < nodes[n + 1]! ? nodes[n + 2]! : nodes[n + 2]! + NODE) | 0;
        f = nodes[n]! | 0;
      }
      sum += nodes[n + 1]!;
    }
    return sum / this.trees;
  }

  /** Anomaly score in (0, 1): ~0.5 ordinary, near 1 isolated quickly. */
  score(x: ArrayLike<number>, off = 0): number {
    return Math.pow(2, -this.pathLength(x, off) / this.norm);
  }
}
