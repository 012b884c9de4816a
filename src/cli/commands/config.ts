import type { Command } from 'commander';
import { describeConfig } from '../../config/index.ts';
import { loadConfigOrExit } from '../context.ts';

export function registerConfig(program: Command): void {
  program
    .command('config')
    .description('Validate the configuration and print every key with its value (secrets hidden)')
    .action(() => {
      const config = loadConfigOrExit() as unknown as Record<string, Record<string, unknown>>;
      for (const d of describeConfig()) {
        const [section, key] = d.key.split('.') as [string, string];
        const value = config[section]?.[key];
        const secret = /url|key|secret|password/.test(key);
        const shown = secret ? (value ? '(set)' : '(unset)') : JSON.stringify(value);
        console.log(`${d.key.padEnd(36)} ${shown.padEnd(24)} ${d.env}`);
      }
    });
}
