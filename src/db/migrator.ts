// Forward-only SQL migrations from db/migrations: an advisory lock so two starting processes
// cannot interleave, one transaction per file, each recorded with its checksum in
// vigil.schema_migrations. A file whose content changed after it was applied, and a database
// that has migrations this code does not know (newer schema), are refused.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../core/errors.ts';
import type { Pool } from './pool.ts';

export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'db', 'migrations');
const LOCK_KEY = 0x76_69_67_69; // "vigi"

export interface Migration {
  version: string;
  sql: string;
  checksum: string;
}

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((f) => {
      const sql = readFileSync(join(dir, f), 'utf8');
      return {
        version: f.replace(/\.sql$/, ''),
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    });
}

export interface MigrationStatus {
  applied: string[];
  pending: string[];
}

async function appliedMigrations(pool: Pool): Promise<Map<string, string>> {
  const exists = await pool.query<{ t: string | null }>(
    `SELECT to_regclass('vigil.schema_migrations')::text AS t`,
  );
  if (!exists.rows[0]?.t) return new Map();
  const { rows } = await pool.query<{ version: string; checksum: string }>(
    'SELECT version, checksum FROM vigil.schema_migrations ORDER BY version',
  );
  return new Map(rows.map((r) => [r.version, r.checksum]));
}

/** Compares the database with the code; throws SCHEMA_MISMATCH when they cannot work together. */
export async function checkSchema(pool: Pool, migrations = loadMigrations()): Promise<MigrationStatus> {
  const applied = await appliedMigrations(pool);
  const known = new Map(migrations.map((m) => [m.version, m]));
  const unknown = [...applied.keys()].filter((v) => !known.has(v));
  if (unknown.length > 0) {
    throw new AppError(
      'SCHEMA_MISMATCH',
      `the database schema is newer than this Vigil (it has migration ${unknown.join(', ')}, which this ` +
        'version does not know): upgrade Vigil, or point it at another database',
    );
  }
  for (const [version, checksum] of applied) {
    if (known.get(version)?.checksum !== checksum) {
      throw new AppError(
        'SCHEMA_MISMATCH',
        `migration ${version} was changed after it was applied (checksum differs): restore the file as it ` +
          'was and put the change in a new migration',
      );
    }
  }
  return {
    applied: [...applied.keys()],
    pending: migrations.filter((m) => !applied.has(m.version)).map((m) => m.version),
  };
}

/** Applies pending migrations; returns the versions it applied (none when run again). */
export async function migrate(
  pool: Pool,
  options: { migrations?: Migration[]; onApply?: (version: string, ms: number) => void } = {},
): Promise<string[]> {
  const migrations = options.migrations ?? loadMigrations();
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    await client.query('CREATE SCHEMA IF NOT EXISTS vigil');
    await client.query(`CREATE TABLE IF NOT EXISTS vigil.schema_migrations (
      version    text PRIMARY KEY,
      checksum   text NOT NULL CHECK (checksum ~ '^[0-9a-f]{64}$'),
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { pending } = await checkSchema(pool, migrations);
    const done: string[] = [];
    for (const m of migrations.filter((x) => pending.includes(x.version))) {
      const started = performance.now();
      try {
        await client.query('BEGIN');
        await client.query(m.sql);
        await client.query('INSERT INTO vigil.schema_migrations (version, checksum) VALUES ($1, $2)', [
          m.version,
          m.checksum,
        ]);
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw new AppError(
          'SCHEMA_MISMATCH',
          `migration ${m.version} failed and was rolled back: ${(e as Error).message}`,
          {
            cause: e,
          },
        );
      }
      done.push(m.version);
      options.onApply?.(m.version, performance.now() - started);
    }
    return done;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => undefined);
    client.release();
  }
}
