// Contextual novelty: a series whose rhythm changes (a burst of spikes) without any
// single value leaving its usual range is flagged; clean and seasonal rhythms are not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ContextNovelty } from '../../src/anomaly/detectors/context.ts';
import { DEFAULT_UNIVARIATE, detectSeries } from '../../src/anomaly/index.ts';
import { alarmsAt, noise } from './synthetic.ts';

const N = 3000;
const ONSET = 2000;
// After the calibration's trust ramp (1000 readings): before it, the spike component can
// still call one of the first bursts rare, which is not what these tests are about.
const WARM = 1000;
const opts = DEFAULT_UNIVARIATE.context!;

/**
 * An idle metric with two bursts of the same height half an hour apart every 8 hours (a
 * cron job and its retry); with `burst`, five of them within 70 minutes at ONSET. No value
 * is new, only the rhythm is.
 */
function spiky(burst: boolean, phase: number): ReturnType<typeof noise> {
  const s = noise(N, 1);
  for (let i = 0; i < N; i++) {
    const t = (i - phase + 96) % 96;
    s.values[i] = t === 0 || t === 6 ? 20 : 0;
  }
  if (burst) for (const k of [0, 3, 7, 10, 14]) s.values[ONSET + k] = 20;
  return s;
}

test('the averaged log-loss climbs on a burst of familiar spikes', () => {
  const s = spiky(true, 0);
  const c = new ContextNovelty(opts);
  let before = 0;
  let after = 0;
  for (let i = 0; i < N; i++) {
    const z = c.score(s.values[i]!);
    c.learn(s.values[i]!);
    if (Number.isNaN(z)) continue;
    if (i >= WARM && i < ONSET) before = Math.max(before, z);
    if (i >= ONSET && i < ONSET + 24) after = Math.max(after, z);
  }
  assert.ok(after > 1.5 * before, `after ${after} vs before ${before}`);
});

test('abstains until it has bins and learned transitions', () => {
  const c = new ContextNovelty(opts);
  for (let i = 0; i < opts.minHistory + opts.minLearn / 2; i++) {
    assert.ok(Number.isNaN(c.score(i % 7)));
    c.learn(i % 7);
  }
});

// The context component alone, through the shipped calibration and combiner: the other
// components see these series too, so only this way the test is about context.
const contextOnly = { univariate: { components: ['context'] as const } };

for (const phase of [0, 7, 13]) {
  test(`a burst of spikes of the usual height is flagged (phase ${phase})`, () => {
    const s = spiky(true, phase);
    const alarms = alarmsAt(detectSeries(s.ts, s.values, 'combined', contextOnly).alarm);
    assert.deepEqual(
      alarms.filter((i) => i >= WARM && i < ONSET),
      [],
    );
    const first = alarms.find((i) => i >= ONSET);
    assert.ok(first !== undefined && first < ONSET + 24, `alarm at ${first}`);
  });

  test(`a steady spike rhythm raises no alarm (phase ${phase})`, () => {
    const s = spiky(false, phase);
    const alarms = alarmsAt(detectSeries(s.ts, s.values, 'combined', contextOnly).alarm);
    assert.deepEqual(
      alarms.filter((i) => i >= WARM),
      [],
    );
  });
}

test('reproducible and streaming', () => {
  const s = spiky(true, 5);
  const a = new ContextNovelty(opts);
  const b = new ContextNovelty(opts);
  for (let i = 0; i < N; i++) {
    const za = a.score(s.values[i]!);
    assert.ok(Object.is(za, b.score(s.values[i]!)));
    a.learn(s.values[i]!);
    b.learn(s.values[i]!);
  }
});
