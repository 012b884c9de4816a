// A full Vigil (every module, real PostgreSQL, not listening) for API tests through app.inject(),
// with one user and token per role.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createUserWithToken } from '../../src/auth/users.ts';
import { type Config, type LoadOptions, loadConfig } from '../../src/config/index.ts';
import { type Clock, ManualClock } from '../../src/core/clock.ts';
import { ROLES, type Role } from '../../src/core/types.ts';
import { createLogger } from '../../src/logger.ts';
import { type Vigil, startVigil } from '../../src/main.ts';
import type { VigilModule } from '../../src/module.ts';
import { testDatabase, type TestDatabase } from './database.ts';

export interface TestApp {
  vigil: Vigil;
  db: TestDatabase;
  config: Config;
  tokens: Record<Role, string>;
  /** Headers with the token of a role. */
  as(role: Role): { authorization: string };
}

export function testConfig(url: string, overrides: LoadOptions['overrides'] = {}): Config {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-app-'));
  return loadConfig({
    env: {},
    file: '/dev/null',
    overrides: {
      ...overrides,
      server: { data_dir: dataDir, port: 0, log_level: 'silent', ...overrides.server },
      database: { url, pool_size: 5, ...overrides.database },
      agent: { enabled: false, ...overrides.agent },
    },
  });
}

export async function testApp(
  options: {
    overrides?: LoadOptions['overrides'];
    clock?: Clock;
    modules?: VigilModule[];
    listen?: boolean;
  } = {},
): Promise<TestApp> {
  const db = await testDatabase();
  const config = testConfig(db.url, options.overrides);
  const vigil = await startVigil({
    config,
    logger: createLogger('silent'),
    clock: options.clock ?? new ManualClock(new Date()),
    modules: options.modules,
    listen: options.listen ?? false,
  });
  db.beforeDrop.push(() => vigil.close());
  const tokens = {} as Record<Role, string>;
  for (const role of ROLES) {
    tokens[role] = (await createUserWithToken(db.pool, { username: `test-${role}`, role })).token;
  }
  return { vigil, db, config, tokens, as: (role) => ({ authorization: `Bearer ${tokens[role]}` }) };
}
