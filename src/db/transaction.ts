import { type Role, dbRole } from '../core/types.ts';
import type { Pool, PoolClient } from './pool.ts';

export async function withTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}

/**
 * Runs fn in a transaction under SET LOCAL ROLE of the given application role, so PostgreSQL
 * itself refuses what the role may not do (SQLSTATE 42501). The role name comes only from the
 * constant role list, never from input.
 */
export function withRole<T>(pool: Pool, role: Role, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  return withTransaction(pool, async (client) => {
    await client.query(`SET LOCAL ROLE ${dbRole(role)}`);
    return fn(client);
  });
}
