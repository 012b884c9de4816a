// The demo seeder at any time of day: the silent servers' history is shifted two hours back, so
// seeded in the first hours of a UTC day it reaches one day further back than the rest.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { seedDemo } from '../../src/demo/seed.ts';
import { testApp } from '../helpers/app.ts';

test('seeding at 00:30 UTC makes the partitions of the silent servers’ first day too', async () => {
  const clock = new ManualClock('2031-03-05T00:30:00Z');
  const app = await testApp({ clock });
  const seeded = await seedDemo(
    { pool: app.db.pool, ctx: app.vigil.ctx },
    { servers: 6, days: 2, fineHours: 1 },
  );
  assert.equal(seeded.seeded, true);
  const { rows } = await app.db.pool.query<{ first: string }>(
    `SELECT min(ts) AT TIME ZONE 'UTC' AS first FROM vigil.server_metrics`,
  );
  // now - 2 days - 2 hours: 2031-03-02 22:30, a day before both `days` and the partitions made at start
  // (partitions_behind_days, 2) reach.
  assert.equal(new Date(`${rows[0]?.first}Z`).toISOString(), '2031-03-02T22:30:00.000Z');
});
