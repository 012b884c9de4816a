import { freePort } from '../../src/db/embedded.ts';
// Real clients against a real Vigil on loopback: Prometheus scraping node_exporter and
// remote-writing to Vigil, Vigil's own scraper reading node_exporter, collectd's write_http, and
// util-linux logger over syslog TCP and UDP. Each test skips, saying what to install, only when
// its binary is missing (.ci/install-peers.sh installs them in CI).
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { testApp } from '../helpers/app.ts';
import { eventually } from '../helpers/eventually.ts';

const which = (bin: string) =>
  ['/usr/bin', '/usr/sbin', '/bin', '/sbin'].map((d) => join(d, bin)).find((p) => existsSync(p));
const BIN = {
  prometheus: which('prometheus'),
  nodeExporter: which('prometheus-node-exporter'),
  collectd: which('collectd'),
  logger: which('logger'),
};
const missing = (bin: keyof typeof BIN, pkg: string) =>
  BIN[bin] ? false : `${bin} is not installed (apt-get install ${pkg})`;

const children: ChildProcess[] = [];
after(() => {
  for (const c of children) c.kill('SIGTERM');
});
function run(bin: string, args: string[]): ChildProcess {
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
  child.on('exit', (code) => {
    if (code && code !== 0 && code !== 143) process.stderr.write(`${bin} exited ${code}: ${err}\n`);
  });
  children.push(child);
  return child;
}

const dir = mkdtempSync(join(tmpdir(), 'vigil-peers-'));
const [exporterPort, syslogTcp, syslogUdp] = [await freePort(), await freePort(), await freePort()];
if (BIN.nodeExporter) {
  run(BIN.nodeExporter, [
    `--web.listen-address=127.0.0.1:${exporterPort}`,
    '--collector.disable-defaults',
    ...['cpu', 'meminfo', 'loadavg', 'netdev', 'filesystem', 'uname'].map((c) => `--collector.${c}`),
  ]);
}
const app = await testApp({
  listen: true,
  overrides: {
    ingest: {
      syslog_tcp_port: syslogTcp,
      syslog_udp_port: syslogUdp,
      scrape_targets: [`http://127.0.0.1:${exporterPort}/metrics`],
    },
  },
});
const q = async (sql: string, params: unknown[] = []) => (await app.db.pool.query(sql, params)).rows;

const metricsOf = (hostname: string) =>
  q(
    `SELECT m.* FROM vigil.server_metrics m JOIN vigil.servers s ON s.id = m.server_id WHERE s.hostname = $1 ORDER BY m.ts`,
    [hostname],
  );

test(
  'Vigil scrapes node_exporter: series kept, server_metrics filled',
  { skip: missing('nodeExporter', 'prometheus-node-exporter') },
  async () => {
    await eventually(
      'node_exporter to listen',
      () =>
        fetch(`http://127.0.0.1:${exporterPort}/metrics`).then(
          (r) => r.ok,
          () => false,
        ),
      15_000,
    );
    await app.vigil.scheduler.runNow('ingest-scrape');
    await new Promise((r) => setTimeout(r, 1100));
    await app.vigil.scheduler.runNow('ingest-scrape');
    const rows = await metricsOf('127.0.0.1');
    const last = rows.at(-1);
    assert.ok(last, 'a server_metrics row for the scraped host');
    assert.ok(last.memory_usage > 0 && last.memory_usage <= 100, `memory ${last.memory_usage}`);
    assert.ok(last.cpu_usage >= 0 && last.cpu_usage <= 100, `cpu ${last.cpu_usage} from two scrapes`);
    assert.ok(last.load_1 >= 0);
    const [{ n }] = await q(
      `SELECT count(*)::int AS n FROM vigil.metric_series WHERE labels->>'job' = 'scrape'`,
    );
    assert.ok(n > 20, `${n} series kept`);
  },
);

test(
  'Prometheus scrapes node_exporter and remote-writes to Vigil',
  { skip: missing('prometheus', 'prometheus') || missing('nodeExporter', 'prometheus-node-exporter') },
  async () => {
    const promPort = await freePort();
    const config = join(dir, 'prometheus.yml');
    writeFileSync(
      config,
      [
        'global: { scrape_interval: 1s, evaluation_interval: 1s }',
        'scrape_configs:',
        '  - job_name: node',
        `    static_configs: [{ targets: ['127.0.0.1:${exporterPort}'] }]`,
        "    relabel_configs: [{ target_label: instance, replacement: 'prom-node:9100' }]",
        'remote_write:',
        `  - url: ${app.vigil.url}/api/v1/prom/write`,
        `    authorization: { credentials: ${app.tokens.ingest} }`,
        '    queue_config: { batch_send_deadline: 1s, max_samples_per_send: 200, min_backoff: 100ms }',
      ].join('\n'),
    );
    run(BIN.prometheus as string, [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
    ]);
    // Batches of 200 samples split every scrape over several requests: the row must still be whole.
    const row = await eventually('a full row from remote_write', async () =>
      (await metricsOf('prom-node')).find(
        (r) => r.cpu_usage !== null && r.memory_usage !== null && r.load_1 !== null,
      ),
    );
    assert.ok(row.cpu_usage >= 0 && row.cpu_usage <= 100);
    const [{ n }] = await q(
      `SELECT count(DISTINCT s.name)::int AS n FROM vigil.metric_series s WHERE s.labels->>'instance' = 'prom-node:9100'`,
    );
    assert.ok(n > 10, `${n} metric names kept as series`);
  },
);

test(
  'collectd write_http (JSON) lands in server_metrics',
  { skip: missing('collectd', 'collectd-core libyajl2') },
  async () => {
    const base = join(dir, 'collectd');
    const conf = join(dir, 'collectd.conf');
    writeFileSync(
      conf,
      `Hostname "collectd-host"
FQDNLookup false
Interval 1
BaseDir "${base}"
PIDFile "${base}/collectd.pid"
TypesDB "/usr/share/collectd/types.db"
LoadPlugin cpu
LoadPlugin memory
LoadPlugin load
LoadPlugin write_http
<Plugin cpu>
  ReportByCpu false
  ReportByState true
  ValuesPercentage true
</Plugin>
<Plugin memory>
  ValuesAbsolute false
  ValuesPercentage true
</Plugin>
<Plugin write_http>
  <Node "vigil">
    URL "${app.vigil.url}/api/v1/collectd"
    User "collectd"
    Password "${app.tokens.ingest}"
    Format "JSON"
    StoreRates true
    BufferSize 4096
  </Node>
</Plugin>
`,
    );
    execFileSync('mkdir', ['-p', base]);
    run(BIN.collectd as string, ['-f', '-C', conf]);
    const row = await eventually('a collectd row with cpu, memory and load', async () =>
      (await metricsOf('collectd-host')).find(
        (r) => r.cpu_usage !== null && r.memory_usage !== null && r.load_1 !== null,
      ),
    );
    assert.ok(row.memory_usage > 0 && row.memory_usage <= 100);
    assert.equal(row.ts.getMilliseconds(), 0, 'collectd times align to the interval');
  },
);

test(
  'syslog from util-linux logger over TCP (RFC 5424) and UDP (RFC 3164)',
  { skip: missing('logger', 'bsdutils') },
  async () => {
    const logger = BIN.logger as string;
    execFileSync(logger, [
      '--server',
      '127.0.0.1',
      '--port',
      String(syslogTcp),
      '--tcp',
      '--rfc5424',
      '--sd-id',
      'test@1',
      '--sd-param',
      'k="v"',
      '-t',
      'vigil-tcp',
      '-p',
      'daemon.err',
      'disk /dev/sda failing',
    ]);
    execFileSync(logger, [
      '--server',
      '127.0.0.1',
      '--port',
      String(syslogTcp),
      '--tcp',
      '--octet-count',
      '-t',
      'vigil-oct',
      '-p',
      'user.warning',
      'octet counted',
    ]);
    execFileSync(logger, [
      '--server',
      '127.0.0.1',
      '--port',
      String(syslogUdp),
      '--udp',
      '--rfc3164',
      '-t',
      'vigil-udp',
      '-p',
      'local0.info',
      'hello over udp',
    ]);
    const rows = await eventually(
      'three syslog rows',
      async () => {
        const r = await q(
          `SELECT source, severity, message, context FROM vigil.error_logs WHERE source LIKE 'vigil-%' ORDER BY source`,
        );
        return r.length >= 3 ? r : undefined;
      },
      15_000,
    );
    assert.deepEqual(
      rows.map((r) => [r.source, r.severity, r.message]),
      [
        ['vigil-oct', 4, 'octet counted'],
        ['vigil-tcp', 3, 'disk /dev/sda failing'],
        ['vigil-udp', 6, 'hello over udp'],
      ],
    );
    assert.equal(rows[1].context.facility, 3);
    assert.deepEqual(rows[1].context.structured_data?.['test@1'], { k: 'v' });
  },
);
