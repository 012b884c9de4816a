import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  counterDelta,
  parseLoadavg,
  parseMeminfo,
  parseMounts,
  parseNetDev,
  parseProcStat,
} from '../../src/agent/index.ts';

test('/proc/stat: busy and total jiffies of the aggregate line', () => {
  const t = parseProcStat('cpu  100 5 50 800 20 3 2 10 7 0\ncpu0 1 2 3 4 5 6 7 8 9 0\nintr 1 2\n');
  assert.deepEqual(t, { busy: 170n, total: 990n });
  assert.equal(parseProcStat('nothing here'), null);
});

test('/proc/meminfo: MemTotal and MemAvailable (MemFree on very old kernels)', () => {
  assert.deepEqual(
    parseMeminfo('MemTotal:       16000000 kB\nMemFree:  1000 kB\nMemAvailable:    4000000 kB\n'),
    {
      totalKb: 16000000,
      availableKb: 4000000,
    },
  );
  assert.deepEqual(parseMeminfo('MemTotal: 100 kB\nMemFree: 25 kB\n'), { totalKb: 100, availableKb: 25 });
});

test('/proc/net/dev: 64-bit counters per interface', () => {
  const text = [
    'Inter-|   Receive                                                |  Transmit',
    ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
    '    lo: 1000      10    0    0    0     0          0         0     1000      10    0    0    0     0       0          0',
    '  eth0: 18446744073709551000 200 0 0 0 0 0 0 5000 50 0 0 0 0 0 0',
  ].join('\n');
  const m = parseNetDev(text);
  assert.deepEqual(m.get('eth0'), { rx: 18446744073709551000n, tx: 5000n });
  assert.deepEqual(m.get('lo'), { rx: 1000n, tx: 1000n });
});

test('/proc/loadavg and /proc/mounts (pseudo filesystems skipped, root kept, octal escapes)', () => {
  assert.deepEqual(parseLoadavg('0.52 0.58 0.59 1/467 12345\n'), [0.52, 0.58, 0.59]);
  const mounts = parseMounts(
    [
      'overlay / overlay rw 0 0',
      'proc /proc proc rw 0 0',
      'tmpfs /dev/shm tmpfs rw 0 0',
      '/dev/sda1 /data\\040disk ext4 rw 0 0',
      '/dev/sda1 /data\\040disk ext4 rw 0 0',
    ].join('\n'),
  );
  assert.deepEqual(
    mounts.map((m) => m.mountpoint),
    ['/', '/data disk'],
  );
});

test('counter deltas survive 32- and 64-bit wrap-around and treat a reset as a restart', () => {
  assert.equal(counterDelta(100n, 350n), 250n);
  assert.equal(counterDelta(2n ** 32n - 100n, 50n), 150n, '32-bit wrap');
  assert.equal(counterDelta(2n ** 64n - 10n, 5n), 15n, '64-bit wrap');
  assert.equal(counterDelta(5_000_000_000n, 1000n), 1000n, 'reset: counts from zero');
  assert.equal(counterDelta(3_000_000n, 10n), 10n, 'reset of a small 32-bit counter');
});
