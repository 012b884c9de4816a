// Derived features. An isolation forest on the raw value alone only finds values outside
// the usual range; adding how fast the value moves and how the recent window behaves lets
// it find a point that is ordinary in size but not in context (a jump inside the normal
// range, a normally spiky series gone smooth).

/** Number of features ValueFeatures produces per point. */
export const VALUE_FEATURES = 4;

const ABS_DEV_TO_SIGMA = Math.sqrt(Math.PI / 2);

/** Rolling features of one value stream: [value, change, recent level, recent spread]. */
export class ValueFeatures {
  /** The feature row of the last pushed point (reused, copy it to keep it). */
  readonly row = new Float64Array(VALUE_FEATURES);
  /** EWMA of the value over the level span. */
  level = NaN;
  /** Robust sigma of the recent window (EWMA of absolute deviations from the level). */
  spread = 0;
  private prev = NaN;

  constructor(
    private readonly levelAlpha: number,
    private readonly spreadAlpha: number,
  ) {}

  push(x: number): void {
    if (Number.isNaN(this.prev)) {
      this.level = x;
      this.spread = 0;
      this.prev = x;
    }
    const dev = Math.abs(x - this.level) * ABS_DEV_TO_SIGMA;
    this.spread += this.spreadAlpha * (dev - this.spread);
    this.level += this.levelAlpha * (x - this.level);
    this.row[0] = x;
    this.row[1] = x - this.prev;
    this.row[2] = this.level;
    this.row[3] = this.spread;
    this.prev = x;
  }
}
