// `vigil alerts …`: rules (list, export, apply a YAML file), alerts (list, ack), silences,
// maintenance windows, channels and deliveries. The CLI runs as the database owner on the
// operator's machine, like `vigil user`; the same validation as the API applies.
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  alertListQueries as aq,
  ruleQueries as rq,
  applyRulesYaml,
  describeError,
  describeRules,
  exportRulesYaml,
  formatMatcher,
  mutingQueries as mq,
  notifyQueries as nq,
  parseChannel,
  parseMaintenance,
  parseMatchers,
  resolveChannel,
  send,
  windowOpen,
} from '../../alerts/index.ts';
import { findUserByName } from '../../auth/queries.ts';
import { createFieldCipher, loadEncryptionKey } from '../../auth/crypto.ts';
import type { Config } from '../../config/index.ts';
import { parseDuration } from '../../core/duration.ts';
import { withTransaction } from '../../db/transaction.ts';
import type { Database } from '../../db/connect.ts';
import { fail, loadConfigOrExit, printTable, withDatabase } from '../context.ts';

const run = <T>(fn: (db: Database, config: Config) => Promise<T>) => {
  const config = loadConfigOrExit();
  return withDatabase(config, (db) => fn(db, config));
};
const cipherOf = (c: Config) =>
  createFieldCipher(loadEncryptionKey(c.auth.encryption_key, c.server.data_dir));
const num = (v: string, what: string) => (/^\d+$/.test(v) ? Number(v) : fail(`${what} must be a number`, 2));

function registerRules(alerts: Command): void {
  const rules = alerts.command('rules').description('Alert rules (config as code: export and apply YAML)');
  rules.command('list').action(() =>
    run(async (db) => {
      const list = await describeRules(db.pool, await rq.listRules(db.pool));
      printTable(list, [
        'id',
        'name',
        'metric',
        'aggregation',
        'window',
        'operator',
        'threshold',
        'for',
        'severity',
        'enabled',
      ]);
    }),
  );
  rules
    .command('export')
    .argument('[file]', 'write here instead of stdout')
    .action((file?: string) =>
      run(async (db) => {
        const text = await exportRulesYaml(db.pool);
        if (file) writeFileSync(file, text);
        else process.stdout.write(text);
      }),
    );
  rules
    .command('apply')
    .description('Create and update rules by name from a YAML file, all or nothing')
    .argument('<file>')
    .option('--prune', 'delete rules that are not in the file')
    .option('--dry-run', 'show what would change, change nothing')
    .option('--allow-empty', 'accept scopes or series that match nothing yet')
    .action((file: string, o: { prune?: boolean; dryRun?: boolean; allowEmpty?: boolean }) =>
      run(async (db) => {
        const text = readFileSync(file, 'utf8');
        const r = await withTransaction(db.pool, (c) => applyRulesYaml(c, text, { ...o, now: new Date() }));
        for (const [k, v] of Object.entries(r)) console.log(`${k}: ${(v as string[]).join(', ') || '-'}`);
        if (o.dryRun) console.log('(dry run: nothing changed)');
      }),
    );
}

function registerSilences(alerts: Command): void {
  const s = alerts
    .command('silence')
    .description('Silences: mute notifications of matching alerts until they expire');
  s.command('add')
    .requiredOption('-m, --match <matcher...>', 'label matchers, e.g. alertname="high_cpu" region=~"eu-.*"')
    .requiredOption('-d, --duration <duration>', 'how long, e.g. 2h')
    .option('-c, --comment <text>', 'why', '')
    .action((o: { match: string[]; duration: string; comment: string }) =>
      run(async (db) => {
        const ms = parseDuration(o.duration) ?? fail('--duration must be like 30m or 2h', 2);
        const now = new Date();
        const row = await mq.insertSilence(db.pool, {
          matchers: parseMatchers(o.match),
          starts_at: now,
          ends_at: new Date(now.getTime() + ms),
          comment: o.comment,
          created_by: null,
        });
        console.log(`silence ${row.id} until ${row.ends_at.toISOString()}`);
      }),
    );
  s.command('list')
    .option('--all', 'include expired')
    .action((o: { all?: boolean }) =>
      run(async (db) => {
        const rows = await mq.listSilences(db.pool, new Date(), o.all ?? false);
        printTable(
          rows.map((r) => ({ ...r, matchers: r.matchers.map(formatMatcher).join(', ') })),
          ['id', 'matchers', 'starts_at', 'ends_at', 'comment'],
        );
      }),
    );
  s.command('expire')
    .argument('<id>')
    .action((id: string) =>
      run(async (db) => {
        if (!(await mq.expireSilence(db.pool, num(id, 'id'), new Date()))) fail(`no active silence ${id}`);
        console.log(`silence ${id} expired`);
      }),
    );
}

function registerMaintenance(alerts: Command): void {
  const m = alerts.command('maintenance').description('Recurring maintenance windows');
  m.command('list').action(() =>
    run(async (db) => {
      const now = new Date();
      const rows = (await mq.listMaintenance(db.pool)).map((w) => ({ ...w, open_now: windowOpen(w, now) }));
      printTable(rows, ['id', 'name', 'cron', 'duration_seconds', 'timezone', 'scope_region', 'open_now']);
    }),
  );
  m.command('add')
    .description('e.g. --name patching --cron "0 2 * * sat" --duration 4h --region eu-west')
    .requiredOption('--name <name>')
    .requiredOption('--cron <expr>', '5-field cron of the start times')
    .requiredOption('--duration <duration>')
    .option('--timezone <tz>', 'IANA time zone', 'UTC')
    .option('--region <region>')
    .option('--server <hostname...>')
    .action(
      (o: {
        name: string;
        cron: string;
        duration: string;
        timezone: string;
        region?: string;
        server?: string[];
      }) =>
        run(async (db) => {
          const spec = parseMaintenance({
            name: o.name,
            cron: o.cron,
            duration: o.duration,
            timezone: o.timezone,
            scope: { region: o.region, servers: o.server ?? [] },
          });
          const ids = await rq.serverIdsByHostname(db.pool, spec.scope_servers);
          const missing = spec.scope_servers.filter((h) => !ids.has(h));
          if (missing.length) fail(`no server with hostname ${missing.join(', ')}`);
          const { scope_servers: _s, ...rest } = spec;
          const row = await mq.insertMaintenance(db.pool, {
            ...rest,
            scope_server_ids: [...ids.values()],
            created_by: null,
          });
          console.log(
            `maintenance window ${row.id} (${row.cron}, ${row.duration_seconds}s, ${row.timezone})`,
          );
        }),
    );
  m.command('delete')
    .argument('<id>')
    .action((id: string) =>
      run(async (db) => {
        if (!(await mq.deleteMaintenance(db.pool, num(id, 'id')))) fail(`no maintenance window ${id}`);
      }),
    );
}

function registerChannels(alerts: Command): void {
  const ch = alerts.command('channels').description('Notification channels (secrets are never printed)');
  ch.command('list').action(() =>
    run(async (db) =>
      printTable(await nq.listChannels(db.pool), ['name', 'kind', 'send_resolved', 'enabled', 'updated_at']),
    ),
  );
  ch.command('add')
    .description(`e.g. '{"name":"ops","kind":"webhook","url":"https://…","hmac_secret":"…"}'`)
    .argument('<json>', 'the channel as JSON (same fields as the API)')
    .action((json: string) =>
      run(async (db, config) => {
        let raw: unknown;
        try {
          raw = JSON.parse(json);
        } catch {
          fail('the channel must be JSON');
        }
        const row = await nq.upsertChannel(db.pool, parseChannel(raw, cipherOf(config)), new Date(), true);
        console.log(`channel ${row.name} (${row.kind}) saved`);
      }),
    );
  ch.command('test')
    .argument('<name>')
    .action((name: string) =>
      run(async (db, config) => {
        const row = (await nq.getChannelWithSecret(db.pool, name)) ?? fail(`no channel named ${name}`);
        try {
          await send(
            resolveChannel(row, cipherOf(config)),
            { title: `Vigil test for ${name}`, text: 'It works.', severity: 'info', source: 'test' },
            {
              deliveryId: null,
              dedupKey: `test:${Date.now()}`,
              timeoutMs: config.alerts.delivery_timeout,
              now: new Date(),
            },
          );
          console.log(`delivered to ${name}`);
        } catch (e) {
          fail(`${name}: ${describeError(e, config.alerts.delivery_timeout)}`);
        }
      }),
    );
  ch.command('delete')
    .argument('<name>')
    .action((name: string) =>
      run(async (db) => {
        if (!(await nq.deleteChannel(db.pool, name))) fail(`no channel named ${name}`);
      }),
    );
  const d = alerts.command('deliveries').description('The notification outbox');
  d.command('list')
    .option('--state <state>', 'pending, delivered or dead (dead letters)')
    .action((o: { state?: string }) =>
      run(async (db) =>
        printTable(await nq.listDeliveries(db.pool, o.state ?? null, 100), [
          'id',
          'channel_name',
          'state',
          'attempts',
          'next_attempt_at',
          'last_error',
          'title',
        ]),
      ),
    );
  d.command('retry')
    .argument('<id>')
    .action((id: string) =>
      run(async (db) => {
        if (!(await nq.retryDelivery(db.pool, num(id, 'id'), new Date()))) fail(`no dead letter ${id}`);
        console.log(`delivery ${id} requeued`);
      }),
    );
}

export function registerAlerts(program: Command): void {
  const alerts = program
    .command('alerts')
    .description('Alert rules, alerts, silences, maintenance windows, channels');
  alerts
    .command('list')
    .option('--state <state>', 'open, pending, firing or resolved', 'open')
    .option('--rule <name>')
    .option('--server <hostname>')
    .option('--limit <n>', 'rows', '50')
    .action((o: { state: string; rule?: string; server?: string; limit: string }) =>
      run(async (db) => {
        const rows = await aq.listAlerts(db.pool, {
          state: o.state as 'open',
          rule: o.rule,
          server: o.server,
          limit: num(o.limit, '--limit'),
        });
        printTable(rows, [
          'id',
          'rule',
          'hostname',
          'region',
          'state',
          'severity',
          'started_at',
          'last_value',
          'acknowledged_by',
        ]);
      }),
    );
  alerts
    .command('ack')
    .argument('<id>')
    .requiredOption('--user <username>', 'who acknowledges')
    .action((id: string, o: { user: string }) =>
      run(async (db) => {
        const u = (await findUserByName(db.pool, o.user)) ?? fail(`no user named "${o.user}"`);
        if (!(await aq.acknowledgeAlert(db.pool, num(id, 'id'), u.id, new Date()))) fail(`no alert ${id}`);
        console.log(`alert ${id} acknowledged by ${o.user}`);
      }),
    );
  registerRules(alerts);
  registerSilences(alerts);
  registerMaintenance(alerts);
  registerChannels(alerts);
}
