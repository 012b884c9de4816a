// Turns any "bigger is stranger" statistic into a tail probability learned from that
// statistic's own recent history, so detectors with different units (sigmas, path
// lengths, run lengths) can be compared and combined.
//
// Why not a fixed z threshold: server metrics are rarely Gaussian. A spiky CPU series
// produces 10-sigma points every hour, and a fixed threshold would page on each; a
// smooth series should page at 5 sigma. Instead we ask "how often has this detector
// said something this large lately?" (Numenta's anomaly-likelihood idea), using
// peaks-over-threshold: below the `quantile` of the trailing history the empirical
// tail is used, above it an exponential tail fitted to the exceedances (the shape-0
// generalised Pareto of extreme-value theory) extrapolates beyond what was seen,
// which a plain rank cannot do with a few thousand points.

export interface TailCalibratorOptions {
  /** Trailing history length, in points. */
  history: number;
  /** Points needed before surprise() is non-zero. */
  minHistory: number;
  /** Quantile where the exponential tail starts (e.g. 0.97). */
  quantile: number;
  /** Refit every this many points (a refit is O(history)), at the least. */
  refitEvery: number;
  /**
   * Or after this share of the history, when that is longer: a refit costs O(history), so
   * refitting after a fixed share keeps the cost per point the same for any history length,
   * and a quantile of two weeks moves no more in 1/16 of them than one of a week in 128 points.
   */
  refitShare: number;
  /**
   * Floor for the tail's mean excess, in the statistic's units. Stops a history of
   * identical values (a flat series) from making the next tiny change look infinite.
   */
  minExcess: number;
  /**
   * Surprise is scaled by min(1, sqrt(readings / trustAfter)): a tail fitted on a few
   * hundred autocorrelated readings is overconfident (a slow average in pure noise sets
   * "records" every day at first), so a young history must be more extreme to alarm. The
   * square root follows how the error of a fitted tail shrinks with the sample size; a
   * linear ramp left a series mute for days (a window 300 points into a series scored
   * 0.3x its surprise, and such windows went undetected).
   */
  trustAfter: number;
  /**
   * The k largest readings of the history get a tail of their own (see surprise). 0 turns
   * it off.
   */
  topCount: number;
}

/**
 * Work space of refit(), shared by every calibrator: refits run one at a time (scoring is
 * synchronous), and a copy per calibrator would double the memory of a server's detectors.
 */
let scratch = new Float64Array(0);

export class TailCalibrator {
  private readonly buf: Float64Array;
  private head = 0;
  private size = 0;
  private sinceFit = 0;
  private threshold = Infinity;
  /** Lower bound used to gather refit candidates (see refit). */
  private bar = Infinity;
  private excess = 1;
  // History values above the threshold, sorted ascending, and the history size at refit:
  // how many times the recent past already reached a given value.
  private top = new Float64Array(0);
  private fitted = 0;
  // The k-th largest reading at refit and the mean excess of the k above it (see surprise).
  private topThreshold = Infinity;
  private topExcess = 1;
  private readonly ln10 = Math.log(10);

  constructor(private readonly opts: TailCalibratorOptions) {
    this.buf = new Float64Array(opts.history);
  }

  /** -log10 of the tail probability of d under the fitted history (0 = ordinary). */
  surprise(d: number): number {
    if (this.size < this.opts.minHistory || !(d > this.threshold)) return 0;
    // log10( 1 / ((1-q) * exp(-(d-u)/beta)) )
    const model = -Math.log10(1 - this.opts.quantile) + (d - this.threshold) / (this.excess * this.ln10);
    // A fitted tail can call a value rare that the history reached several times (a
    // nightly backup spike is one mode, not a tail). Never claim less than the observed
    // frequency: if c of the last n readings were at least d, p >= c / n.
    const seen = this.countAtLeast(d);
    let s = seen > 0 ? Math.min(model, Math.log10(this.fitted / seen)) : model;
    // Nor rarer than the tail of the k largest readings says. The fit above the quantile
    // describes the bulk of the top 3%; when the very top is a separate mode (a daily cron
    // spike, ten times the usual value), that fit calls every new spike a few percent above
    // the last one impossible, although k readings already got that far. Above the k-th
    // largest value, p >= (k / n) * exp(-(d - x_k) / mean excess of the k over x_k).
    if (d > this.topThreshold) {
      const top =
        Math.log10(this.fitted / this.opts.topCount) + (d - this.topThreshold) / (this.topExcess * this.ln10);
      if (top < s) s = top;
    }
    return this.size >= this.opts.trustAfter ? s : s * Math.sqrt(this.size / this.opts.trustAfter);
  }

  private countAtLeast(d: number): number {
    const top = this.top;
    let lo = 0;
    let hi = top.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (top[mid]! < d) lo = mid + 1;
      else hi = mid;
    }
    return top.length - lo;
  }

  add(d: number): void {
    this.buf[this.head] = d;
    this.head = (this.head + 1) % this.buf.length;
    if (this.size < this.buf.length) this.size++;
    const due = Math.max(this.opts.refitEvery, this.size * this.opts.refitShare);
    if (++this.sinceFit >= due || this.size === this.opts.minHistory) this.refit();
  }

  private refit(): void {
    this.sinceFit = 0;
    const n = this.size;
    if (n < this.opts.minHistory) return;
    const k = Math.min(n - 1, Math.floor(this.opts.quantile * n));
    if (scratch.length < n) scratch = new Float64Array(n);
    const a = scratch;
    // Fast path: the quantile moves little between refits, so only values at or above a
    // bar set at the last refit (about twice as deep as the tail) can be in the new top
    // (n - k). Gather just those (one pass, a few percent of the history) and sort them;
    // fall back to a full selection when too few remain or ties make too many. The bar
    // only decides which path runs: both give the exact top n - k.
    const tail = n - k;
    let m = 0;
    const bar = this.bar;
    for (let i = 0; i < n; i++) {
      const v = this.buf[i]!;
      if (v >= bar) a[m++] = v;
    }
    let u: number;
    let top: Float64Array<ArrayBuffer>;
    if (m >= tail && m <= 4 * tail + 16) {
      a.subarray(0, m).sort();
      u = a[m - tail]!;
      top = a.slice(m - tail + 1, m);
      if (m >= 2 * tail) this.bar = a[m - 2 * tail]!;
    } else {
      for (let i = 0; i < n; i++) a[i] = this.buf[i]!;
      u = quickselect(a, n, k);
      top = a.slice(k + 1, n).sort();
      // a[0..k) holds the k smallest: the bar is the value 2 * tail from the top.
      this.bar = 2 * k - n >= 0 && k > 0 ? quickselect(a, k, 2 * k - n) : -Infinity;
    }
    let sum = 0;
    let cnt = 0;
    for (let i = 0; i < top.length; i++) {
      const v = top[i]!;
      if (v > u) {
        sum += v - u;
        cnt++;
      }
    }
    this.top = top;
    this.fitted = n;
    this.threshold = u;
    // The relative part keeps a history of identical values (a flat series) from making
    // the next change infinitely surprising, whatever the units.
    const floor = Math.max(this.opts.minExcess, 1e-9 * Math.abs(u), 1e-300);
    this.excess = Math.max(cnt > 0 ? sum / cnt : 0, floor);
    const c = this.opts.topCount;
    if (c > 0 && top.length > c) {
      const xc = top[top.length - c - 1]!;
      let above = 0;
      for (let i = top.length - c; i < top.length; i++) above += top[i]! - xc;
      this.topThreshold = xc;
      this.topExcess = Math.max(above / c, floor);
    } else {
      this.topThreshold = Infinity;
    }
  }
}

/** k-th smallest of a[0..n) (Hoare selection, in place, expected O(n)). */
export function quickselect(a: Float64Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}
