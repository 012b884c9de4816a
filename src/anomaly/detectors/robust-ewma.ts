// A robust EWMA: location and scale that one outlier cannot drag.
// Plain EWMA variance is ruined by a single spike (it squares it), which hides the next
// few anomalies and makes z-scores of heavy-tailed server metrics meaningless. Here the
// residual is clipped at `clip` scales before it updates the state (a Huber-type
// M-estimator in streaming form), and the scale is a mean absolute deviation, which
// grows linearly, not quadratically, with a residual. A genuine level shift still wins:
// each step moves the mean by up to clip*scale and the scale grows geometrically, so the
// baseline follows a new level within a few spans.

import { alphaForSpan } from './ewma.ts';

/** E|X| = sigma * sqrt(2/pi) for a normal variable, so MAD-from-mean * 1.2533 ~ sigma. */
const ABS_DEV_TO_SIGMA = Math.sqrt(Math.PI / 2);

export interface RobustEwmaOptions {
  span: number;
  warmup: number;
  /** Residuals beyond clip*scale are winsorized before updating. */
  clip: number;
  relativeFloor: number;
  absoluteFloor: number;
  /**
   * The robust scale may not fall below this fraction of the unclipped mean absolute
   * deviation. Between the spikes of a series that is exactly flat (0, 0, 0, 20, 0 ...)
   * the robust scale decays towards zero, so every new spike would look more extreme
   * than the last; the unclipped deviation remembers that spikes are part of normal.
   */
  rawFloor: number;
}

export class RobustEwma {
  mean = 0;
  /** Robust sigma estimate. */
  scale = 0;
  /** Unclipped sigma estimate (outliers included), for the floor. */
  rawScale = 0;
  count = 0;
  private readonly alpha: number;

  constructor(private readonly opts: RobustEwmaOptions) {
    this.alpha = alphaForSpan(opts.span);
  }

  /** Smallest sigma this baseline will divide by (see relativeFloor). */
  floor(): number {
    return Math.max(
      this.opts.absoluteFloor + this.opts.relativeFloor * Math.abs(this.mean),
      this.opts.rawFloor * this.rawScale,
    );
  }

  sigma(): number {
    return Math.max(this.scale, this.floor());
  }

  /** True once the warm-up is over and z() means something. */
  ready(): boolean {
    return this.count >= this.opts.warmup;
  }

  /** Signed robust z-score of x against the current state (0 while warming up). */
  z(x: number): number {
    if (!this.ready()) return 0;
    return (x - this.mean) / this.sigma();
  }

  update(x: number): void {
    this.count++;
    if (this.count === 1) {
      this.mean = x;
      this.scale = 0;
      return;
    }
    const a = Math.max(this.alpha, 1 / this.count);
    let r = x - this.mean;
    this.rawScale += a * (Math.abs(r) * ABS_DEV_TO_SIGMA - this.rawScale);
    // Clip only once the scale means something; before that every residual is "normal".
    if (this.count > this.opts.warmup) {
      const lim = this.opts.clip * this.sigma();
      if (r > lim) r = lim;
      else if (r < -lim) r = -lim;
    }
    this.mean += a * r;
    this.scale += a * (Math.abs(r) * ABS_DEV_TO_SIGMA - this.scale);
  }
}
