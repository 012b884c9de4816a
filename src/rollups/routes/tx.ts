// Every query route runs through here: the caller's role (request.runAs), plus enough work_mem
// that grouping a fleet's rollup rows (tens of thousands) sorts and hashes in memory instead of
// spilling to disk, which EXPLAIN showed was most of the time of the fleet queries.
import type { FastifyRequest } from 'fastify';
import type { PoolClient } from '../../db/pool.ts';

export function runQuery<T>(request: FastifyRequest, fn: (c: PoolClient) => Promise<T>): Promise<T> {
  return request.runAs(async (c) => {
    await c.query("SET LOCAL work_mem = '32MB'");
    return fn(c);
  });
}
