// `vigil agent --once` (the real executable) against a running Vigil: it delivers its samples and
// leaves its counter readings next to its spool for the next start.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeReadings } from '../../src/agent/index.ts';
import { testApp } from '../helpers/app.ts';
import { runVigil } from '../helpers/cli.ts';

const app = await testApp({ listen: true });

test('vigil agent --once keeps its counter readings (this boot, atomically written) beside the spool', async (ctx) => {
  const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  if (!bootId) return ctx.skip('no boot_id on this kernel');
  const dir = mkdtempSync(join(tmpdir(), 'vigil-cli-agent-'));
  const started = Date.now();
  const run = await runVigil(
    [
      'agent',
      '--once',
      '--interval',
      '1s',
      '--hostname',
      'cli-agent',
      '--server',
      app.vigil.url,
      '--spool',
      join(dir, 'spool.jsonl'),
    ],
    { VIGIL_AGENT_TOKEN: app.tokens.ingest },
  );
  assert.equal(run.code, 0, run.stderr);
  const saved = decodeReadings(readFileSync(join(dir, 'spool.counters.json'), 'utf8'));
  assert.equal(saved.bootId, bootId);
  assert.ok(saved.atMs >= started && saved.atMs <= Date.now(), 'the time of the last sample');
  assert.ok(saved.cpu, 'cpu jiffies are kept too');
  assert.equal(existsSync(join(dir, 'spool.counters.json.tmp')), false);
  assert.equal(readFileSync(join(dir, 'spool.jsonl'), 'utf8'), '', 'both samples were acknowledged');
  const { rows } = await app.db.pool.query(
    `SELECT count(*)::int AS n FROM vigil.server_metrics m JOIN vigil.servers s ON s.id = m.server_id
      WHERE s.hostname = 'cli-agent'`,
  );
  assert.equal(rows[0].n, 2);
});
