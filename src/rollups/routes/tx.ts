// Every query route runs through here: the caller's role (request.runAs), plus
// - enough work_mem that grouping a fleet's rollup rows (tens of thousands) sorts and hashes in
//   memory instead of spilling to disk, which EXPLAIN showed was most of their time;
// - no parallel workers: these are many small concurrent queries, where starting workers costs
//   more than it saves and competes with the other requests for the same cores.
import type { FastifyRequest } from 'fastify';
import type { PoolClient } from '../../db/pool.ts';

export function runQuery<T>(request: FastifyRequest, fn: (c: PoolClient) => Promise<T>): Promise<T> {
  return request.runAs(async (c) => {
    await c.query("SET LOCAL work_mem = '32MB'; SET LOCAL max_parallel_workers_per_gather = 0");
    return fn(c);
  });
}
