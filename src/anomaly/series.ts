// Scoring a whole series in one call: the loop the CLI, the benchmark and the tests share,
// so all of them run exactly the code (and defaults) the product runs point by point.

import { createDetector, type DetectorName, type DetectorOverrides } from './registry.ts';

export interface SeriesResult {
  /**
   * Calibrated anomaly score per point, 0..1, after episode suppression: it is at least
   * ALARM_SCORE exactly where `alarm` is 1 (see Combiner.reported).
   */
  score: Float64Array;
  /** 1 where the detector raised an alarm (first point of an episode), else 0. */
  alarm: Uint8Array;
}

/**
 * Streams `values` (with `tsMs` epoch-millisecond timestamps) through a fresh detector.
 * Each point's score depends only on it and the points before it.
 */
export function detectSeries(
  tsMs: ArrayLike<number>,
  values: ArrayLike<number>,
  name: DetectorName = 'combined',
  overrides: DetectorOverrides = {},
): SeriesResult {
  if (tsMs.length !== values.length) throw new RangeError('timestamps and values differ in length');
  const n = values.length;
  const score = new Float64Array(n);
  const alarm = new Uint8Array(n);
  const detector = createDetector(name, overrides);
  for (let i = 0; i < n; i++) {
    detector.update(tsMs[i]!, values[i]!);
    score[i] = detector.combiner.reported;
    alarm[i] = detector.alarm ? 1 : 0;
  }
  return { score, alarm };
}
