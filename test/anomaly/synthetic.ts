// Seeded synthetic series for detector tests: 5-minute samples of Gaussian noise around a
// level, optionally with a daily cycle, and helpers to plant one anomaly at a known index.
import { createRng } from '../../src/anomaly/index.ts';

export const STEP_MS = 5 * 60_000;
export const START_MS = Date.UTC(2024, 0, 1);

export interface Series {
  ts: Float64Array;
  values: Float64Array;
}

export function noise(
  n: number,
  seed: number,
  opts: { level?: number; sigma?: number; daily?: number } = {},
): Series {
  const rng = createRng(seed);
  const { level = 50, sigma = 2, daily = 0 } = opts;
  const ts = new Float64Array(n);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    ts[i] = START_MS + i * STEP_MS;
    // Box-Muller from the seeded generator.
    const g = Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
    const season = daily * Math.sin((2 * Math.PI * i) / 288);
    values[i] = level + season + sigma * g;
  }
  return { ts, values };
}

/** Indices where alarm[i] === 1. */
export function alarmsAt(alarm: Uint8Array): number[] {
  const out: number[] = [];
  alarm.forEach((a, i) => {
    if (a === 1) out.push(i);
  });
  return out;
}
