// The agent's counter readings survive an agent restart: real files in a temp dir, a fake /proc
// whose counters the test sets, and a new Agent per "start" on the same state file.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Agent, counterStatePath, decodeReadings } from '../../src/agent/index.ts';
import { BOOT_A, BOOT_B, type ProcState, fakeProc } from '../helpers/fake-proc.ts';

const INTERVAL = 10_000;
const t0 = Date.parse('2026-11-24T12:00:00Z');

/** A fake /proc and an agent state file next to a spool, in a fresh temp dir. */
function fakeHost(initial: Partial<ProcState> = {}) {
  const proc = fakeProc(initial);
  return { ...proc, statePath: counterStatePath(join(proc.dir, 'spool.jsonl')) };
}

/** Starts a new agent (a restart) on the host's state file and takes one sample at `atMs`. */
async function start(host: ReturnType<typeof fakeHost>, atMs: number) {
  const rows: Record<string, unknown>[] = [];
  const logs: { level: string; message: string }[] = [];
  const agent = new Agent({
    intervalMs: INTERVAL,
    hostname: 'counter-host',
    procRoot: host.root,
    statePath: host.statePath,
    now: () => new Date(atMs),
    log: (level, message) => logs.push({ level, message }),
    sink: async (b) => void rows.push(b.rows[0] as Record<string, unknown>),
  });
  await agent.tick();
  assert.equal(rows.length, 1, 'the sample was taken and handed on');
  return { row: rows[0] as Record<string, unknown>, logs };
}

test('a restarted agent reports the first interval from the counters it saved (same boot, recent)', async () => {
  const host = fakeHost();
  const first = await start(host, t0);
  assert.equal(first.row.network_in_bytes, undefined, 'the very first start has nothing to compare with');
  assert.equal(host.statePath, join(host.dir, 'spool.counters.json'), 'kept next to the spool');
  const saved = decodeReadings(readFileSync(host.statePath, 'utf8'));
  assert.deepEqual(
    [saved.bootId, saved.atMs, saved.net.get('eth0'), saved.cpu],
    [BOOT_A, t0, { rx: 1000n, tx: 2000n }, { busy: 100n, total: 1000n }],
  );
  assert.equal(statSync(host.statePath).mode & 0o777, 0o600);

  host.set({ rx: 1500n, tx: 2600n, busy: 150, idle: 1000 });
  const restarted = await start(host, t0 + INTERVAL);
  assert.equal(restarted.row.network_in_bytes, 500, 'eth0 only (lo is left out)');
  assert.equal(restarted.row.network_out_bytes, 600);
  assert.equal(restarted.row.cpu_usage, 33.33, '50 of 150 jiffies busy');
  assert.deepEqual(restarted.logs, []);
  assert.deepEqual(readdirSync(host.dir).sort(), ['proc', 'spool.counters.json'], 'no temporary file left');
  assert.equal(decodeReadings(readFileSync(host.statePath, 'utf8')).atMs, t0 + INTERVAL);
});

test('a counter that dropped within one boot is a wrap; after a reboot it is a restart and stays NULL', async () => {
  const wrapped = fakeHost({ rx: 2n ** 32n - 100n, tx: 10n });
  await start(wrapped, t0);
  wrapped.set({ rx: 50n, tx: 25n });
  const same = await start(wrapped, t0 + INTERVAL);
  assert.equal(same.row.network_in_bytes, 150, '32-bit wrap: 100 up to 2^32, then 50');
  assert.equal(same.row.network_out_bytes, 15);

  const rebooted = fakeHost({ rx: 2n ** 32n - 100n, tx: 10n });
  await start(rebooted, t0);
  rebooted.set({ boot: BOOT_B, rx: 50n, tx: 25n, busy: 5, idle: 50 });
  const after = await start(rebooted, t0 + INTERVAL);
  assert.equal(after.row.network_in_bytes, undefined, 'a reboot reset the counters: no delta');
  assert.equal(after.row.cpu_usage, undefined);
  assert.match(after.logs[0]?.message ?? '', /another boot/);
  // The readings of the new boot are what the next start compares with.
  rebooted.set({ rx: 80n, tx: 30n });
  assert.equal((await start(rebooted, t0 + 2 * INTERVAL)).row.network_in_bytes, 30);
});

test('readings older than three intervals, or not older than the sample, are not used', async () => {
  const host = fakeHost();
  await start(host, t0);
  host.set({ rx: 1100n });
  const late = await start(host, t0 + 3 * INTERVAL + 1);
  assert.equal(late.row.network_in_bytes, undefined, 'the delta would span the gap while the agent was down');
  assert.match(late.logs[0]?.message ?? '', /30001 ms old, over the limit of 30000 ms/);
  host.set({ rx: 1300n });
  const atLimit = await start(host, t0 + 6 * INTERVAL + 1);
  assert.equal(atLimit.row.network_in_bytes, 200, 'exactly three intervals later is still used');
  host.set({ rx: 1400n });
  const back = await start(host, t0 + 5 * INTERVAL);
  assert.equal(back.row.network_in_bytes, undefined, 'the clock was set back');
  assert.match(back.logs[0]?.message ?? '', /clock/);
});

// A valid state, a sample interval before t0, of boot A: each case below breaks one thing.
const base = () => ({
  v: 1,
  boot_id: BOOT_A,
  at_ms: t0 - INTERVAL,
  net: { eth0: { rx: '900', tx: '1900' } } as Record<string, unknown>,
  cpu: { busy: '90', total: '900' } as unknown,
});
const json = (o: unknown) => JSON.stringify(o);
const CORRUPT: [string, string | Buffer][] = [
  ['empty', ''],
  ['truncated', json(base()).slice(0, 40)],
  ['null', 'null'],
  ['an array', '[1, 2]'],
  ['binary garbage', Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x22, 0x80, 0x0a])],
  ['another version', json({ ...base(), v: 2 })],
  ['a bad boot id', json({ ...base(), boot_id: '../../etc/passwd' })],
  ['a time as text', json({ ...base(), at_ms: '1764000000000' })],
  ['a counter as a JSON number', json({ ...base(), net: { eth0: { rx: 1e30, tx: '1' } } })],
  ['a negative counter', json({ ...base(), net: { eth0: { rx: '-5', tx: '1' } } })],
  ['a counter beyond 64 bits', json({ ...base(), net: { eth0: { rx: '18446744073709551616', tx: '1' } } })],
  ['a hex counter', json({ ...base(), net: { eth0: { rx: '0x10', tx: '1' } } })],
  ['a bad interface name', json({ ...base(), net: { 'eth0 rx': { rx: '1', tx: '1' } } })],
  [
    'too many interfaces',
    json({
      ...base(),
      net: Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`if${i}`, { rx: '1', tx: '1' }])),
    }),
  ],
  ['busy above total', json({ ...base(), cpu: { busy: '901', total: '900' } })],
  ['huge', ' '.repeat(2 * 1024 * 1024) + json(base())],
];

test('the valid state the corrupt cases start from is used', async () => {
  const host = fakeHost();
  writeFileSync(host.statePath, json(base()));
  assert.equal((await start(host, t0)).row.network_in_bytes, 100);
});

test('a corrupt, truncated or hostile state file is ignored with a warning and replaced', async () => {
  for (const [what, content] of CORRUPT) {
    const host = fakeHost();
    writeFileSync(host.statePath, content);
    const { row, logs } = await start(host, t0);
    assert.equal(row.network_in_bytes, undefined, what);
    assert.equal(row.cpu_usage, undefined, what);
    assert.equal(row.memory_usage, 60, `${what}: the sample itself is whole`);
    assert.equal(logs.length, 1, `${what}: ${JSON.stringify(logs)}`);
    assert.equal(logs[0]?.level, 'warn', what);
    assert.ok(logs[0]?.message.includes(host.statePath), `${what}: the warning names the file`);
    assert.equal(decodeReadings(readFileSync(host.statePath, 'utf8')).atMs, t0, `${what}: replaced`);
  }
});

test('a directory, a FIFO or a symlink at the state path: warned about, never fatal, never blocking', async () => {
  const dir = fakeHost();
  mkdirSync(dir.statePath);
  const d = await start(dir, t0);
  assert.equal(d.row.network_in_bytes, undefined);
  assert.deepEqual(
    d.logs.map((l) => l.level),
    ['warn', 'warn'],
    'cannot read it, then cannot replace it',
  );
  assert.match(d.logs[0]?.message ?? '', /not a regular file/);
  assert.match(d.logs[1]?.message ?? '', /cannot save/);

  const fifo = fakeHost();
  execFileSync('mkfifo', [fifo.statePath]);
  const f = await start(fifo, t0); // would hang here if the read waited for a writer
  assert.match(f.logs[0]?.message ?? '', /not a regular file/);

  const link = fakeHost();
  const target = join(link.dir, 'elsewhere.json');
  writeFileSync(target, json(base()));
  symlinkSync(target, link.statePath);
  const l = await start(link, t0);
  assert.equal(l.row.network_in_bytes, undefined, 'a symlink is not followed');
  assert.match(l.logs[0]?.message ?? '', /cannot open/);
  assert.equal(readFileSync(target, 'utf8'), json(base()), 'nor written through');
  assert.ok(!statSync(link.statePath).isSymbolicLink());
});
