// Every CLI command, one file each. Add a command here, nowhere else.
import type { Command } from 'commander';
import { registerAgent } from './agent.ts';
import { registerConfig } from './config.ts';
import { registerMigrate } from './migrate.ts';
import { registerStart } from './start.ts';
import { registerStatus } from './status.ts';
import { registerUser } from './user.ts';

export const COMMANDS: ((program: Command) => void)[] = [
  registerStart,
  registerMigrate,
  registerStatus,
  registerUser,
  registerConfig,
  registerAgent,
];
