// Rewrites the role matrix in docs/roles.md (between the role-matrix markers) from
// test/helpers/role-matrix.ts, the data test/db/roles.test.ts checks against PostgreSQL, so the
// page shows what the database enforces. Run `npm run docs` after changing grants.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderRoleMatrix } from '../test/helpers/role-matrix.ts';

const file = join(import.meta.dirname, '..', 'docs', 'roles.md');
const START = '<!-- role-matrix:start -->';
const END = '<!-- role-matrix:end -->';

const doc = readFileSync(file, 'utf8');
const from = doc.indexOf(START);
const to = doc.indexOf(END);
if (from < 0 || to < from) {
  console.error(`${file}: the markers ${START} and ${END} are missing`);
  process.exit(1);
}
writeFileSync(file, `${doc.slice(0, from)}${START}\n${renderRoleMatrix()}\n${doc.slice(to)}`);
console.log(`wrote the role matrix into ${file}`);
