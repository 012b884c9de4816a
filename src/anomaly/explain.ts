// One-line explanations for people: which signal deviated, by how much, from what.
// Written for the alert text and the anomalies table ("cpu_usage 97.2 is 6.1σ above its
// EWMA 41.0"), so they name the metric and use the metric's own units.

import type { Reading } from './detectors/univariate.ts';

function num(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return x.toPrecision(3);
  return String(Math.round(x * 10) / 10);
}

function sigmas(z: number): string {
  return `${num(Math.abs(z))}σ ${z >= 0 ? 'above' : 'below'}`;
}

/** Explanation of a reading of `metric` whose value was `value`. */
export function explain(metric: string, value: number, r: Reading): string {
  switch (r.component) {
    case 'ewma':
      return `${metric} ${num(value)} is ${sigmas(r.deviation)} its EWMA ${num(r.expected)}`;
    case 'spike':
      return `${metric} ${num(value)} is ${sigmas(r.deviation)} its robust EWMA ${num(r.expected)}`;
    case 'level':
      return `${metric} recent level is ${sigmas(r.deviation)} its baseline ${num(r.expected)}`;
    case 'variance': {
      const ratio = Math.exp(r.deviation);
      return ratio >= 1
        ? `${metric} is ${num(ratio)}x more variable than usual`
        : `${metric} is ${num(1 / ratio)}x less variable than usual`;
    }
    case 'seasonal':
      return `${metric} ${num(value)} is ${sigmas(r.deviation)} the usual ${num(r.expected)} for this hour`;
    case 'stuck':
      return `${metric} has been stuck at ${num(value)} for ${r.deviation} samples`;
    case 'forest':
      return `${metric} ${num(value)} moves unlike its recent history (isolation score ${r.deviation.toFixed(2)})`;
    case 'context':
      return `${metric} ${num(value)} follows an unusual sequence of values for this series (its recent pattern is rarely seen)`;
    case 'high':
      return `${metric} ${num(value)} is higher than almost anything in its recent history`;
    case 'low':
      return `${metric} ${num(value)} is lower than almost anything in its recent history`;
    case 'mean_high':
    case 'slow_high':
      return `${metric} ${r.component === 'mean_high' ? 'half-hour' : 'three-hour'} average ${num(r.deviation)} is higher than almost anything in its recent history`;
    case 'mean_low':
    case 'slow_low':
      return `${metric} ${r.component === 'mean_low' ? 'half-hour' : 'three-hour'} average ${num(-r.deviation)} is lower than almost anything in its recent history`;
    case undefined:
      return `${metric} ${num(value)} looks ordinary`;
  }
}
