// Streaming use of the isolation forest: keep the last `window` feature rows, score each
// new row against the forest trained on the rows before it, and retrain on the trailing
// window every `retrainEvery` rows. Retraining on a schedule (not per point) keeps the
// cost bounded, and a trailing window lets the forest follow a server whose normal
// changes (a deploy, a new tenant) instead of flagging the new normal forever.

import { IsolationForest } from './isolation-forest.ts';
import { deriveSeed } from './rng.ts';

export interface ForestDetectorOptions {
  dims: number;
  trees: number;
  sampleSize: number;
  /** Trailing rows kept for training. */
  window: number;
  /** Rows needed before the first forest is trained. */
  minTrain: number;
  retrainEvery: number;
  seed: number;
}

export class ForestDetector {
  private readonly ring: Float64Array;
  private head = 0;
  private size = 0;
  private sinceTrain = 0;
  private trainings = 0;
  forest: IsolationForest | undefined;

  constructor(private readonly opts: ForestDetectorOptions) {
    this.ring = new Float64Array(opts.window * opts.dims);
  }

  /** Isolation score of a row (0 until the first forest exists). */
  score(row: ArrayLike<number>): number {
    return this.forest ? this.forest.score(row) : 0;
  }

  add(row: ArrayLike<number>): void {
    const d = this.opts.dims;
    const at = this.head * d;
    for (let k = 0; k < d; k++) this.ring[at + k] = row[k]!;
    this.head = (this.head + 1) % this.opts.window;
    if (this.size < this.opts.window) this.size++;
    this.sinceTrain++;
    const due = this.forest ? this.sinceTrain >= this.opts.retrainEvery : this.size >= this.opts.minTrain;
    if (due) this.retrain();
  }

  /** Trains a fresh forest on the trailing window (also callable by a scheduled job). */
  retrain(): void {
    if (this.size < 2) return;
    // Row order does not matter to a forest (it samples), so the ring is used as is.
    const n = this.size * this.opts.dims;
    this.forest = new IsolationForest(this.ring.subarray(0, n), this.size, this.opts.dims, {
      trees: this.opts.trees,
      sampleSize: this.opts.sampleSize,
      // A new seed per training keeps runs reproducible without reusing one tree shape.
      seed: deriveSeed(this.opts.seed, this.trainings++),
    });
    this.sinceTrain = 0;
  }
}
