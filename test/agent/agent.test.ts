// The agent against a real Vigil over a real socket, through a relay that plays "server down":
// batches taken while the server is unreachable are spooled and arrive, in order and once each,
// when it is back.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmdirSync, writeFileSync } from 'node:fs';
import { type Server, createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Agent, Sender, Spool } from '../../src/agent/index.ts';
import { testApp } from '../helpers/app.ts';
import { until } from '../helpers/eventually.ts';

const app = await testApp({ listen: true });
const target = new URL(app.vigil.url);

interface RelayMode {
  status?: number;
  refused?: number;
  /** Answers to swallow: the server committed, then the connection to the client is cut. */
  cutAfterCommit?: number;
  /** Answers the server marked Idempotent-Replayed. */
  replayed?: number;
  /** Idempotency-Key of every request that reached the relay, in order. */
  keys?: string[];
}

/** A relay on a fixed port that can be taken down and brought back, like a restarting server. */
function relay(port: number, mode: RelayMode): Promise<Server> {
  const server = createServer((req, res) => {
    mode.keys?.push(String(req.headers['idempotency-key']));
    if (mode.status) {
      mode.refused = (mode.refused ?? 0) + 1;
      res.writeHead(mode.status).end();
      return req.resume();
    }
    const up = request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (r) => {
        if (r.headers['idempotent-replayed'] === 'true') mode.replayed = (mode.replayed ?? 0) + 1;
        if ((mode.cutAfterCommit ?? 0) > 0) {
          // The answer exists, so the rows are committed; the client never sees it.
          mode.cutAfterCommit = (mode.cutAfterCommit ?? 0) - 1;
          r.resume();
          r.on('end', () => req.socket.destroy());
          return;
        }
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    req.pipe(up);
  });
  return new Promise((done) => server.listen(port, '127.0.0.1', () => done(server)));
}

/**
 * A sender posting to the relay on `port`, retrying every 20 ms, with a fresh spool file or the
 * one given (a restarted agent). `once` stops it at its first failure (the agent is killed).
 */
function spooledSender(
  port: number,
  path = join(mkdtempSync(join(tmpdir(), 'vigil-agent-')), 'spool.jsonl'),
  once = false,
) {
  const spool = new Spool(path);
  const logs: string[] = [];
  const sender: Sender = new Sender({
    url: `http://127.0.0.1:${port}`,
    token: app.tokens.ingest,
    spool,
    log: (_l, m) => logs.push(m),
    sleep: once ? () => (void sender.stop(), Promise.resolve()) : () => new Promise((r) => setTimeout(r, 20)),
  });
  return { spool, logs, sender };
}

/** Rows still spooled (batches being retried are sealed into one entry, see Spool.seal). */
const spooledRows = async (spool: Spool) =>
  (await spool.read(100)).entries.reduce((n, e) => n + e.batch.rows.length, 0);

test('nothing is lost while the server is unreachable; the spool replays in order', async (ctx) => {
  const first = await relay(0, {});
  const port = (first.address() as { port: number }).port;
  await new Promise((r) => first.close(r)); // the "server" is down
  const { spool, logs, sender } = spooledSender(port);
  let t = Date.now() - 60_000;
  const agent = new Agent({
    intervalMs: 10_000,
    hostname: 'agent-host-1',
    region: 'lab',
    labels: { rack: 'r1' },
    log: () => undefined,
    now: () => new Date((t += 10_000)),
    sink: async (batch) => {
      assert.equal(await spool.append(batch), true);
    },
  });
  // A failed assertion must not leave the sender retrying forever (the run would hang).
  ctx.after(() => sender.stop());
  for (let i = 0; i < 4; i++) await agent.tick();
  const draining = sender.drain();
  await until(() => logs.some((m) => /cannot reach/.test(m)), 'the sender to notice the outage');
  assert.equal(await spooledRows(spool), 4, 'nothing was dropped while down');

  const mode: { status?: number; refused?: number } = { status: 503 };
  const back = await relay(port, mode); // back, but still starting: 503 keeps the spool
  await until(() => (mode.refused ?? 0) >= 2, 'the sender to retry into the 503s');
  assert.equal(await spooledRows(spool), 4, 'a 503 keeps every batch spooled');
  delete mode.status;
  await draining;
  await new Promise((r) => back.close(r));
  await sender.stop();

  assert.deepEqual((await spool.read(100)).entries, [], 'acknowledged batches leave the spool');
  const { rows } = await app.db.pool.query(
    `SELECT m.ts, m.memory_usage, m.cpu_usage, s.region, s.labels, s.metadata->>'os' AS os
       FROM vigil.server_metrics m JOIN vigil.servers s ON s.id = m.server_id
      WHERE s.hostname = 'agent-host-1' ORDER BY m.ts`,
  );
  assert.equal(rows.length, 4, 'each sample exactly once');
  assert.ok(rows.every((r) => r.memory_usage > 0 && r.memory_usage <= 100));
  assert.equal(rows[0].cpu_usage, null, 'the first sample has no cpu delta yet');
  assert.deepEqual([rows[0].region, rows[0].labels, rows[0].os], ['lab', { rack: 'r1' }, 'linux']);
  const disk = await app.db.pool.query(
    `SELECT count(*)::int AS n FROM vigil.metric_series WHERE name = 'disk_usage_percent' AND labels->>'mountpoint' = '/'`,
  );
  assert.equal(disk.rows[0].n, 1, 'per-mount disk usage is kept as a series');
});

test('an acknowledgement lost after COMMIT: the sender retries with the same key and nothing is written twice', async (ctx) => {
  const mode: RelayMode = { cutAfterCommit: 1 };
  const cut = await relay(0, mode);
  ctx.after(() => new Promise((r) => cut.close(r)));
  const port = (cut.address() as { port: number }).port;
  const { spool, logs, sender } = spooledSender(port);
  ctx.after(() => sender.stop());
  const now = Date.now();
  for (let i = 0; i < 3; i++) {
    await spool.append({
      hostname: 'agent-lost-ack',
      rows: [{ ts: now - 30_000 + i * 10_000, memory_usage: 40 + i }],
      series: [{ name: 'agent_lost_ack_total', labels: {}, ts: now - 30_000 + i * 10_000, value: i }],
    });
  }
  await sender.drain();
  assert.equal(mode.cutAfterCommit, 0, 'the first answer was cut');
  assert.ok(
    logs.some((m) => /cannot reach/.test(m)),
    'the sender saw a failure and retried',
  );
  assert.equal(mode.replayed, 1, 'the retry was answered from its Idempotency-Key');
  assert.deepEqual((await spool.read(100)).entries, [], 'the replayed answer acknowledges the batches');
  const { rows } = await app.db.pool.query(
    `SELECT count(*)::int AS n FROM vigil.ingest_requests WHERE key LIKE 'agent:agent-lost-ack:%'`,
  );
  assert.equal(rows[0].n, 1, 'one key for the three spooled batches, sent as one request twice');
  const metrics = await app.db.pool.query(
    `SELECT count(*)::int AS n FROM vigil.server_metrics m JOIN vigil.servers s ON s.id = m.server_id
      WHERE s.hostname = 'agent-lost-ack'`,
  );
  assert.equal(metrics.rows[0].n, 3);
});

test('a logs batch whose acknowledgement is cut after COMMIT is stored once when retried with its key', async (ctx) => {
  const mode: RelayMode = { cutAfterCommit: 1 };
  const cut = await relay(0, mode);
  ctx.after(() => new Promise((r) => cut.close(r)));
  const url = `http://127.0.0.1:${(cut.address() as { port: number }).port}/api/v1/logs`;
  const body = JSON.stringify({
    hostname: 'agent-lost-ack-logs',
    entries: [1, 2, 3].map((i) => ({
      ts: Date.now() - i * 1000,
      severity: 'err',
      source: 'lost-ack',
      message: 'oom killer',
    })),
  });
  const send = () =>
    fetch(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${app.tokens.ingest}`,
        'content-type': 'application/json',
        'idempotency-key': 'relay-batch-42',
      },
      body,
    });
  await assert.rejects(send(), 'the connection is cut before the answer');
  const retry = await send();
  assert.equal(retry.status, 200, await retry.clone().text());
  assert.equal(retry.headers.get('idempotent-replayed'), 'true');
  assert.equal(((await retry.json()) as { accepted: number }).accepted, 3);
  const { rows } = await app.db.pool.query(
    `SELECT count(*)::int AS n FROM vigil.error_logs WHERE source = 'lost-ack'`,
  );
  assert.equal(rows[0].n, 3, 'each log line exactly once');
});

const countSql = `SELECT (SELECT count(*)::int FROM vigil.server_metrics m JOIN vigil.servers s ON s.id = m.server_id
                           WHERE s.hostname = $1) AS rows,
                         (SELECT count(*)::int FROM vigil.ingest_requests WHERE key LIKE 'agent:' || $1 || ':%') AS keys`;

test('an agent restarted mid-retry replays the spooled request under its key: stored once, answered Idempotent-Replayed', async (ctx) => {
  const mode: RelayMode = { cutAfterCommit: 1, keys: [] };
  const cut = await relay(0, mode);
  ctx.after(() => new Promise((r) => cut.close(r)));
  const port = (cut.address() as { port: number }).port;
  const now = Date.now();
  const sample = (i: number) => ({
    hostname: 'agent-restart',
    rows: [{ ts: now - 60_000 + i * 10_000, memory_usage: 30 + i }],
    series: [],
  });
  const before = spooledSender(port, undefined, true);
  ctx.after(() => before.sender.stop());
  for (let i = 0; i < 2; i++) await before.spool.append(sample(i));
  await before.sender.drain(); // committed, the answer cut, then the agent is gone
  assert.equal(mode.cutAfterCommit, 0, 'the first answer was cut after COMMIT');
  assert.equal(mode.keys?.length, 1);

  // The restarted agent samples on before its sender catches up: two more batches are spooled.
  const after = spooledSender(port, before.spool.path);
  ctx.after(() => after.sender.stop());
  for (let i = 2; i < 4; i++) await after.spool.append(sample(i));
  await after.sender.drain();

  const [first, replay, next] = mode.keys ?? [];
  assert.equal(mode.keys?.length, 3, 'the replayed request, then the batches taken after the restart');
  assert.equal(replay, first, 'the restarted agent sent the spooled request under the same key');
  assert.notEqual(next, first);
  assert.equal(mode.replayed, 1, 'the server answered the replay from its key');
  assert.deepEqual((await after.spool.read(100)).entries, [], 'everything acknowledged');
  const { rows } = await app.db.pool.query(countSql, ['agent-restart']);
  assert.deepEqual(rows[0], { rows: 4, keys: 2 }, 'each sample stored once, one key per request');
});

test('a spool written before keys were spooled is replayed under the key its old sender used', async (ctx) => {
  const mode: RelayMode = { keys: [] };
  const up = await relay(0, mode);
  ctx.after(() => new Promise((r) => up.close(r)));
  const port = (up.address() as { port: number }).port;
  // The old agent spooled the batch as a bare JSON line and sent it alone under the key
  // agent:<host>:<sha256 of the line>; the server committed it, the answer was lost.
  const line = JSON.stringify({
    hostname: 'agent-legacy',
    rows: [{ ts: Date.now() - 20_000, memory_usage: 55 }],
    series: [],
  });
  const oldKey = `agent:agent-legacy:${createHash('sha256').update(line).digest('hex').slice(0, 40)}`;
  const first = await fetch(new URL('/api/v1/metrics', app.vigil.url), {
    method: 'POST',
    headers: { ...app.as('ingest'), 'content-type': 'application/json', 'idempotency-key': oldKey },
    body: line,
  });
  assert.equal(first.status, 200, await first.text());
  const path = join(mkdtempSync(join(tmpdir(), 'vigil-agent-')), 'spool.jsonl');
  writeFileSync(path, `${line}\n`);

  const { spool, sender } = spooledSender(port, path);
  ctx.after(() => sender.stop());
  await sender.drain();
  assert.deepEqual(mode.keys, [oldKey]);
  assert.equal(mode.replayed, 1, 'answered from the key the old agent used');
  assert.deepEqual((await spool.read(10)).entries, []);
  const { rows } = await app.db.pool.query(countSql, ['agent-legacy']);
  assert.deepEqual(rows[0], { rows: 1, keys: 1 });
});

test('a spool that cannot be rewritten is retried, not fatal: the request goes once it can be sealed', async (ctx) => {
  const mode: RelayMode = { keys: [] };
  const up = await relay(0, mode);
  ctx.after(() => new Promise((r) => up.close(r)));
  const port = (up.address() as { port: number }).port;
  const { spool, logs, sender } = spooledSender(port);
  ctx.after(() => sender.stop());
  await spool.append({
    hostname: 'agent-stuck-spool',
    rows: [{ ts: Date.now() - 5000, memory_usage: 12 }],
    series: [],
  });
  // The temporary file of the rewrite cannot be made (as a full disk would refuse it).
  mkdirSync(`${spool.path}.tmp`);
  const draining = sender.drain();
  await until(() => logs.filter((m) => /will retry/.test(m)).length >= 2, 'the sender to retry the seal');
  assert.deepEqual(mode.keys, [], 'nothing is sent before the request is sealed on disk');
  rmdirSync(`${spool.path}.tmp`);
  await draining;
  assert.equal(mode.keys?.length, 1);
  const { rows } = await app.db.pool.query(countSql, ['agent-stuck-spool']);
  assert.deepEqual(rows[0], { rows: 1, keys: 1 });
});
