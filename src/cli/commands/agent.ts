// `vigil agent`: monitors this host and sends its metrics to a Vigil server. Every batch is
// spooled (fsync'd) before it is sent and removed only after a 2xx, so a server restart or an
// outage loses nothing; the spool is replayed in order when the server is back.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { Agent } from '../../agent/agent.ts';
import { counterStatePath } from '../../agent/counter-state.ts';
import { Sender } from '../../agent/sender.ts';
import { Spool } from '../../agent/spool.ts';
import { parseDuration } from '../../core/duration.ts';
import { fail } from '../context.ts';

interface AgentFlags {
  server: string;
  token?: string;
  interval: string;
  region?: string;
  label: string[];
  hostname?: string;
  spool: string;
  once?: boolean;
}

const collectLabel = (value: string, previous: string[]) => [...previous, value];

export function registerAgent(program: Command): void {
  program
    .command('agent')
    .description('Monitor this host (Linux /proc) and send its metrics to a Vigil server')
    .requiredOption('--server <url>', 'Vigil base URL, e.g. https://vigil.example.com:8080')
    .option('--token <token>', 'API token with the ingest role (or set VIGIL_AGENT_TOKEN: flags show in ps)')
    .option('--interval <duration>', 'sampling interval', '10s')
    .option('--region <region>', 'region of this host')
    .option('--label <k=v>', 'a label of this host (repeatable)', collectLabel, [])
    .option('--hostname <name>', 'name to report instead of the system hostname')
    .option('--spool <file>', 'spool file for batches not yet acknowledged', './.vigil-agent/spool.jsonl')
    .option('--once', 'take two samples (one interval apart), send them, and exit')
    .action(async (flags: AgentFlags) => {
      const token = flags.token ?? process.env.VIGIL_AGENT_TOKEN;
      if (!token) fail('an API token is needed: --token or VIGIL_AGENT_TOKEN');
      const intervalMs = parseDuration(flags.interval);
      if (intervalMs === null || intervalMs < 1000)
        fail(`--interval ${flags.interval}: use a duration of at least 1s, e.g. 10s`);
      try {
        new URL(flags.server);
      } catch {
        fail(`--server ${flags.server}: not a URL`);
      }
      const labels: Record<string, string> = {};
      for (const l of flags.label) {
        const eq = l.indexOf('=');
        if (eq <= 0) fail(`--label ${l}: use key=value`);
        labels[l.slice(0, eq)] = l.slice(eq + 1);
      }
      const log = (level: 'info' | 'warn' | 'error', message: string, fields?: object) =>
        process.stderr.write(
          `${new Date().toISOString()} ${level} ${message}${fields ? ` ${JSON.stringify(fields)}` : ''}\n`,
        );
      const spoolPath = resolve(flags.spool);
      mkdirSync(dirname(spoolPath), { recursive: true, mode: 0o700 });
      const spool = new Spool(spoolPath);
      const sender = new Sender({ url: flags.server, token, spool, log });
      const agent = new Agent({
        intervalMs,
        hostname: flags.hostname,
        region: flags.region,
        labels,
        log,
        // Next to the spool, so a restarted agent has the network and cpu delta of its first interval.
        statePath: counterStatePath(spoolPath),
        sink: async (batch) => {
          if (!(await spool.append(batch)))
            log('error', `spool ${spoolPath} is full: this sample is dropped`);
          void sender.drain();
        },
      });
      if (flags.once) {
        await agent.tick();
        await new Promise((r) => setTimeout(r, intervalMs));
        await agent.tick();
        // One attempt window, not forever: what is not delivered stays spooled for the next run.
        const timer = setTimeout(() => void sender.stop(), 30_000);
        await sender.drain();
        clearTimeout(timer);
        await sender.stop();
        const left = (await spool.read(1)).entries.length;
        if (left > 0) fail(`could not deliver to ${flags.server}; the samples stay in ${spoolPath}`);
        return;
      }
      log('info', `agent sending to ${flags.server} every ${flags.interval} (spool ${spoolPath})`);
      agent.start();
      const stop = () => {
        void agent
          .stop()
          .then(() => sender.stop())
          .then(() => process.exit(0));
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
}
