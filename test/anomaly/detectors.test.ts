// The shipped detector on synthetic series with one planted anomaly: it must alarm soon
// after the anomaly starts and not before; on clean series it must stay quiet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectSeries, explain, createDetector } from '../../src/anomaly/index.ts';
import { alarmsAt, noise } from './synthetic.ts';

const N = 3000;
const ONSET = 2000;
// Everything before this is warm-up (baselines and calibration still learning).
const WARM = 600;

function check(values: Float64Array, ts: Float64Array, maxDelay: number): number {
  const { alarm, score } = detectSeries(ts, values);
  const alarms = alarmsAt(alarm).filter((i) => i >= WARM);
  assert.deepEqual(
    alarms.filter((i) => i < ONSET),
    [],
    'no alarm on the clean part before the anomaly',
  );
  const first = alarms.find((i) => i >= ONSET);
  assert.ok(first !== undefined, 'an alarm after the anomaly starts');
  assert.ok(first - ONSET <= maxDelay, `alarm at ${first}, expected within ${maxDelay} of ${ONSET}`);
  assert.ok(score[first]! >= 0.5 && score[first]! <= 1);
  return first;
}

for (const seed of [1, 2, 3]) {
  test(`spike is flagged at once (seed ${seed})`, () => {
    const s = noise(N, seed);
    s.values[ONSET] = 50 + 30; // 15 sigma
    assert.equal(check(s.values, s.ts, 0), ONSET);
  });

  test(`level shift is flagged within half an hour (seed ${seed})`, () => {
    const s = noise(N, seed);
    for (let i = ONSET; i < N; i++) s.values[i]! += 12; // 6 sigma, sustained
    check(s.values, s.ts, 6);
  });

  test(`variance change is flagged (seed ${seed})`, () => {
    const s = noise(N, seed);
    for (let i = ONSET; i < N; i++) s.values[i] = 50 + (s.values[i]! - 50) * 5;
    check(s.values, s.ts, 24);
  });

  test(`stuck value is flagged (seed ${seed})`, () => {
    const s = noise(N, seed);
    for (let i = ONSET; i < N; i++) s.values[i] = s.values[ONSET - 1]!;
    check(s.values, s.ts, 24);
  });

  test(`clean noisy series raises no alarm (seed ${seed})`, () => {
    const s = noise(N, seed);
    const { alarm } = detectSeries(s.ts, s.values);
    assert.deepEqual(
      alarmsAt(alarm).filter((i) => i >= WARM),
      [],
    );
  });

  test(`clean daily-seasonal series raises no alarm (seed ${seed})`, () => {
    const s = noise(N, seed, { daily: 20 });
    const { alarm } = detectSeries(s.ts, s.values);
    assert.deepEqual(
      alarmsAt(alarm).filter((i) => i >= WARM),
      [],
    );
  });
}

test('a missing daily peak is flagged by the seasonal baseline', () => {
  const s = noise(N, 7, { daily: 20 });
  // Flatten one day's cycle to its mean: within the overall range, wrong for the hour.
  for (let i = ONSET; i < ONSET + 288; i++)
    s.values[i] = 50 + (s.values[i]! - 50 - 20 * Math.sin((2 * Math.PI * i) / 288));
  const { alarm } = detectSeries(s.ts, s.values);
  const first = alarmsAt(alarm).find((i) => i >= ONSET);
  assert.ok(first !== undefined && first < ONSET + 144, `alarm at ${first}`);
});

for (const seed of [1, 3, 5]) {
  test(`a young series knows its daily cycle after a day: an inverted third day is flagged (seed ${seed})`, () => {
    const s = noise(1500, seed, { daily: 20 });
    const onset = 2 * 288;
    for (let i = onset; i < onset + 288; i++) s.values[i]! -= 40 * Math.sin((2 * Math.PI * i) / 288);
    const { alarm } = detectSeries(s.ts, s.values);
    const first = alarmsAt(alarm).find((i) => i >= onset);
    assert.ok(first !== undefined && first <= onset + 36, `alarm at ${first}`);
  });
}

test('same seed, same output; the forest seed matters', () => {
  const s = noise(N, 11);
  s.values[ONSET] = 90;
  const a = detectSeries(s.ts, s.values);
  const b = detectSeries(s.ts, s.values);
  assert.deepEqual(a.score, b.score);
  assert.deepEqual(a.alarm, b.alarm);
  const f1 = detectSeries(s.ts, s.values, 'isolation_forest');
  const f2 = detectSeries(s.ts, s.values, 'isolation_forest', { univariate: { seed: 99 } });
  assert.notDeepEqual(f1.score, f2.score);
});

test('streaming: a score never depends on later points', () => {
  const s = noise(N, 5);
  const full = detectSeries(s.ts, s.values).score;
  const cut = detectSeries(s.ts.subarray(0, 2500), s.values.subarray(0, 2500)).score;
  assert.deepEqual(cut, full.subarray(0, 2500));
});

test('one alarm per episode: a lasting shift pages once', () => {
  const s = noise(N, 3);
  for (let i = ONSET; i < ONSET + 100; i++) s.values[i]! += 40;
  const { alarm, score } = detectSeries(s.ts, s.values);
  assert.equal(alarmsAt(alarm).filter((i) => i >= ONSET && i < ONSET + 100).length, 1);
  // The rest of the episode is still anomalous, but reported below the alarm level.
  const later = Array.from(score.subarray(ONSET + 1, ONSET + 100));
  assert.ok(later.every((x) => x < 0.5));
  assert.ok(
    later.some((x) => x > 0.2),
    'suppressed points keep a visible score',
  );
});

test('explanations name the metric and the deviation', () => {
  const s = noise(N, 4);
  s.values[ONSET] = 95;
  const d = createDetector();
  for (let i = 0; i <= ONSET; i++) d.update(s.ts[i]!, s.values[i]!);
  assert.equal(d.alarm, true);
  const text = explain('cpu_usage', 95, d.reading());
  assert.match(text, /^cpu_usage /);
  assert.match(text, /95|above|higher/);
});
