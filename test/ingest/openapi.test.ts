// /openapi.json of a running Vigil (over a real socket) declares what the ingest endpoints take and
// answer: a client generated from the spec must be able to send `Idempotency-Key` and see
// `Idempotent-Replayed` on a 200, not only read about them in prose.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testApp } from '../helpers/app.ts';

const app = await testApp({ listen: true });

const INGEST_PATHS = [
  '/api/v1/metrics',
  '/api/v1/logs',
  '/api/v1/write',
  '/api/v1/prom/write',
  '/api/v1/collectd',
];

interface HeaderObject {
  description?: string;
  schema?: { type?: string; enum?: unknown[] };
}
interface ParameterObject {
  in?: string;
  name?: string;
  required?: boolean;
  description?: string;
  schema?: { type?: string; pattern?: string };
}
interface Spec {
  paths: Record<
    string,
    {
      post?: {
        parameters?: ParameterObject[];
        responses?: Record<string, { headers?: Record<string, HeaderObject> }>;
      };
    }
  >;
}

const spec = async (): Promise<Spec> => {
  const res = await fetch(new URL('/openapi.json', app.vigil.url));
  assert.equal(res.status, 200);
  return (await res.json()) as Spec;
};

test('every ingest endpoint declares the optional Idempotency-Key request header', async () => {
  const paths = (await spec()).paths;
  for (const path of INGEST_PATHS) {
    const post = paths[path]?.post;
    assert.ok(post, `${path} is in the spec`);
    const params = (post.parameters ?? []).filter(
      (p) => p.in === 'header' && p.name?.toLowerCase() === 'idempotency-key',
    );
    assert.equal(params.length, 1, `${path}: one Idempotency-Key header parameter`);
    const [param] = params;
    assert.notEqual(param?.required, true, `${path}: the key is optional`);
    assert.equal(param?.schema?.type, 'string', path);
    assert.ok(param?.schema?.pattern, `${path}: the key's allowed characters are declared`);
    assert.match(param?.description ?? '', /Idempotent-Replayed/, `${path}: the header says what it does`);
  }
});

test('the 200 of every ingest endpoint declares the Idempotent-Replayed response header', async () => {
  const paths = (await spec()).paths;
  for (const path of INGEST_PATHS) {
    const responses = paths[path]?.post?.responses;
    assert.ok(responses, `${path} has documented responses`);
    const header = responses['200']?.headers?.['Idempotent-Replayed'];
    assert.ok(header, `${path}: 200 declares Idempotent-Replayed`);
    assert.deepEqual(header.schema, { type: 'string', enum: ['true'] }, path);
    assert.match(header.description ?? '', /Idempotency-Key/, `${path}: the header says when it is sent`);
    // The body schema is still there next to the header (the header must not replace it).
    assert.ok(JSON.stringify(responses['200']).includes('accepted'), `${path}: 200 keeps its body`);
    // An error answer is never a replay: the header belongs to the 200 only.
    assert.equal(responses['422']?.headers, undefined, `${path}: 422 has no replay header`);
  }
});

test('a replayed answer still matches its declared body (the header option does not break serialization)', async () => {
  const body = JSON.stringify({
    hostname: 'openapi-host',
    entries: [{ ts: Date.now(), severity: 'err', source: 'openapi', message: 'x' }],
  });
  const post = () =>
    fetch(new URL('/api/v1/logs', app.vigil.url), {
      method: 'POST',
      headers: {
        ...app.as('ingest'),
        'content-type': 'application/json',
        'idempotency-key': 'openapi-replay-1',
      },
      body,
    });
  const first = await post();
  assert.equal(first.status, 200, await first.clone().text());
  assert.equal(first.headers.get('idempotent-replayed'), null);
  const again = await post();
  assert.equal(again.headers.get('idempotent-replayed'), 'true', await again.clone().text());
  assert.deepEqual(await again.json(), { accepted: 1, rejected: 0, errors: [], errors_truncated: false });
});
