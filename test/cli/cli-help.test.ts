// `--help` works on every command and subcommand and exits 0. The commands are parsed in-process
// (commander's exitOverride instead of process.exit) so ten help screens do not cost ten Node
// start-ups; one real run of bin/vigil.js proves the executable is wired to the same program.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Command, CommanderError } from 'commander';
import { COMMANDS } from '../../src/cli/commands/index.ts';
import { lines, runVigil } from '../helpers/cli.ts';

const SUBCOMMANDS = [
  ['start'],
  ['migrate'],
  ['status'],
  ['config'],
  ['user'],
  ['user', 'create'],
  ['user', 'token'],
  ['user', 'list'],
  ['user', 'revoke'],
];

/** Parses `vigil <args>` in-process; returns the exit code commander chose and what it printed. */
async function parse(args: string[]): Promise<{ exitCode: number; out: string }> {
  let out = '';
  const program = new Command('vigil')
    .exitOverride()
    .configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (out += s) });
  for (const register of COMMANDS) register(program);
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return { exitCode: e.exitCode, out };
    throw e;
  }
  return { exitCode: -1, out };
}

for (const cmd of SUBCOMMANDS) {
  test(`vigil ${cmd.join(' ')} --help exits 0 with a usage line and options`, async () => {
    const { exitCode, out } = await parse([...cmd, '--help']);
    assert.equal(exitCode, 0);
    assert.match(out, new RegExp(`^Usage: vigil ${cmd.join(' ')} `));
    assert.match(out, /-h, --help/);
  });
}

test('vigil user create --help names the roles', async () => {
  assert.match((await parse(['user', 'create', '--help'])).out, /one of admin, devops, readonly, ingest/);
});

test('the real executable: vigil --help exits 0 and lists every command, without a database', async () => {
  // An unreachable database proves help never connects.
  const r = await runVigil(['--help'], { DATABASE_URL: 'postgres://x@127.0.0.1:1/none' });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Usage: vigil /);
  for (const c of ['start', 'migrate', 'status', 'user', 'config'])
    assert.match(r.stdout, new RegExp(`\\n  ${c}\\b`));
  assert.deepEqual(lines(r.stderr), []);
});
