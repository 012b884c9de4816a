// A fake /proc whose counters a test sets: the agent's network and cpu deltas (and whether a
// reboot came between two readings) are then known answers instead of whatever the host did.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BOOT_A = '6f1c9a52-0d3e-4b7a-9c11-2f4e5d6a7b8c';
export const BOOT_B = 'a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d';

export interface ProcState {
  boot: string;
  /** eth0's byte counters; lo shows three times as much (the agent must leave it out). */
  rx: bigint;
  tx: bigint;
  /** Jiffies of the `cpu` line: busy is user time, idle the rest of the total. */
  busy: number;
  idle: number;
}

/**
 * A fake /proc in a fresh temp dir `dir` (at `dir/proc`); memory is 60 % used. `set` changes
 * the counters and rewrites the files.
 */
export function fakeProc(initial: Partial<ProcState> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-proc-'));
  const root = join(dir, 'proc');
  mkdirSync(join(root, 'net'), { recursive: true });
  mkdirSync(join(root, 'sys/kernel/random'), { recursive: true });
  writeFileSync(join(root, 'meminfo'), 'MemTotal: 1000 kB\nMemAvailable: 400 kB\n');
  writeFileSync(join(root, 'loadavg'), '0.10 0.20 0.30 1/100 42\n');
  writeFileSync(join(root, 'mounts'), '');
  const h: ProcState = { boot: BOOT_A, rx: 1000n, tx: 2000n, busy: 100, idle: 900 };
  const set = (s: Partial<ProcState>) => {
    Object.assign(h, s);
    writeFileSync(join(root, 'sys/kernel/random/boot_id'), `${h.boot}\n`);
    writeFileSync(join(root, 'stat'), `cpu  ${h.busy} 0 0 ${h.idle} 0 0 0 0 0 0\ncpu0 1 0 0 1\n`);
    writeFileSync(
      join(root, 'net/dev'),
      'Inter-|   Receive                            |  Transmit\n' +
        ' face |bytes packets errs drop fifo frame compressed multicast|bytes packets\n' +
        `    lo: ${h.rx * 3n} 1 0 0 0 0 0 0 ${h.tx * 3n} 1 0 0 0 0 0 0\n` +
        `  eth0: ${h.rx} 1 0 0 0 0 0 0 ${h.tx} 1 0 0 0 0 0 0\n`,
    );
  };
  set(initial);
  return { dir, root, set };
}
