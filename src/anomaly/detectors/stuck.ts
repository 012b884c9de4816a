// Stuck values: a metric that stops changing. A hung agent, a frozen exporter or a
// saturated counter reports the same number again and again, and every threshold rule
// stays green. What counts as "stuck" depends on the series: a quantized CPU gauge
// repeats 0.066 all day, a byte counter never repeats. So the run length of exact
// repeats is scored against a two-state Markov model learned from the series itself:
// p0 = chance that a value repeats the previous one, p1 = chance a repeat continues.
// P(run >= L) = p0 * p1^(L-1); the surprise is -log10 of that. Laplace priors keep a
// never-repeating series from calling two equal samples impossible.

export interface StuckOptions {
  /** Memory of the repeat probabilities, in points. */
  span: number;
  /** Points needed before surprise() is non-zero. */
  warmup: number;
}

export class StuckDetector {
  /** Current run of exact repeats (0 = the last value differed from the one before). */
  run = 0;
  private prev = NaN;
  private count = 0;
  // Exponentially weighted counts behind p0 and p1 (with +1/+2 Laplace smoothing).
  private repeats = 0;
  private moves = 0;
  private continued = 0;
  private broken = 0;
  private readonly decay: number;

  constructor(private readonly opts: StuckOptions) {
    this.decay = 1 - 1 / Math.max(1, opts.span);
  }

  /** -log10 P(a run at least this long) for x following the points seen so far. */
  surprise(x: number): number {
    if (this.count < this.opts.warmup || x !== this.prev) return 0;
    const L = this.run + 1;
    const p0 = (this.repeats + 1) / (this.repeats + this.moves + 2);
    const p1 = (this.continued + 1) / (this.continued + this.broken + 2);
    return -(Math.log10(p0) + (L - 1) * Math.log10(p1));
  }

  update(x: number): void {
    this.count++;
    if (this.count > 1) {
      const repeat = x === this.prev;
      const wasRun = this.run > 0;
      this.repeats *= this.decay;
      this.moves *= this.decay;
      this.continued *= this.decay;
      this.broken *= this.decay;
      // p0 is learned from fresh starts only, p1 from points that followed a repeat.
      if (wasRun) {
        if (repeat) this.continued++;
        else this.broken++;
      } else if (repeat) this.repeats++;
      else this.moves++;
      this.run = repeat ? this.run + 1 : 0;
    }
    this.prev = x;
  }
}
