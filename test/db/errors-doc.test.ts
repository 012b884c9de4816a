// docs/errors.md lists every AppError code with its HTTP status, and its SQLSTATE table says
// what src/db/sqlstate.ts really does with each state.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ERROR_STATUS } from '../../src/core/errors.ts';
import { fromPgError } from '../../src/db/sqlstate.ts';

const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'errors.md'), 'utf8');

test('docs/errors.md lists every error code with its HTTP status', () => {
  for (const [code, status] of Object.entries(ERROR_STATUS)) {
    assert.ok(
      doc.includes(`| \`${code}\` | ${status} |`),
      `${code} (${status}) is missing from docs/errors.md`,
    );
  }
});

test('every SQLSTATE row in docs/errors.md maps to the code it claims', () => {
  const rows = [...doc.matchAll(/^\| `([0-9A-Z]{5})` \| [^|]+ \| `([A-Z_]+)` \|$/gm)];
  assert.ok(rows.length >= 10, 'the SQLSTATE table was found');
  for (const [, sqlstate, code] of rows) {
    assert.equal(fromPgError({ code: sqlstate, message: 'x' })?.code, code, `SQLSTATE ${sqlstate}`);
  }
  // And a state the table does not list stays internal.
  assert.equal(fromPgError({ code: 'XX000', message: 'x' }), null);
});
