import type { Queryable } from '../db/pool.ts';

/** Row counts for `vigil status`: the planner's estimates (cheap on any size; -1 means never analysed). */
export async function statusCounts(db: Queryable): Promise<{ table: string; rows: number }[]> {
  const { rows } = await db.query<{ table: string; rows: number }>(
    `SELECT c.relname AS "table",
            CASE WHEN c.relkind = 'p'
                 THEN (SELECT coalesce(sum(greatest(ch.reltuples, 0)), 0)::bigint
                         FROM pg_inherits i JOIN pg_class ch ON ch.oid = i.inhrelid WHERE i.inhparent = c.oid)
                 ELSE greatest(c.reltuples, 0)::bigint END AS rows
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'vigil' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
      ORDER BY c.relname`,
  );
  return rows;
}
