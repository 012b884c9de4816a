// Configuration: defaults, precedence (flags > environment > vigil.toml > default), and one line
// per bad setting that names the key, where the value came from and what is allowed.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, type LoadOptions, loadConfig } from '../../src/config/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'vigil-config-'));
let n = 0;
function toml(source: string): string {
  const file = join(dir, `vigil-${n++}.toml`);
  writeFileSync(file, source);
  return file;
}

/** The problems loadConfig reports (it must throw a ConfigError). */
function problems(options: LoadOptions): string[] {
  try {
    loadConfig(options);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
    for (const p of e.problems) assert.doesNotMatch(p, /\n/, 'one line per problem');
    return e.problems;
  }
  assert.fail('loadConfig accepted a bad configuration');
}

test('defaults apply when nothing is set, and the result is frozen', () => {
  const c = loadConfig({ env: {}, file: '/dev/null' });
  assert.equal(c.server.port, 8080);
  assert.equal(c.server.host, '127.0.0.1');
  assert.equal(c.server.data_dir, './.vigil');
  assert.equal(c.database.url, '');
  assert.equal(c.database.partitions_ahead_days, 7);
  assert.equal(c.database.statement_timeout, 30_000);
  assert.equal(c.agent.enabled, true);
  assert.ok(Object.isFrozen(c) && Object.isFrozen(c.server));
  assert.throws(() => {
    (c.server as { port: number }).port = 1;
  }, TypeError);
});

test('a bad environment value names the key, the variable and what is allowed', () => {
  assert.deepEqual(problems({ env: { VIGIL_PORT: 'abc' }, file: '/dev/null' }), [
    'config server.port (VIGIL_PORT) = "abc": must be an integer from 0 to 65535',
  ]);
  assert.deepEqual(problems({ env: { VIGIL_DB_REQUIRE_TLS: 'maybe' }, file: '/dev/null' }), [
    'config database.require_tls (VIGIL_DB_REQUIRE_TLS) = "maybe": must be true or false',
  ]);
  const [timeout] = problems({ env: { VIGIL_DB_STATEMENT_TIMEOUT: '5 minutes' }, file: '/dev/null' });
  assert.match(
    timeout ?? '',
    /^config database.statement_timeout \(VIGIL_DB_STATEMENT_TIMEOUT\).*a duration/,
  );
});

test('a bad file value names the file as its source', () => {
  const file = toml('[server]\nport = 70000\nlog_level = "loud"\n');
  assert.deepEqual(problems({ env: {}, file }), [
    `config server.port (${file}) = 70000: must be an integer from 0 to 65535`,
    `config server.log_level (${file}) = "loud": must be one of fatal, error, warn, info, debug, trace, silent`,
  ]);
});

test('every bad setting is reported at once, not just the first', () => {
  const found = problems({
    env: { VIGIL_PORT: '-1', VIGIL_PARTITIONS_AHEAD_DAYS: '0', VIGIL_DB_POOL_SIZE: 'many' },
    file: '/dev/null',
  });
  assert.equal(found.length, 3);
  assert.deepEqual(
    found.map((p) => /^config (\S+)/.exec(p)?.[1]),
    ['server.port', 'database.pool_size', 'database.partitions_ahead_days'],
  );
});

test('unknown sections and keys in vigil.toml are refused, so a typo cannot fall back to a default', () => {
  const file = toml('[sever]\nport = 1\n\n[server]\nprot = 9000\n');
  const [section, key, ...rest] = problems({ env: {}, file });
  assert.match(section ?? '', /: unknown section \[sever\]; known: server, database, /);
  assert.ok(section?.startsWith(file));
  assert.equal(key, `${file}: unknown key server.prot`);
  assert.deepEqual(rest, []);
});

test('invalid TOML and an unreadable explicit file are one clear line each', () => {
  const [bad] = problems({ env: {}, file: toml('[server\nport = 1\n') });
  assert.match(bad ?? '', /: not valid TOML: /);
  assert.deepEqual(problems({ env: { VIGIL_CONFIG: join(dir, 'missing.toml') } }).length, 1);
  assert.match(
    problems({ env: { VIGIL_CONFIG: join(dir, 'missing.toml') } })[0] ?? '',
    /missing\.toml: cannot be read/,
  );
});

test('a missing ./vigil.toml is fine: it is optional', () => {
  const cwd = process.cwd();
  process.chdir(mkdtempSync(join(tmpdir(), 'vigil-nocfg-')));
  try {
    assert.equal(loadConfig({ env: {} }).server.port, 8080);
  } finally {
    process.chdir(cwd);
  }
});

test('environment wins over the file, an empty variable counts as unset, and overrides win over both', () => {
  const file = toml('[server]\nport = 9000\nhost = "0.0.0.0"\n\n[database]\nstatement_timeout = "5s"\n');
  const c = loadConfig({ env: { VIGIL_PORT: '9100', VIGIL_HOST: '' }, file });
  assert.equal(c.server.port, 9100);
  assert.equal(c.server.host, '0.0.0.0');
  assert.equal(c.database.statement_timeout, 5000);
  const o = loadConfig({ env: { VIGIL_PORT: '9100' }, file, overrides: { server: { port: '9200' } } });
  assert.equal(o.server.port, 9200);
});

test('typed TOML values and string environment values parse alike', () => {
  const file = toml('[agent]\nenabled = false\ninterval = "30s"\n\n[database]\nrequire_tls = true\n');
  const c = loadConfig({ env: {}, file });
  assert.equal(c.agent.enabled, false);
  assert.equal(c.agent.interval, 30_000);
  assert.equal(c.database.require_tls, true);
  const e = loadConfig({
    env: { VIGIL_AGENT_ENABLED: 'off', VIGIL_AGENT_INTERVAL: '2m' },
    file: '/dev/null',
  });
  assert.equal(e.agent.enabled, false);
  assert.equal(e.agent.interval, 120_000);
});

test('secrets are never printed, from the environment or the file', () => {
  const [url] = problems({ env: { DATABASE_URL: 'mysql://vigil:hunter2@db/vigil' }, file: '/dev/null' });
  assert.equal(
    url,
    'config database.url (DATABASE_URL) = (secret): must be empty, or a URL starting with postgres:// or postgresql://',
  );
  const file = toml('[auth]\nencryption_key = "my-very-secret-key"\n');
  const [key] = problems({ env: {}, file });
  assert.match(
    key ?? '',
    /^config auth.encryption_key \(.*\) = \(secret\): must be empty, or base64 of exactly 32 bytes/,
  );
  assert.doesNotMatch(`${url} ${key}`, /hunter2|my-very-secret-key/);
});
