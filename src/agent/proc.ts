// Parsers for the /proc files the agent reads. Pure functions over the file text, so they are
// tested on fixtures; counters stay BigInt because /proc/net/dev counters are 64-bit.

export interface CpuTimes {
  /** Jiffies spent doing work (user, nice, system, irq, softirq, steal). */
  busy: bigint;
  /** All jiffies, idle and iowait included (guest time is already inside user). */
  total: bigint;
}

/** The aggregate "cpu" line of /proc/stat. */
export function parseProcStat(text: string): CpuTimes | null {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return null;
  const f = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map((v) => BigInt(/^\d+$/.test(v) ? v : '0'));
  const [user = 0n, nice = 0n, system = 0n, idle = 0n, iowait = 0n, irq = 0n, softirq = 0n, steal = 0n] = f;
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

/** MemTotal and MemAvailable of /proc/meminfo, in kB. */
export function parseMeminfo(text: string): { totalKb: number; availableKb: number } | null {
  const get = (key: string) => {
    const m = new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text);
    return m ? Number(m[1]) : null;
  };
  const totalKb = get('MemTotal');
  const availableKb = get('MemAvailable') ?? get('MemFree');
  return totalKb && availableKb !== null ? { totalKb, availableKb } : null;
}

/** Received and sent byte counters per interface, from /proc/net/dev. */
export function parseNetDev(text: string): Map<string, { rx: bigint; tx: bigint }> {
  const out = new Map<string, { rx: bigint; tx: bigint }>();
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon === -1) continue;
    const name = line.slice(0, colon).trim();
    const f = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/);
    if (f.length < 9 || !/^\d+$/.test(f[0] as string) || !/^\d+$/.test(f[8] as string)) continue;
    out.set(name, { rx: BigInt(f[0] as string), tx: BigInt(f[8] as string) });
  }
  return out;
}

export function parseLoadavg(text: string): [number, number, number] | null {
  const f = text.trim().split(/\s+/).slice(0, 3).map(Number);
  return f.length === 3 && f.every((v) => Number.isFinite(v) && v >= 0)
    ? (f as [number, number, number])
    : null;
}

// Pseudo and virtual filesystems have no disk usage worth reporting.
const SKIP_FS = new Set([
  'proc', 'sysfs', 'devtmpfs', 'devpts', 'tmpfs', 'cgroup', 'cgroup2', 'securityfs', 'pstore', 'bpf',
  'debugfs', 'tracefs', 'mqueue', 'hugetlbfs', 'configfs', 'fusectl', 'autofs', 'binfmt_misc', 'nsfs',
  'squashfs', 'rpc_pipefs', 'efivarfs', 'ramfs', 'overlay', 'fuse.lxcfs', 'nfsd',
]); // prettier-ignore

/** Real filesystems of /proc/mounts (the root mount always, even on overlay). */
export function parseMounts(text: string): { device: string; mountpoint: string; fstype: string }[] {
  const seen = new Set<string>();
  const out: { device: string; mountpoint: string; fstype: string }[] = [];
  for (const line of text.split('\n')) {
    const [device, rawMount, fstype] = line.split(' ');
    if (!device || !rawMount || !fstype) continue;
    // /proc/mounts escapes space, tab, newline and backslash as octal.
    const mountpoint = rawMount.replace(/\\([0-7]{3})/g, (_, o: string) =>
      String.fromCharCode(parseInt(o, 8)),
    );
    if ((SKIP_FS.has(fstype) && mountpoint !== '/') || seen.has(mountpoint)) continue;
    seen.add(mountpoint);
    out.push({ device, mountpoint, fstype });
  }
  return out;
}

const TWO_32 = 2n ** 32n;
const TWO_64 = 2n ** 64n;

/**
 * Increase of a counter between two readings, safe across wrap-around: a 32-bit counter (older
 * kernels, some drivers) wraps at 2^32, a 64-bit one at 2^64. A drop that no wrap explains
 * plausibly (the interface was reset or re-created) counts from zero.
 */
export function counterDelta(prev: bigint, cur: bigint): bigint {
  if (cur >= prev) return cur - prev;
  if (prev < TWO_32 && TWO_32 - prev + cur < TWO_32 / 2n) return TWO_32 - prev + cur;
  if (TWO_64 - prev + cur < 2n ** 48n) return TWO_64 - prev + cur;
  return cur;
}
