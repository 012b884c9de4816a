// `vigil <command>`: the command-line entry point (package.json bin → bin/vigil.js).
import { Command } from 'commander';
import { COMMANDS } from './commands/index.ts';

const program = new Command('vigil')
  .description('Vigil: server monitoring on PostgreSQL')
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)');
for (const register of COMMANDS) register(program);
await program.parseAsync(process.argv);
