// Mutated bodies through the real HTTP endpoints: never a 5xx, never a hang, and every refusal
// (a 4xx, or a per-row error in a 200) carries a reason.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeRemoteWrite } from '../../src/ingest/index.ts';
import { testApp } from '../helpers/app.ts';
import { deepJson, mutate, prng, randomBytes } from './fuzz-helpers.ts';

const BODIES = 250;
const app = await testApp({ overrides: { ingest: { max_body_bytes: 256 * 1024 } } });
const now = Date.now();
const ns = BigInt(now) * 1_000_000n;

const endpoints: { url: string; type: string; encoding?: string; seeds: Uint8Array[] }[] = [
  {
    url: '/api/v1/metrics',
    type: 'application/json',
    seeds: [
      Buffer.from(
        JSON.stringify({ hostname: 'fz-1', rows: [{ ts: now - 1000, cpu_usage: 5, network_in_bytes: 9 }] }),
      ),
      Buffer.from(deepJson(3000)),
    ],
  },
  {
    url: '/api/v1/logs',
    type: 'application/json',
    seeds: [
      Buffer.from(
        JSON.stringify([
          { hostname: 'fz-1', ts: now - 1000, severity: 'err', message: 'x', context: { a: [1] } },
        ]),
      ),
    ],
  },
  {
    url: '/api/v1/write?precision=ns',
    type: 'text/plain',
    seeds: [
      Buffer.from(
        `cpu,host=fz-2,cpu=cpu-total usage_idle=50 ${ns}\nm\\ x,host=fz-2,t\\=1=a f="s \\"q\\"",g=1i ${ns}`,
      ),
    ],
  },
  {
    url: '/api/v1/prom/write',
    type: 'application/x-protobuf',
    encoding: 'snappy',
    seeds: [
      encodeRemoteWrite([
        {
          labels: { __name__: 'node_load1', instance: 'fz-3:9100' },
          samples: [{ value: 1, tsMs: now - 1000 }],
        },
      ]),
    ],
  },
  {
    url: '/api/v1/collectd',
    type: 'application/json',
    seeds: [
      Buffer.from(
        JSON.stringify([
          {
            values: [1],
            dstypes: ['gauge'],
            dsnames: ['value'],
            time: now / 1000,
            interval: 10,
            host: 'fz-4',
            plugin: 'load',
            type: 'x',
          },
        ]),
      ),
    ],
  },
];

for (const [n, ep] of endpoints.entries()) {
  test(
    `${ep.url}: ${BODIES} mutated bodies, no 5xx, every refusal explained`,
    { timeout: 120_000 },
    async () => {
      const r = prng(100 + n);
      for (let i = 0; i < BODIES; i++) {
        const body = r.next() < 0.1 ? randomBytes(r) : mutate(r, r.pick(ep.seeds));
        const res = await app.vigil.app.inject({
          method: 'POST',
          url: ep.url,
          headers: {
            ...app.as('ingest'),
            'content-type': ep.type,
            ...(ep.encoding ? { 'content-encoding': ep.encoding } : {}),
          },
          payload: Buffer.from(body),
        });
        assert.ok(res.statusCode < 500, `${ep.url} #${i}: ${res.statusCode} ${res.body.slice(0, 300)}`);
        const json = res.json();
        if (res.statusCode === 200) {
          for (const e of json.errors)
            assert.ok(e.reason && e.field, `${ep.url} #${i}: error without reason`);
        } else {
          assert.ok(
            json.error?.code && json.error?.message,
            `${ep.url} #${i}: ${res.statusCode} without a reason`,
          );
        }
      }
    },
  );
}
