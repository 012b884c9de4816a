// Isolation forest (Liu, Ting & Zhou, 2008), written here because the npm packages get
// the details wrong: they grow trees on the full data (no subsampling, so swamping and
// masking return), use a wrong average path length c(n), and cannot be seeded.
//
// Anomalies are few and different, so random axis-parallel cuts isolate them in fewer
// steps than normal points. Each tree is grown on a random subsample of psi rows
// (256 by default: the paper shows larger samples add cost, not accuracy), to a height
// limit of ceil(log2 psi); a point's path length is the depth where it lands plus c(size)
// for the unbuilt subtree below a leaf, and the score is 2^(-E[h] / c(psi)).
// Nodes live in three flat typed arrays indexed by node (feature, -1 for a leaf; split value
// or a leaf's path length; left child, the right one follows it), so scoring a point is a
// tight loop of integer indexing without allocation or float-to-int conversions.

import { createRng, deriveSeed, type Rng } from './rng.ts';

const EULER_GAMMA = 0.5772156649015329;

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
  private readonly feature: Int32Array;
  private readonly value: Float64Array;
  private readonly left: Int32Array;
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
    this.feature = new Int32Array(this.maxNodes * opts.trees);
    this.value = new Float64Array(this.maxNodes * opts.trees);
    this.left = new Int32Array(this.maxNodes * opts.trees);
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
      const at = base + node;
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
        this.feature[at] = -1;
        this.value[at] = depth + averagePathLength(size);
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
      this.feature[at] = q;
      this.value[at] = p;
      this.left[at] = base + next;
      stack.push(next, start, i, depth + 1, next + 1, i, end, depth + 1);
      next += 2;
    }
  }

  /** Path length of one row (offset `off` in `x`) averaged over the trees. */
  pathLength(x: ArrayLike<number>, off = 0): number {
    const feature = this.feature;
    const value = this.value;
    const left = this.left;
    let sum = 0;
    for (let root = 0, end = this.trees * this.maxNodes; root < end; root += this.maxNodes) {
      let n = root;
      let f = feature[n]!;
      while (f >= 0) {
        n = x[off + f]! < value[n]! ? left[n]! : left[n]! + 1;
        f = feature[n]!;
      }
      sum += value[n]!;
    }
    return sum / this.trees;
  }

  /** Anomaly score in (0, 1): ~0.5 ordinary, near 1 isolated quickly. */
  score(x: ArrayLike<number>, off = 0): number {
    return Math.pow(2, -this.pathLength(x, off) / this.norm);
  }
}
