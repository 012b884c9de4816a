// Bad input stops `vigil start` with one clear line on stderr and a non-zero exit code: a bad
// config value (exit 2), an unreachable DATABASE_URL, the HTTP port in use, a newer schema.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { lines, runVigil } from '../helpers/cli.ts';
import { testDatabase } from '../helpers/database.ts';

function listening(): Promise<ReturnType<typeof createServer>> {
  return new Promise((done) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => done(s));
  });
}

// Spawned processes spend most of their time starting up: let them overlap.
describe('vigil start refuses bad input', { concurrency: 3 }, () => {
  test('a bad config value: exit 2 and one line naming the key, the source and what is allowed', async () => {
    const r = await runVigil(['start'], { VIGIL_PORT: 'abc' });
    assert.equal(r.code, 2);
    assert.deepEqual(lines(r.stderr), [
      'vigil: config server.port (VIGIL_PORT) = "abc": must be an integer from 0 to 65535',
    ]);
  });

  test('an unknown key in the config file: exit 2 and one line', async () => {
    const file = join(tmpdir(), `vigil-typo-${process.pid}.toml`);
    writeFileSync(file, '[server]\nprot = 9000\n');
    const r = await runVigil(['start'], { VIGIL_CONFIG: file });
    assert.equal(r.code, 2);
    assert.deepEqual(lines(r.stderr), [`vigil: ${file}: unknown key server.prot`]);
  });

  test('a DATABASE_URL that cannot connect: one line with the reason and the fix, password hidden', async () => {
    const closed = await listening();
    const { port } = closed.address() as AddressInfo;
    await new Promise((r) => closed.close(r));
    const r = await runVigil(['start'], { DATABASE_URL: `postgres://vigil:s3cret@127.0.0.1:${port}/vigil` });
    assert.equal(r.code, 1);
    const out = lines(r.stderr);
    assert.equal(out.length, 1, r.stderr);
    assert.match(
      out[0] ?? '',
      new RegExp(
        `^vigil: cannot connect to PostgreSQL at postgres://vigil:\\*\\*\\*@127\\.0\\.0\\.1:${port}/vigil: ` +
          '.*ECONNREFUSED.*Check DATABASE_URL',
      ),
    );
    assert.doesNotMatch(r.stderr + r.stdout, /s3cret/);
  });
});

describe('vigil start against a real database', () => {
  test('the HTTP port in use: exit 1 and one line saying which port and how to fix it', async () => {
    const db = await testDatabase();
    const busy = await listening();
    const { port } = busy.address() as AddressInfo;
    try {
      const r = await runVigil(['start'], {
        DATABASE_URL: db.url,
        VIGIL_PORT: String(port),
        VIGIL_HOST: '127.0.0.1',
      });
      assert.equal(r.code, 1);
      assert.deepEqual(lines(r.stderr), [
        `vigil: port ${port} on 127.0.0.1 is in use: stop what uses it or set VIGIL_PORT (server.port)`,
      ]);
    } finally {
      await new Promise((r) => busy.close(r));
    }
  });

  test('a schema newer than the code: exit 1, one line, and the database untouched', async () => {
    const db = await testDatabase();
    await db.pool.query(
      `INSERT INTO vigil.schema_migrations (version, checksum) VALUES ('9999_from_the_future', repeat('a', 64))`,
    );
    const r = await runVigil(['start'], { DATABASE_URL: db.url, VIGIL_PORT: '0' });
    assert.equal(r.code, 1);
    const out = lines(r.stderr);
    assert.equal(out.length, 1, r.stderr);
    assert.match(
      out[0] ?? '',
      /^vigil: the database schema is newer than this Vigil .*9999_from_the_future.*upgrade Vigil/,
    );
    const users = await db.pool.query('SELECT count(*)::int AS n FROM vigil.users');
    assert.equal(users.rows[0].n, 0, 'no admin was created');
  });
});
