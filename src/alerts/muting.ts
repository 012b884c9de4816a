// What keeps an alert quiet right now: silences (label matchers with an expiry) and recurring
// maintenance windows (cron or weekly, scoped by region, servers, labels). Muted alerts are still
// recorded in alerts_history; only their notifications wait.
import { parseDuration } from '../core/duration.ts';
import { validationError } from '../core/errors.ts';
import { DAYS, openSince, parseCron, validTimeZone } from './cron.ts';
import { matchesAll } from './matchers.ts';
import type { MaintenanceRow, SilenceRow } from './queries-muting.ts';

export interface MaintenanceSpec {
  name: string;
  cron: string;
  duration_seconds: number;
  timezone: string;
  scope_region: string | null;
  scope_servers: string[];
  scope_labels: Record<string, string>;
  active_from: Date | null;
  active_until: Date | null;
  enabled: boolean;
  comment: string;
}

const date = (v: unknown, field: string): Date | null => {
  if (v === undefined || v === null) return null;
  const d = new Date(String(v));
  if (Number.isNaN(d.getTime()))
    throw validationError(`${field} must be an ISO 8601 time (got ${JSON.stringify(v)})`);
  return d;
};

/**
 * A window from input: either `cron` ("0 2 * * sat") or `weekly` ({days: [sat, sun], start: "02:00"}),
 * plus `duration`, optional `timezone` (IANA, default UTC) and `scope` {region, servers, labels}.
 */
export function parseMaintenance(raw: unknown): MaintenanceSpec {
  if (typeof raw !== 'object' || raw === null) throw validationError('maintenance window must be an object');
  const o = raw as Record<string, unknown>;
  if (typeof o.name !== 'string' || o.name.length < 1 || o.name.length > 200)
    throw validationError('name is required (1-200 characters)');
  let cron: string;
  if (typeof o.cron === 'string' && o.weekly === undefined) cron = o.cron.trim();
  else if (o.weekly && typeof o.weekly === 'object' && o.cron === undefined) {
    const w = o.weekly as { days?: unknown; start?: unknown };
    const days = Array.isArray(w.days) ? w.days.map((d) => String(d).slice(0, 3).toLowerCase()) : [];
    if (days.length === 0 || !days.every((d) => DAYS.includes(d)))
      throw validationError(`weekly.days must list days such as ["sat", "sun"] (${DAYS.join(', ')})`);
    const m = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(String(w.start ?? ''));
    if (!m) throw validationError('weekly.start must be a time of day such as "02:00"');
    cron = `${Number(m[2])} ${Number(m[1])} * * ${days.join(',')}`;
  } else
    throw validationError(
      'give exactly one of cron ("0 2 * * sat") or weekly ({"days": ["sat"], "start": "02:00"})',
    );
  parseCron(cron);
  const ms = typeof o.duration === 'number' ? o.duration * 1000 : parseDuration(String(o.duration ?? ''));
  if (ms === null || ms < 60_000 || ms > 7 * 86_400_000)
    throw validationError(`duration must be from 1m to 7d, such as "4h" (got ${JSON.stringify(o.duration)})`);
  const timezone = o.timezone === undefined ? 'UTC' : String(o.timezone);
  if (!validTimeZone(timezone))
    throw validationError(`timezone "${timezone}" is not an IANA time zone such as Europe/Berlin`);
  const scope = (o.scope ?? {}) as Record<string, unknown>;
  const servers = scope.servers === undefined ? [] : scope.servers;
  if (!Array.isArray(servers) || !servers.every((s) => typeof s === 'string'))
    throw validationError('scope.servers must be a list of hostnames');
  const labels = scope.labels ?? {};
  if (
    typeof labels !== 'object' ||
    labels === null ||
    !Object.values(labels).every((v) => typeof v === 'string')
  )
    throw validationError('scope.labels must be an object of string values');
  const from = date(o.active_from, 'active_from');
  const until = date(o.active_until, 'active_until');
  if (from && until && until <= from) throw validationError('active_until must be after active_from');
  return {
    name: o.name,
    cron,
    duration_seconds: Math.round(ms / 1000),
    timezone,
    scope_region: typeof scope.region === 'string' ? scope.region : null,
    scope_servers: servers as string[],
    scope_labels: labels as Record<string, string>,
    active_from: from,
    active_until: until,
    enabled: o.enabled !== false,
    comment: typeof o.comment === 'string' ? o.comment : '',
  };
}

export function windowOpen(w: MaintenanceRow, now: Date): boolean {
  if (!w.enabled) return false;
  if (w.active_from && now < w.active_from) return false;
  if (w.active_until && now >= w.active_until) return false;
  return openSince(parseCron(w.cron), w.timezone, now, w.duration_seconds * 1000) !== null;
}

export interface MuteTarget {
  serverId: number;
  region: string;
  serverLabels: Record<string, string>;
  labels: Record<string, string>;
}

/** Silences and windows in force at one instant; answers "what mutes this alert?". */
export class MuteIndex {
  private readonly silences: SilenceRow[];
  private readonly windows: MaintenanceRow[];
  constructor(silences: SilenceRow[], windows: MaintenanceRow[], now: Date) {
    this.silences = silences.filter((s) => s.starts_at <= now && now < s.ends_at);
    this.windows = windows.filter((w) => windowOpen(w, now));
  }

  mutedBy(t: MuteTarget): string | null {
    for (const s of this.silences) if (matchesAll(s.matchers, t.labels)) return `silence ${s.id}`;
    for (const w of this.windows) {
      if (w.scope_region !== null && w.scope_region !== t.region) continue;
      if (w.scope_server_ids.length > 0 && !w.scope_server_ids.includes(t.serverId)) continue;
      if (!Object.entries(w.scope_labels).every(([k, v]) => t.serverLabels[k] === v)) continue;
      return `maintenance window "${w.name}"`;
    }
    return null;
  }
}
