// Contextual novelty (in the spirit of CAD OSE on NAB): how predictable is the next value
// from the two before it, given how this series has moved so far?
//
// Values are discretised by the quantiles of the trailing history (units-free, and a
// skewed metric gets bins where its values actually are) merged with equal-width edges
// over its range (so a rare value far from the bulk still gets its own bin), plus one bin
// below and one above everything in the history. A second-order Markov model counts which bin
// follows each pair of bins; the statistic is the log-loss of the actual transition,
// averaged over a short window. One odd point barely moves it; a series whose rhythm
// changed (spikes twice as dense, a new recurring value, a smooth series gone erratic)
// keeps producing rare transitions, and the average climbs although no single value is
// extreme. Counts decay slowly, so a new rhythm becomes normal after a few days.
//
// O(1) per point plus a sort of the history every `refitEvery` points.

/** Values sorted per refit for the bin edges (see refit). */
const SAMPLE = 512;

export interface ContextOptions {
  /** Quantile bins and equal-width bins inside the history's range, each (two more outside it). */
  bins: number;
  /** Trailing values the bin edges are taken from. */
  history: number;
  /** Values needed before the first bin edges (abstains before). */
  minHistory: number;
  /** Recompute bin edges and decay the counts every this many points. */
  refitEvery: number;
  /** Multiplier applied to all counts at each refit (forgetting). */
  decay: number;
  /** Transitions learned before the log-loss means anything (abstains before). */
  minLearn: number;
  /** Points in the log-loss average. */
  span: number;
  /** Additive (Laplace) smoothing of the transition counts. */
  prior: number;
}

export class ContextNovelty {
  private readonly buf: Float64Array;
  private readonly scratch: Float64Array;
  private head = 0;
  private size = 0;
  private sinceFit = 0;
  private edges: Float64Array | undefined;
  private readonly nb: number;
  private readonly counts: Float64Array;
  private readonly totals: Float64Array;
  private b1 = -1;
  private b2 = -1;
  private readonly losses: Float64Array;
  private lossHead = 0;
  private lossSum = 0;
  private lossSize = 0;
  private pendingLoss = NaN;
  private pendingBin = -1;
  private learned = 0;
  /** Weight of a transition learned now (see refit). */
  private weight = 1;

  constructor(private readonly opts: ContextOptions) {
    this.buf = new Float64Array(opts.history);
    this.scratch = new Float64Array(opts.history);
    this.nb = 2 * opts.bins + 2;
    this.counts = new Float64Array(this.nb * this.nb * this.nb);
    this.totals = new Float64Array(this.nb * this.nb);
    this.losses = new Float64Array(opts.span);
  }

  /** Bin of x: 0 below the history's minimum, nb-1 above its maximum. */
  private bin(x: number): number {
    const e = this.edges!;
    // e[0] = min, e[last] = max, quantile edges between; count edges strictly below x.
    if (x < e[0]!) return 0;
    if (x > e[e.length - 1]!) return this.nb - 1;
    let lo = 1;
    let hi = e.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (e[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Average log-loss (log10) of the transitions up to and including x, or NaN while the
   * model has no bins or no context yet. Call learn() after.
   */
  score(x: number): number {
    this.pendingBin = -1;
    this.pendingLoss = NaN;
    if (!this.edges) return NaN;
    const b = this.bin(x);
    this.pendingBin = b;
    if (this.b1 < 0 || this.b2 < 0 || this.learned < this.opts.minLearn) return NaN;
    const ctx = this.b1 * this.nb + this.b2;
    const prior = this.opts.prior * this.weight;
    const p = (this.counts[ctx * this.nb + b]! + prior) / (this.totals[ctx]! + prior * this.nb);
    this.pendingLoss = -Math.log10(p);
    const w = this.losses.length;
    const dropped = this.lossSize === w ? this.losses[this.lossHead]! : 0;
    return (this.lossSum - dropped + this.pendingLoss) / Math.min(this.lossSize + 1, w);
  }

  /** Learns x (after score(x)). */
  learn(x: number): void {
    const b = this.pendingBin;
    if (b >= 0 && this.b1 >= 0 && this.b2 >= 0) {
      const ctx = this.b1 * this.nb + this.b2;
      this.counts[ctx * this.nb + b]! += this.weight;
      this.totals[ctx]! += this.weight;
      this.learned++;
    }
    if (!Number.isNaN(this.pendingLoss)) {
      const w = this.losses.length;
      if (this.lossSize === w) this.lossSum -= this.losses[this.lossHead]!;
      else this.lossSize++;
      this.losses[this.lossHead] = this.pendingLoss;
      this.lossSum += this.pendingLoss;
      this.lossHead = (this.lossHead + 1) % w;
    }
    this.b1 = this.b2;
    this.b2 = b;
    this.buf[this.head] = x;
    this.head = (this.head + 1) % this.buf.length;
    if (this.size < this.buf.length) this.size++;
    if (++this.sinceFit >= this.opts.refitEvery || this.size === this.opts.minHistory) this.refit();
  }

  private refit(): void {
    this.sinceFit = 0;
    const n = this.size;
    if (n < this.opts.minHistory) return;
    // Quantile edges from every stride-th value of the history (a quantile of ~500 values
    // is as good a bin edge as one of 2000, at a quarter of the sorting cost); the range
    // from all of it, or a rare spike skipped by the sample would look new at every refit.
    const stride = Math.max(1, Math.floor(n / SAMPLE));
    let lo = Infinity;
    let hi = -Infinity;
    let m = 0;
    for (let i = 0; i < n; i++) {
      const v = this.buf[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      if (i % stride === 0) this.scratch[m++] = v;
    }
    const a = this.scratch.subarray(0, m).sort();
    const k = this.opts.bins;
    const e = this.edges ?? new Float64Array(2 * k + 1);
    // k + 1 quantile edges (the outer two are the range) and k - 1 equal-width ones inside.
    for (let i = 1; i < k; i++) e[i] = a[Math.floor((i * (m - 1)) / k)]!;
    for (let i = 1; i < k; i++) e[k + i] = lo + (i * (hi - lo)) / k;
    e[0] = lo;
    e[k] = hi;
    e[2 * k] = hi;
    e.sort();
    const first = !this.edges;
    this.edges = e;
    // Edges moved: the context of the next point is re-read in the new bins.
    this.b1 = -1;
    this.b2 = -1;
    if (first) return;
    // Forgetting without touching every count: new transitions weigh 1/decay more than the
    // ones before the refit (same ratios as decaying all counts), renormalised when large.
    this.weight /= this.opts.decay;
    if (this.weight > 1e100) {
      for (let i = 0; i < this.counts.length; i++) this.counts[i]! /= this.weight;
      for (let i = 0; i < this.totals.length; i++) this.totals[i]! /= this.weight;
      this.weight = 1;
    }
  }
}
