// The agent's last counter readings (/proc/net/dev bytes, /proc/stat jiffies) kept on disk next
// to its spool, so the first interval after an agent restart gets its network and cpu deltas
// instead of NULL. Counters restart from zero at boot, so a reading is only compared with one of
// the same boot (the kernel's boot_id): a reboot is then never mistaken for a counter wrap. A
// reading older than a few intervals is not used either: its delta would span the gap while the
// agent was down and be stored as one interval's traffic.
//
// The file is the agent's own, but it is read as untrusted input: anything that is not exactly
// what saveReadings writes is refused with a reason (the agent logs it and starts without it).
import { constants } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { isObject } from '../core/types.ts';
import { writeFileAtomic } from './atomic-file.ts';
import type { CpuTimes } from './proc.ts';

export type NetCounters = Map<string, { rx: bigint; tx: bigint }>;

export interface CounterReadings {
  /** The kernel's boot_id when the counters were read. */
  bootId: string;
  /** When they were read, ms since the epoch (the sample's timestamp). */
  atMs: number;
  net: NetCounters;
  cpu: CpuTimes | null;
}

const VERSION = 1;
const MAX_FILE_BYTES = 256 * 1024;
const MAX_INTERFACES = 1024;
const BOOT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const U64 = /^(0|[1-9][0-9]{0,19})$/;
const TWO_64 = 2n ** 64n;
// As /proc/net/dev can show them: no whitespace, ':' or '/'.
const IFNAME = /^[^\s:/]{1,64}$/;

/** The file the readings of the agent spooling to `spoolPath` are kept in. */
export const counterStatePath = (spoolPath: string): string =>
  `${spoolPath.replace(/\.jsonl$/, '')}.counters.json`;

/** This boot's id, or '' where the kernel does not tell (then nothing is saved or restored). */
export async function readBootId(procRoot = '/proc'): Promise<string> {
  const text = await readFile(`${procRoot}/sys/kernel/random/boot_id`, 'utf8').catch(() => '');
  const id = text.trim().toLowerCase();
  return BOOT_ID.test(id) ? id : '';
}

export function encodeReadings(r: CounterReadings): string {
  const net = Object.fromEntries([...r.net].map(([name, c]) => [name, { rx: `${c.rx}`, tx: `${c.tx}` }]));
  const cpu = r.cpu ? { busy: `${r.cpu.busy}`, total: `${r.cpu.total}` } : null;
  return `${JSON.stringify({ v: VERSION, boot_id: r.bootId, at_ms: r.atMs, net, cpu })}\n`;
}

function counter(v: unknown, what: string): bigint {
  if (typeof v !== 'string' || !U64.test(v)) throw new Error(`${what} is not a decimal counter`);
  const n = BigInt(v);
  if (n >= TWO_64) throw new Error(`${what} is beyond 64 bits`);
  return n;
}

/** The readings in a state file's text; throws naming what is wrong. */
export function decodeReadings(text: string): CounterReadings {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new Error('not JSON (truncated?)', { cause: e });
  }
  if (!isObject(v)) throw new Error('not a JSON object');
  if (v.v !== VERSION) throw new Error(`unknown version ${JSON.stringify(v.v)?.slice(0, 20)}`);
  if (typeof v.boot_id !== 'string' || !BOOT_ID.test(v.boot_id)) throw new Error('boot_id is not a boot id');
  if (typeof v.at_ms !== 'number' || !Number.isSafeInteger(v.at_ms) || v.at_ms <= 0)
    throw new Error('at_ms is not a time');
  if (!isObject(v.net)) throw new Error('net is not an object');
  const entries = Object.entries(v.net);
  if (entries.length > MAX_INTERFACES) throw new Error(`more than ${MAX_INTERFACES} interfaces`);
  const net: NetCounters = new Map();
  for (const [name, c] of entries) {
    if (!IFNAME.test(name)) throw new Error('an interface name is not one');
    if (!isObject(c)) throw new Error(`net.${name} is not an object`);
    net.set(name, { rx: counter(c.rx, `net.${name}.rx`), tx: counter(c.tx, `net.${name}.tx`) });
  }
  let cpu: CpuTimes | null = null;
  if (v.cpu !== null) {
    if (!isObject(v.cpu)) throw new Error('cpu is not an object');
    cpu = { busy: counter(v.cpu.busy, 'cpu.busy'), total: counter(v.cpu.total, 'cpu.total') };
    if (cpu.busy > cpu.total) throw new Error('cpu.busy exceeds cpu.total');
  }
  return { bootId: v.boot_id, atMs: v.at_ms, net, cpu };
}

/** The saved readings; null when there are none yet; throws naming why a file is refused. */
export async function loadReadings(path: string): Promise<CounterReadings | null> {
  let fh;
  try {
    // No symlinks (the agent only ever renames a file here) and no blocking on a FIFO.
    fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`cannot open it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, {
      cause: e,
    });
  }
  try {
    const stat = await fh.stat();
    if (!stat.isFile()) throw new Error('not a regular file');
    if (stat.size > MAX_FILE_BYTES) throw new Error(`larger than ${MAX_FILE_BYTES} bytes`);
    const buf = Buffer.alloc(MAX_FILE_BYTES + 1);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    if (bytesRead > MAX_FILE_BYTES) throw new Error(`larger than ${MAX_FILE_BYTES} bytes`);
    return decodeReadings(buf.subarray(0, bytesRead).toString('utf8'));
  } finally {
    await fh.close();
  }
}

export const saveReadings = (path: string, r: CounterReadings): Promise<void> =>
  writeFileAtomic(path, encodeReadings(r));

/** Why saved readings cannot be the previous ones of a sample at `nowMs`, or null if they can. */
export function unusableBecause(
  r: CounterReadings,
  at: { bootId: string; nowMs: number; maxAgeMs: number },
): string | null {
  if (r.bootId !== at.bootId) return 'they are from another boot (counters restarted from zero)';
  const age = at.nowMs - r.atMs;
  if (age <= 0) return 'they are not older than this sample (was the clock set back?)';
  if (age > at.maxAgeMs) return `they are ${age} ms old, over the limit of ${at.maxAgeMs} ms`;
  return null;
}
