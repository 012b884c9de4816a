import { freePort } from '../src/db/embedded.ts';
// `npm test`: one PostgreSQL for the whole run (embedded, or DATABASE_URL), a template database
// migrated once, then node:test over every test/**/*.test.ts; each test file clones its own
// database from the template (test/helpers/database.ts). A run that finds or executes no test
// fails. Pass file paths or substrings to run a subset: `npm test -- ingest`.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import pg from 'pg';
import { startEmbedded, type EmbeddedServer } from '../src/db/embedded.ts';
import { createPool } from '../src/db/pool.ts';
import { migrate } from '../src/db/migrator.ts';

const root = join(import.meta.dirname, '..');

function findTests(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'helpers' ? [] : findTests(path);
    return name.endsWith('.test.ts') ? [relative(root, path)] : [];
  });
}

const filters = process.argv.slice(2);
const files = findTests(join(root, 'test'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error(`npm test: no test files found${filters.length ? ` matching ${filters.join(' ')}` : ''}`);
  process.exit(1);
}

let embedded: EmbeddedServer | null = null;
let dataDir: string | null = null;
let adminUrl = process.env.DATABASE_URL ?? '';
if (adminUrl === '') {
  dataDir = mkdtempSync(join(tmpdir(), 'vigil-test-'));
  embedded = await startEmbedded({ dataDir, port: await freePort(), database: 'postgres', ephemeral: true });
  adminUrl = embedded.adminUrl;
}
const template = `vigil_template_${process.pid}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${template}`);
const templateUrl = new URL(adminUrl);
templateUrl.pathname = `/${template}`;
const pool = createPool({ url: templateUrl.toString(), max: 2 });
await migrate(pool);
await pool.end();

const started = Date.now();
const child = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-reporter=spec',
    `--test-concurrency=${process.env.VIGIL_TEST_CONCURRENCY ?? 2}`,
    ...files,
  ],
  {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      VIGIL_TEST_ADMIN_URL: adminUrl,
      VIGIL_TEST_TEMPLATE: template,
      VIGIL_LOG_LEVEL: 'silent',
    },
  },
);
// The runner's own summary line ("ℹ tests N") says how many tests ran; the failure details that
// follow it can be long, so it is caught line by line rather than from the end of the output.
let executed = 0;
let pending = '';
child.stdout.on('data', (chunk: Buffer) => {
  process.stdout.write(chunk);
  const text = pending + chunk.toString('utf8');
  const lines = text.split('\n');
  pending = lines.pop() ?? '';
  for (const line of lines) {
    const m = /^ℹ tests (\d+)$/.exec(line);
    if (m) executed = Number(m[1]);
  }
});
const code: number = await new Promise((done) => child.on('close', (c) => done(c ?? 1)));

await admin.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`).catch(() => undefined);
const leftovers = await admin.query<{ datname: string }>(
  `SELECT datname FROM pg_database WHERE datname LIKE 'vigil_t_%'`,
);
for (const { datname } of leftovers.rows) {
  await admin
    .query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(datname)} WITH (FORCE)`)
    .catch(() => undefined);
}
await admin.end();
await embedded?.stop();
if (dataDir) rmSync(dataDir, { recursive: true, force: true });

console.log(
  `npm test: ${files.length} files, ${executed} tests, ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
if (executed === 0) {
  console.error('npm test: no test was executed; failing the run');
  process.exit(1);
}
process.exit(code);
