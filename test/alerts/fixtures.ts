// Shared set-up for the alerts tests: a full Vigil on its own database with a manual clock,
// servers and samples written directly with SQL (as the ingest writer would), and real peers on
// loopback: an HTTP receiver for webhooks and Slack, and smtp-server for e-mail.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { Writable } from 'node:stream';
import { DeliveryWorker } from '../../src/alerts/delivery.ts';
import { alertsRuntime, type AlertsRuntime } from '../../src/alerts/index.ts';
import { createLogger } from '../../src/logger.ts';
import { ManualClock } from '../../src/core/clock.ts';
import type { Queryable } from '../../src/db/pool.ts';
import { ensurePartitionsFor } from '../../src/storage/index.ts';
import { testApp, type TestApp } from '../helpers/app.ts';

export const T0 = new Date('2026-03-02T12:00:00Z');
const DAY = 86_400_000;

export interface AlertsTest {
  app: TestApp;
  clock: ManualClock;
  rt: AlertsRuntime;
  pool: TestApp['db']['pool'];
  inject: TestApp['vigil']['app']['inject'];
}

export async function setup(overrides: Record<string, unknown> = {}): Promise<AlertsTest> {
  const clock = new ManualClock(T0);
  const app = await testApp({
    clock,
    overrides: {
      alerts: { delivery_timeout: '1s', delivery_backoff: '10s', delivery_max_attempts: 3, ...overrides },
    },
  });
  await ensurePartitionsFor(app.db.pool, new Date(T0.getTime() - 3 * DAY), new Date(T0.getTime() + 3 * DAY));
  return {
    app,
    clock,
    rt: alertsRuntime(app.vigil.ctx),
    pool: app.db.pool,
    inject: app.vigil.app.inject.bind(app.vigil.app),
  };
}

export async function addServers(
  db: Queryable,
  hostnames: string[],
  opts: { region?: string; labels?: Record<string, string>; firstSeen?: Date } = {},
): Promise<number[]> {
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO vigil.servers (hostname, region, labels, first_seen_at)
     SELECT h, $2, $3::jsonb, $4 FROM unnest($1::text[]) WITH ORDINALITY AS u(h, i) ORDER BY i RETURNING id`,
    [
      hostnames,
      opts.region ?? 'default',
      JSON.stringify(opts.labels ?? {}),
      opts.firstSeen ?? new Date(T0.getTime() - DAY),
    ],
  );
  return rows.map((r) => r.id);
}

/** cpu samples every `stepS` seconds for the last `spanS` seconds before `end`, like ingest writes. */
export async function writeCpu(
  db: Queryable,
  serverIds: number[],
  cpu: number,
  end: Date,
  spanS = 60,
  stepS = 10,
) {
  const ids: number[] = [];
  const ts: string[] = [];
  for (const id of serverIds) {
    for (let s = spanS - stepS; s >= 0; s -= stepS) {
      ids.push(id);
      ts.push(new Date(end.getTime() - s * 1000).toISOString());
    }
  }
  await db.query(
    `INSERT INTO vigil.server_metrics (server_id, ts, cpu_usage)
     SELECT * FROM unnest($1::bigint[], $2::timestamptz[], array_fill($3::real, ARRAY[cardinality($1::bigint[])]))
     ON CONFLICT (server_id, ts) DO UPDATE SET cpu_usage = EXCLUDED.cpu_usage`,
    [ids, ts, cpu],
  );
}

/** An API write that must succeed (any status >= 300 fails the test), as `role`; returns its JSON. */
export async function apiWrite(
  t: AlertsTest,
  method: 'POST' | 'PUT',
  url: string,
  payload: object,
  role: 'admin' | 'devops' = 'admin',
): Promise<{ id: number }> {
  const res = await t.inject({ method, url, headers: t.app.as(role), payload });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json() as { id: number };
}

export async function createRule(t: AlertsTest, body: Record<string, unknown>, query = '') {
  const res = await t.inject({
    method: 'POST',
    url: `/api/v1/alerts/rules${query}`,
    headers: t.app.as('admin'),
    payload: body,
  });
  if (res.statusCode !== 201) throw new Error(`rule not created: ${res.statusCode} ${res.body}`);
  return res.json() as { id: number; name: string };
}

export interface AlertRecord {
  id: number;
  server_id: number;
  state: string;
  last_value: number;
  peak_value: number;
  state_changes: { to: string; note?: string }[];
}

export async function openAlerts(db: Queryable, ruleName: string): Promise<AlertRecord[]> {
  const { rows } = await db.query<AlertRecord>(
    `SELECT h.id, h.server_id, h.state, h.last_value, h.peak_value, h.state_changes FROM vigil.alerts_history h
       JOIN vigil.alerts_configuration r ON r.id = h.rule_id WHERE r.name = $1 ORDER BY h.server_id, h.id`,
    [ruleName],
  );
  return rows;
}

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  json: Record<string, unknown>;
}

/** An HTTP receiver on loopback; `status` or `hang` decide how it answers (changeable live). */
export async function receiver(behaviour: { status?: number; hang?: boolean } = {}) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      received.push({
        headers: req.headers,
        body,
        json: JSON.parse(body || '{}') as Record<string, unknown>,
      });
      if (behaviour.hang) return; // never answers
      const status = behaviour.status ?? 200;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status >= 400 ? 'receiver broken' : 'ok');
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received, behaviour };
}

export interface Mail {
  from: string;
  to: string[];
  data: string;
}

/** smtp-server on loopback without TLS; `refuse` answers every recipient with 550. */
export async function smtp(opts: { refuse?: boolean } = {}) {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, cb) {
      if (opts.refuse) {
        return cb(Object.assign(new Error(`mailbox ${address.address} unavailable`), { responseCode: 550 }));
      }
      cb();
    },
    onData(stream, session, cb) {
      let data = '';
      stream.on('data', (c: Buffer) => (data += c.toString('utf8')));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          data,
        });
        cb();
      });
    },
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  after(() => new Promise<void>((done) => server.close(() => done())));
  return { port: (server.server.address() as AddressInfo).port, mails };
}

/** Emits 'metrics.committed' as the ingest writer does and waits for the evaluation it causes. */
export async function committed(t: AlertsTest, serverIds: number[]): Promise<void> {
  t.app.vigil.ctx.events.emit('metrics.committed', { serverIds, maxTs: t.clock.now() });
  // Listeners run on a later tick (the bus isolates them from the emitter).
  await new Promise((r) => setImmediate(r));
  await t.rt.engine.idle();
}

/**
 * A delivery worker (one attempt per delivery) whose log lines are kept: `logged()` is everything
 * it wrote, for checking that no address reaches the log.
 */
export function loggingWorker(t: AlertsTest): { worker: DeliveryWorker; logged: () => string } {
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString('utf8');
      done();
    },
  });
  const worker = new DeliveryWorker({
    pool: t.pool,
    clock: t.clock,
    cipher: t.app.vigil.ctx.cipher,
    logger: createLogger('debug', sink),
    timeoutMs: 2000,
    maxAttempts: 1,
    backoffMs: 1000,
    backoffMaxMs: 1000,
    concurrency: 1,
  });
  return { worker, logged: () => text };
}
