// What every CLI command shares: config loaded once (bad values end the process with one line
// per problem), a database opened and closed around the command, and one way to fail.
import { ConfigError, type Config, type LoadOptions, loadConfig } from '../config/index.ts';
import { isAppError } from '../core/errors.ts';
import { connectDatabase, type Database } from '../db/connect.ts';
import { migrate } from '../db/migrator.ts';
import { fromPgError } from '../db/sqlstate.ts';

export function fail(message: string, code = 1): never {
  process.stderr.write(`vigil: ${message}\n`);
  process.exit(code);
}

export function loadConfigOrExit(overrides?: LoadOptions['overrides']): Config {
  try {
    return loadConfig({ overrides });
  } catch (e) {
    if (e instanceof ConfigError) {
      for (const p of e.problems) process.stderr.write(`vigil: ${p}\n`);
      process.exit(2);
    }
    throw e;
  }
}

/** Reports an expected error in one line and exits non-zero; rethrows bugs. */
export function reportAndExit(e: unknown): never {
  if (isAppError(e)) fail(e.message);
  // A database refusal the operator caused (duplicate name, missing privilege …) is one line too.
  const pg = fromPgError(e);
  if (pg) fail(`${pg.message}${pg.code === 'CONFLICT' ? ' (it exists already)' : ''}`);
  if (e instanceof ConfigError) {
    for (const p of e.problems) process.stderr.write(`vigil: ${p}\n`);
    process.exit(2);
  }
  throw e;
}

/** Opens the database (migrating it when asked), runs fn, and always closes it. */
export async function withDatabase<T>(
  config: Config,
  fn: (db: Database) => Promise<T>,
  options: { migrate?: boolean } = {},
): Promise<T> {
  let db: Database | null = null;
  try {
    db = await connectDatabase(config, { applicationName: 'vigil-cli' });
    if (options.migrate) await migrate(db.pool);
    return await fn(db);
  } catch (e) {
    await db?.close();
    db = null;
    return reportAndExit(e);
  } finally {
    await db?.close();
  }
}

/** Prints rows as an aligned text table. */
export function printTable(rows: readonly object[], columns: string[]): void {
  const cell = (v: unknown) =>
    v instanceof Date ? v.toISOString() : v === null || v === undefined ? '-' : String(v);
  const get = (r: object, c: string): string => cell((r as Record<string, unknown>)[c]);
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => get(r, c).length)));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  console.log(line(columns));
  for (const r of rows) console.log(line(columns.map((c) => get(r, c))));
}
