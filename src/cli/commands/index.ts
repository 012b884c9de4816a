// Every CLI command, one file each. Add a command here, nowhere else.
import type { Command } from 'commander';
import { registerAgent } from './agent.ts';
import { registerAlerts } from './alerts.ts';
import { registerConfig } from './config.ts';
import { registerDemo } from './demo.ts';
import { registerDetect } from './detect.ts';
import { registerExplain } from './explain.ts';
import { registerMigrate } from './migrate.ts';
import { registerIncidentReport } from './report-incidents.ts';
import { registerReport } from './report.ts';
import { registerRollups } from './rollups.ts';
import { registerStart } from './start.ts';
import { registerStatus } from './status.ts';
import { registerUser } from './user.ts';

export const COMMANDS: ((program: Command) => void)[] = [
  registerStart,
  registerMigrate,
  registerStatus,
  registerUser,
  registerConfig,
  registerDemo,
  registerAlerts,
  registerRollups,
  // `report daily|weekly` first: the incidents report adds `report incidents` to that command.
  registerReport,
  registerIncidentReport,
  registerExplain,
  registerDetect,
  registerAgent,
];
