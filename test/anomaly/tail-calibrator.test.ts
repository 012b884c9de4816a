// The calibrated tail: a recurring extreme (a daily cron spike on an idle metric) is a mode of
// the history, so a new spike a few percent above the last is not a record; a spike far
// beyond every earlier one still is, and a clean series is as surprising as before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TailCalibrator } from '../../src/anomaly/detectors/tail-calibrator.ts';
import { DEFAULT_COMBINER, DEFAULT_UNIVARIATE, createRng, detectSeries } from '../../src/anomaly/index.ts';
import { alarmsAt, noise } from './synthetic.ts';

const DAY = 288;

/** An idle CPU gauge (0.1 +- 0.01) with a spike of ~1.4 once a day (seeded jitter). */
function cronSeries(n: number, seed: number): { ts: Float64Array; values: Float64Array } {
  const rng = createRng(seed);
  const s = noise(n, seed, { level: 0.1, sigma: 0.01 });
  for (let i = 150; i < n; i += DAY) s.values[i] = 1.4 * (0.95 + 0.1 * rng.next());
  return s;
}

function calibrated(values: ArrayLike<number>, topCount: number): TailCalibrator {
  const t = new TailCalibrator({ ...DEFAULT_UNIVARIATE.calibration, minExcess: 0.05, topCount });
  for (let i = 0; i < values.length; i++) t.add(values[i]!);
  return t;
}

test('a daily spike a little higher than the last is not a record; three times higher is', () => {
  // Two weeks: fourteen spikes, more than the ten the top tail is fitted to.
  const { values } = cronSeries(14 * DAY, 1);
  let max = 0;
  for (const v of values) max = Math.max(max, v);
  const withTop = calibrated(values, DEFAULT_UNIVARIATE.calibration.topCount);
  const without = calibrated(values, 0);
  // Without the top tail the fit above the 97th percentile (idle values) calls it impossible.
  // What one component needs to raise an alarm by itself (see combiner.ts).
  const alarm = DEFAULT_COMBINER.alarmSurprise + Math.log10(DEFAULT_UNIVARIATE.components.length);
  const before = without.surprise(max * 1.05);
  const after = withTop.surprise(max * 1.05);
  // Without the top tail the fit above the 97th percentile (idle values) calls it impossible.
  assert.ok(before > alarm, `without: ${before}`);
  // With it: about as rare as "beyond the ten largest of two weeks", below an alarm.
  assert.ok(after < alarm, `with: ${after}`);
  assert.ok(withTop.surprise(max * 3) > alarm + 1, `3x: ${withTop.surprise(max * 3)}`);
});

test('on Gaussian noise the top tail changes little: a 6-sigma value stays rare', () => {
  const s = noise(4032, 3);
  const z = Array.from(s.values, (v) => Math.abs(v - 50) / 2);
  const withTop = calibrated(z, DEFAULT_UNIVARIATE.calibration.topCount);
  const without = calibrated(z, 0);
  assert.ok(withTop.surprise(6) > 5, `with: ${withTop.surprise(6)}`);
  assert.ok(withTop.surprise(6) >= without.surprise(6) - 1.5);
  // Never more surprised than without it: it only ever lowers the surprise.
  for (const d of [3, 4, 5, 8]) assert.ok(withTop.surprise(d) <= without.surprise(d));
});

test('the shipped detector does not page on a daily cron spike, but pages on a far larger one', () => {
  for (const seed of [1, 2, 3]) {
    const s = cronSeries(14 * DAY, seed);
    const quiet = detectSeries(s.ts, s.values);
    // After the calibration's trust ramp (1000 readings).
    assert.deepEqual(
      alarmsAt(quiet.alarm).filter((i) => i >= 1000),
      [],
      `seed ${seed}`,
    );
    const at = 12 * DAY + 40;
    s.values[at] = 5;
    const loud = detectSeries(s.ts, s.values);
    assert.ok(alarmsAt(loud.alarm).includes(at), `seed ${seed}`);
    // Reproducible: same input, same scores.
    assert.deepEqual(detectSeries(s.ts, s.values).score, loud.score);
  }
});
