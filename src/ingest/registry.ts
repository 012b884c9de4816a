// Ids the writer needs, cached for the life of the process: servers by hostname (registered on
// first sight), series by (server, name, labels), and the days whose partitions exist. A miss
// goes to the database under the caller's role, so a token that may not register a server or
// create a partition gets the database's refusal (403), not a silent success.
import type { Queryable } from '../db/pool.ts';
import { type SeriesKey, ensurePartitions, upsertSeries, upsertServers } from './queries.ts';
import { isoDay, utcDay } from './time.ts';
import type { HostRef } from './types.ts';

function labelsKey(labels: Record<string, string>): string {
  const keys = Object.keys(labels).sort();
  let out = '';
  for (const k of keys) out += `${k}\u0001${labels[k]}\u0002`;
  return out;
}

export class Registry {
  private readonly servers = new Map<string, number>();
  private readonly series = new Map<string, number>();
  private readonly days = new Set<number>();

  constructor(private readonly maxEntries = 1_000_000) {}

  /** hostname → server id for every host, registering (or refreshing) the ones not cached. */
  async serverIds(db: Queryable, hosts: Iterable<HostRef>): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const missing = new Map<string, HostRef>();
    for (const h of hosts) {
      const id = this.servers.get(h.hostname);
      if (id !== undefined) out.set(h.hostname, id);
      else if (!missing.has(h.hostname)) missing.set(h.hostname, h);
    }
    if (missing.size > 0) {
      const made = await upsertServers(db, [...missing.values()]);
      if (this.servers.size + made.size > this.maxEntries) this.servers.clear();
      for (const [hostname, id] of made) {
        this.servers.set(hostname, id);
        out.set(hostname, id);
      }
    }
    return out;
  }

  /** Series ids in the order of `keys`, creating the missing series. */
  async seriesIds(db: Queryable, keys: readonly SeriesKey[]): Promise<number[]> {
    const ids = new Array<number>(keys.length);
    const missing: SeriesKey[] = [];
    const missingAt = new Map<string, number[]>();
    keys.forEach((k, i) => {
      const key = `${k.serverId ?? ''}\u0000${k.name}\u0000${labelsKey(k.labels)}`;
      const id = this.series.get(key);
      if (id !== undefined) {
        ids[i] = id;
        return;
      }
      const at = missingAt.get(key);
      if (at) at.push(i);
      else {
        missingAt.set(key, [i]);
        missing.push(k);
      }
    });
    if (missing.length > 0) {
      const made = await upsertSeries(db, missing);
      if (this.series.size + made.length > this.maxEntries) this.series.clear();
      [...missingAt.entries()].forEach(([key, positions], j) => {
        const id = made[j] as number;
        this.series.set(key, id);
        for (const p of positions) ids[p] = id;
      });
    }
    return ids;
  }

  /** Makes sure the day partitions for these timestamps exist (within the accepted window). */
  async ensureDays(db: Queryable, tsUs: ArrayLike<number>): Promise<void> {
    let lo = Infinity;
    let hi = -Infinity;
    let last = NaN; // rows come in runs of one day: look the day up once per run
    for (let i = 0; i < tsUs.length; i++) {
      const d = utcDay(tsUs[i] as number);
      if (d === last) continue;
      last = d;
      if (this.days.has(d)) continue;
      if (d < lo) lo = d;
      if (d > hi) hi = d;
    }
    if (lo === Infinity) return;
    await ensurePartitions(db, isoDay(lo), isoDay(hi));
    for (let d = lo; d <= hi; d++) this.days.add(d);
  }

  /** Forget cached partitions (retention dropped one) or servers (an admin deleted one). */
  forget(): void {
    this.servers.clear();
    this.series.clear();
    this.days.clear();
  }
}
