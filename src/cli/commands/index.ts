// Every CLI command, one file each. Add a command here, nowhere else.
import type { Command } from 'commander';
import { registerConfig } from './config.ts';
import { registerDemo } from './demo.ts';
import { registerDetect } from './detect.ts';
import { registerMigrate } from './migrate.ts';
import { registerIncidentReport } from './report-incidents.ts';
import { registerStart } from './start.ts';
import { registerStatus } from './status.ts';
import { registerUser } from './user.ts';

export const COMMANDS: ((program: Command) => void)[] = [
  registerStart,
  registerMigrate,
  registerStatus,
  registerUser,
  registerConfig,
  registerIncidentReport,
  registerDemo,
  registerDetect,
];
