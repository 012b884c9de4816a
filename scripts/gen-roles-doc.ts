// Rewrites the role matrix and the column grants in docs/roles.md (between their markers) from
// test/helpers/role-matrix.ts, the data test/db/roles.test.ts checks against PostgreSQL, so the
// page shows what the database enforces. Run `npm run docs` after changing grants.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderColumnGrants, renderRoleMatrix } from '../test/helpers/role-matrix.ts';

const file = join(import.meta.dirname, '..', 'docs', 'roles.md');

/** Replaces what lies between `<!-- name:start -->` and `<!-- name:end -->`. */
function fill(doc: string, name: string, body: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = doc.indexOf(start);
  const to = doc.indexOf(end);
  if (from < 0 || to < from) {
    console.error(`${file}: the markers ${start} and ${end} are missing`);
    process.exit(1);
  }
  return `${doc.slice(0, from)}${start}\n${body}\n${doc.slice(to)}`;
}

let doc = readFileSync(file, 'utf8');
doc = fill(doc, 'role-matrix', renderRoleMatrix());
doc = fill(doc, 'column-grants', renderColumnGrants());
writeFileSync(file, doc);
console.log(`wrote the role matrix and the column grants into ${file}`);
