// Timestamps of every format become integer microseconds, or are refused: the conversions the
// parsers share.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { msToUs, msToUsAt, nsToUs, parseIsoUs } from '../../src/ingest/time.ts';

test('epoch milliseconds become integer microseconds; what is not a time is refused', () => {
  assert.equal(msToUs(1_700_000_000_000), 1_700_000_000_000_000);
  assert.equal(msToUs(1.5), 1500, 'a fractional millisecond keeps its microseconds');
  assert.equal(msToUs(0.0004), 0, 'below a microsecond rounds');
  assert.equal(msToUs(-2.5), -2500);
  for (const bad of [NaN, Infinity, -Infinity, 1e300, Number.MAX_SAFE_INTEGER]) {
    assert.equal(msToUs(bad), null, String(bad));
  }
  // The hot-loop form agrees, NaN for refused, and leaves its input alone.
  const ms = Float64Array.of(1.5);
  const us = new Float64Array(1);
  msToUsAt(ms, us);
  assert.deepEqual([ms[0], us[0]], [1.5, 1500]);
  ms[0] = Infinity;
  msToUsAt(ms, us);
  assert.ok(Number.isNaN(us[0]));
});

test('RFC 3339 and nanoseconds keep microsecond precision', () => {
  assert.equal(parseIsoUs('2026-11-25T01:02:03.123456789Z'), Date.UTC(2026, 10, 25, 1, 2, 3) * 1000 + 123456);
  assert.equal(parseIsoUs('2026-11-25T03:02:03.5+02:00'), Date.UTC(2026, 10, 25, 1, 2, 3) * 1000 + 500000);
  assert.equal(parseIsoUs('2026-02-31T00:00:00Z'), null);
  assert.equal(nsToUs(1_999n), 1);
  assert.equal(nsToUs(-1n), -1, 'floored, not truncated towards zero');
});
