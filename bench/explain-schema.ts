import { freePort } from '../src/db/embedded.ts';
// `npm run bench -- explain-schema`: seeds a modest fleet into a fresh database (DATABASE_URL's
// server, or a throw-away embedded one) and prints EXPLAIN (ANALYZE, BUFFERS) of the schema's
// main lookups as Markdown, for docs/schema.md. Shows which index each lookup uses and that
// time-range queries touch only the partitions of their days.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startEmbedded, type EmbeddedServer } from '../src/db/embedded.ts';
import { FIND_PRINCIPAL_SQL } from '../src/auth/queries.ts';
import { migrate } from '../src/db/migrator.ts';
import { createPool } from '../src/db/pool.ts';

const SERVERS = 50;
const DAYS = 3;
const STEP = '1 minute';

let embedded: EmbeddedServer | null = null;
let dataDir: string | null = null;
let adminUrl = process.env.DATABASE_URL ?? '';
if (adminUrl === '') {
  dataDir = mkdtempSync(join(tmpdir(), 'vigil-explain-'));
  embedded = await startEmbedded({ dataDir, port: await freePort(), database: 'postgres', ephemeral: true });
  adminUrl = embedded.adminUrl;
}
const name = `vigil_explain_${process.pid}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const url = new URL(adminUrl);
url.pathname = `/${name}`;
const pool = createPool({ url: url.toString(), max: 2 });

try {
  await migrate(pool);
  const t0 = Date.now();
  // Fixed "now" so the printed plans name stable partitions; data covers the DAYS before it.
  const now = '2026-03-10 00:00:00+00';
  await pool.query(`SELECT vigil.ensure_partitions(date '2026-03-10' - $1::int, date '2026-03-10' + 7)`, [
    DAYS,
  ]);
  await pool.query(
    `INSERT INTO vigil.servers (hostname, region) SELECT 'web-' || g, 'region-' || (g % 4) FROM generate_series(1, $1) g`,
    [SERVERS],
  );
  await pool.query(
    `INSERT INTO vigil.server_metrics (server_id, ts, cpu_usage, memory_usage, disk_usage, network_in_bytes, network_out_bytes, load_1)
     SELECT s.id, ts, random() * 100, random() * 100, 40 + random() * 20, (random() * 1e6)::bigint, (random() * 1e6)::bigint, random() * 4
       FROM vigil.servers s, generate_series($1::timestamptz - $2 * interval '1 day', $1::timestamptz - interval '1 second', $3::interval) ts`,
    [now, DAYS, STEP],
  );
  await pool.query(
    `INSERT INTO vigil.error_logs (server_id, ts, severity, source, message)
     SELECT 1 + (g % $2), $1::timestamptz - (g * interval '7 seconds'), g % 8, 'app', 'event ' || g
       FROM generate_series(1, 30000) g`,
    [now, SERVERS],
  );
  await pool.query(
    `INSERT INTO vigil.users (username, role) SELECT 'user-' || g, 'readonly' FROM generate_series(1, 100) g`,
  );
  await pool.query(
    `INSERT INTO vigil.api_tokens (user_id, token_hash, prefix)
     SELECT 1 + (g % 100), sha256(g::text::bytea), 'vgl_' || g FROM generate_series(1, 500) g`,
  );
  await pool.query(
    `INSERT INTO vigil.alerts_configuration (name, metric, operator, threshold)
     SELECT 'rule ' || g, 'cpu_usage', '>', 90 FROM generate_series(1, 20) g`,
  );
  // Mostly resolved episodes, and one open episode per (rule, server) for a fifth of the pairs.
  await pool.query(
    `INSERT INTO vigil.alerts_history (rule_id, server_id, state, severity, started_at, resolved_at)
     SELECT r, s, 'resolved', 'warning', $1::timestamptz - g * interval '1 hour', $1::timestamptz - g * interval '1 hour' + interval '5 minutes'
       FROM generate_series(1, 20) r, generate_series(1, $2) s, generate_series(1, 10) g`,
    [now, SERVERS],
  );
  await pool.query(
    `INSERT INTO vigil.alerts_history (rule_id, server_id, state, severity, started_at)
     SELECT r, s, 'pending', 'warning', $1 FROM generate_series(1, 20) r, generate_series(1, $2) s WHERE (r + s) % 5 = 0`,
    [now, SERVERS],
  );
  await pool.query('ANALYZE');
  const seeded = Date.now() - t0;

  const lookups: { title: string; sql: string; params: unknown[] }[] = [
    {
      title: 'Latest samples of a server',
      sql: `SELECT * FROM vigil.server_metrics WHERE server_id = $1 AND ts > $2::timestamptz - interval '1 hour' ORDER BY ts DESC LIMIT 10`,
      params: [7, now],
    },
    {
      title: "A server's range query (6 hours across a day boundary)",
      sql: `SELECT ts, cpu_usage, memory_usage FROM vigil.server_metrics WHERE server_id = $1 AND ts >= $2 AND ts < $3 ORDER BY ts`,
      params: [7, '2026-03-08 21:00:00+00', '2026-03-09 03:00:00+00'],
    },
    {
      title: 'Token lookup by hash (every API request; src/auth/queries.ts findPrincipal)',
      sql: FIND_PRINCIPAL_SQL,
      params: [null, now],
    },
    {
      title: 'Open alert episode of a rule on a server',
      sql: `SELECT * FROM vigil.alerts_history WHERE rule_id = $1 AND server_id = $2 AND resolved_at IS NULL`,
      params: [3, 7],
    },
    {
      title: 'Error logs of a server in a time window, errors and worse',
      sql: `SELECT ts, severity, source, message FROM vigil.error_logs
             WHERE server_id = $1 AND ts >= $2 AND ts < $3 AND severity <= 3 ORDER BY ts DESC LIMIT 100`,
      params: [7, '2026-03-09 12:00:00+00', '2026-03-10 00:00:00+00'],
    },
  ];
  const hash = await pool.query<{ h: Buffer }>(`SELECT sha256('42'::bytea) AS h`);
  (lookups[2] as { params: unknown[] }).params[0] = hash.rows[0]?.h;

  const counts = await pool.query<{ t: string; n: number }>(
    `SELECT 'server_metrics' AS t, count(*)::int AS n FROM vigil.server_metrics
     UNION ALL SELECT 'error_logs', count(*)::int FROM vigil.error_logs
     UNION ALL SELECT 'alerts_history', count(*)::int FROM vigil.alerts_history
     UNION ALL SELECT 'api_tokens', count(*)::int FROM vigil.api_tokens`,
  );
  console.log(
    `Seeded in ${(seeded / 1000).toFixed(1)} s: ${counts.rows.map((r) => `${r.n} ${r.t}`).join(', ')}; ${SERVERS} servers, ${DAYS} days.\n`,
  );
  for (const l of lookups) {
    const plan = await pool.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, SUMMARY ON) ${l.sql}`,
      l.params,
    );
    const shown = l.params.map((p) => (Buffer.isBuffer(p) ? '<32-byte hash>' : String(p)));
    console.log(
      `### ${l.title}\n\n\`\`\`sql\n${l.sql.replace(/\s+/g, ' ').trim()}\n-- ${shown.join(', ')}\n\`\`\`\n`,
    );
    console.log(`\`\`\`\n${plan.rows.map((r) => r['QUERY PLAN']).join('\n')}\n\`\`\`\n`);
  }
  console.log(JSON.stringify({ bench: 'explain-schema', plans: lookups.length, seeded_ms: seeded }));
} finally {
  await pool.end();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
  await embedded?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}
