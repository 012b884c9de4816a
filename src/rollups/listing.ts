// Keyset-paginated lists: servers (sorted by a chosen column, id as tie-breaker, so pages are
// stable while rows are added) and error-log search (newest first).
import type { Queryable } from '../db/pool.ts';
import { decodeCursor, encodeCursor, invalid } from './params.ts';

/** Sort keys: name → SQL expression. A never-seen server (NULL last_seen_at) sorts as the epoch. */
export const SERVER_SORTS = {
  hostname: 's.hostname',
  region: "s.region || '/' || s.hostname",
  last_seen_at: "coalesce(s.last_seen_at, timestamptz 'epoch')",
  first_seen_at: 's.first_seen_at',
  id: 's.id',
} as const;
export type ServerSort = keyof typeof SERVER_SORTS;

export interface ServerFilter {
  region?: string;
  environment?: string;
  q?: string;
  label?: Record<string, string>;
  sort: ServerSort;
  order: 'asc' | 'desc';
  limit: number;
  cursor?: string;
}

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export function serversQuery(f: ServerFilter) {
  const expr = SERVER_SORTS[f.sort];
  const isTime = f.sort === 'last_seen_at' || f.sort === 'first_seen_at';
  const cursor = decodeCursor(
    f.cursor,
    (v) =>
      v.length === 3 &&
      v[0] === f.sort &&
      Number.isInteger(v[2]) &&
      (isTime || f.sort === 'id' ? Number.isInteger(v[1]) : typeof v[1] === 'string'),
  );
  // Times travel in cursors as integer microseconds: an ISO string from a JS Date would drop
  // the microseconds PostgreSQL keeps, and the next page would repeat or skip rows.
  const keyExpr = isTime ? `(extract(epoch FROM ${expr}) * 1000000)::bigint` : expr;
  const values: unknown[] = [];
  const p = (v: unknown) => `$${values.push(v)}`;
  const where: string[] = [];
  if (f.region) where.push(`s.region = ${p(f.region)}`);
  if (f.environment) where.push(`s.environment = ${p(f.environment)}`);
  if (f.q) where.push(`s.hostname ILIKE ${p(`%${likeEscape(f.q)}%`)}`);
  if (f.label && Object.keys(f.label).length) where.push(`s.labels @> ${p(JSON.stringify(f.label))}::jsonb`);
  if (cursor) {
    const cmp = f.order === 'asc' ? '>' : '<';
    const v = isTime
      ? `timestamptz 'epoch' + ${p(cursor[1])}::bigint * interval '1 microsecond'`
      : f.sort === 'id'
        ? `${p(cursor[1])}::bigint`
        : `${p(cursor[1])}::text`;
    where.push(`(${expr}, s.id) ${cmp} (${v}, ${p(cursor[2])}::bigint)`);
  }
  const dir = f.order === 'asc' ? 'ASC' : 'DESC';
  const text = `SELECT s.id, s.hostname, s.region, s.environment, s.labels, s.first_seen_at, s.last_seen_at,
                       ${keyExpr} AS sort_key
                  FROM vigil.servers s
                 ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY ${expr} ${dir}, s.id ${dir}
                 LIMIT ${p(f.limit + 1)}`;
  return { text, values };
}

export interface ServerRow {
  id: number;
  hostname: string;
  region: string;
  environment: string;
  labels: Record<string, string>;
  first_seen_at: Date;
  last_seen_at: Date | null;
  sort_key: unknown;
}

export async function listServers(db: Queryable, f: ServerFilter) {
  const q = serversQuery(f);
  const { rows } = await db.query<ServerRow>(q.text, q.values);
  const page = rows.slice(0, f.limit);
  const last = page.at(-1);
  return {
    items: page.map(({ sort_key: _sk, ...r }) => r),
    next_cursor: rows.length > f.limit && last ? encodeCursor([f.sort, last.sort_key, last.id]) : null,
  };
}

export interface LogFilter {
  from: Date;
  to: Date;
  serverId?: number;
  region?: string;
  /** Most severe is 0: severity <= maxSeverity. */
  maxSeverity?: number;
  source?: string;
  q?: string;
  limit: number;
  cursor?: string;
}

export function logsQuery(f: LogFilter) {
  const cursor = decodeCursor(
    f.cursor,
    (v) => v.length === 2 && Number.isInteger(v[0]) && Number.isInteger(v[1]),
  );
  const values: unknown[] = [f.from, f.to];
  const p = (v: unknown) => `$${values.push(v)}`;
  const where = ['l.ts >= $1', 'l.ts < $2'];
  if (f.serverId !== undefined) where.push(`l.server_id = ${p(f.serverId)}`);
  if (f.region) where.push(`s.region = ${p(f.region)}`);
  if (f.maxSeverity !== undefined) where.push(`l.severity <= ${p(f.maxSeverity)}`);
  if (f.source) where.push(`l.source = ${p(f.source)}`);
  if (f.q) where.push(`l.message ILIKE ${p(`%${likeEscape(f.q)}%`)}`);
  if (cursor)
    where.push(
      `(l.ts, l.id) < (timestamptz 'epoch' + ${p(cursor[0])}::bigint * interval '1 microsecond', ${p(cursor[1])}::bigint)`,
    );
  const text = `SELECT l.id, l.server_id, s.hostname, s.region, l.ts, l.severity, l.source, l.message, l.context,
                       (extract(epoch FROM l.ts) * 1000000)::bigint AS ts_us
                  FROM vigil.error_logs l JOIN vigil.servers s ON s.id = l.server_id
                 WHERE ${where.join(' AND ')}
                 ORDER BY l.ts DESC, l.id DESC
                 LIMIT ${p(f.limit + 1)}`;
  return { text, values };
}

export async function searchLogs(db: Queryable, f: LogFilter) {
  if (f.q !== undefined && f.q.length > 200) throw invalid('q', 'must be at most 200 characters');
  const q = logsQuery(f);
  const { rows } = await db.query<{ id: number; ts: Date; ts_us: number }>(q.text, q.values);
  const page = rows.slice(0, f.limit);
  const last = page.at(-1);
  return {
    items: page.map(({ ts_us: _us, ...r }) => r),
    next_cursor: rows.length > f.limit && last ? encodeCursor([last.ts_us, last.id]) : null,
  };
}
