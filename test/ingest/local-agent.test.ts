// The agent `vigil start` runs in-process for the local host keeps its counter readings across a
// Vigil restart, as the standalone agent does: two startVigil runs on one data_dir and one
// database, over a fake /proc whose counters the test sets, so the delta is a known answer.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeReadings, localHostname } from '../../src/agent/index.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { startIngest } from '../../src/ingest/module.ts';
import { createLogger } from '../../src/logger.ts';
import { startVigil } from '../../src/main.ts';
import { testConfig } from '../helpers/app.ts';
import { testDatabase } from '../helpers/database.ts';
import { eventually } from '../helpers/eventually.ts';
import { fakeProc } from '../helpers/fake-proc.ts';

// Long enough that each run takes only its first sample (taken as soon as Vigil listens).
const INTERVAL = 60_000;

const db = await testDatabase();

interface Row {
  ts: Date;
  network_in_bytes: number | null;
  network_out_bytes: number | null;
  cpu_usage: number | null;
  memory_usage: number;
}

const rowsOfThisHost = async (): Promise<Row[]> =>
  (
    await db.pool.query<Row>(
      `SELECT m.ts, m.network_in_bytes, m.network_out_bytes, m.cpu_usage, m.memory_usage
         FROM vigil.server_metrics m JOIN vigil.servers s ON s.id = m.server_id
        WHERE s.hostname = $1 ORDER BY m.ts`,
      [localHostname()],
    )
  ).rows;

test('after a Vigil restart the local agent writes its first row with the network and cpu delta', async () => {
  const proc = fakeProc();
  const config = testConfig(db.url, { agent: { enabled: true, interval: '60s' } });
  const t0 = Date.now() - 2 * INTERVAL;
  const clock = new ManualClock(t0);
  /** One Vigil run: started, its agent's first row awaited, stopped. */
  const run = async (rowsBefore: number) => {
    const vigil = await startVigil({
      config,
      logger: createLogger('silent'),
      clock,
      modules: [{ name: 'ingest', start: (ctx) => startIngest(ctx, { agentProcRoot: proc.root }) }],
      listen: true,
    });
    try {
      const rows = await eventually('the local agent to write a row', async () => {
        const r = await rowsOfThisHost();
        return r.length > rowsBefore && r;
      });
      return rows.at(-1) as Row;
    } finally {
      await vigil.close();
    }
  };

  const first = await run(0);
  assert.equal(first.ts.getTime(), t0, 'the row is the agent sample of this run');
  assert.equal(first.network_in_bytes, null, 'the very first start has nothing to compare with');
  assert.equal(first.cpu_usage, null);
  const statePath = join(config.server.data_dir, 'agent-counters.json');
  assert.ok(existsSync(statePath), 'the readings are kept under data_dir');
  assert.equal(decodeReadings(readFileSync(statePath, 'utf8')).atMs, t0);

  proc.set({ rx: 1500n, tx: 2600n, busy: 150, idle: 1000 });
  clock.advance(INTERVAL);
  const restarted = await run(1);
  assert.equal(restarted.ts.getTime(), t0 + INTERVAL);
  assert.equal(restarted.network_in_bytes, 500, 'eth0 only (lo is left out)');
  assert.equal(restarted.network_out_bytes, 600);
  assert.equal(restarted.cpu_usage, 33.33, '50 of 150 jiffies busy');
  assert.equal(restarted.memory_usage, 60, 'the sample itself is whole');
  assert.equal(decodeReadings(readFileSync(statePath, 'utf8')).atMs, t0 + INTERVAL);
});
