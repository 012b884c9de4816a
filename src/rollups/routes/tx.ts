// Every query route runs through here: the caller's role (request.runAs), plus the query
// settings of queries.ts (QUERY_SETTINGS says why each).
import type { FastifyRequest } from 'fastify';
import type { PoolClient } from '../../db/pool.ts';
import { QUERY_SETTINGS } from '../queries.ts';

export function runQuery<T>(request: FastifyRequest, fn: (c: PoolClient) => Promise<T>): Promise<T> {
  return request.runAs(async (c) => {
    await c.query(QUERY_SETTINGS);
    return fn(c);
  });
}
