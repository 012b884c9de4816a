// Data for bench/ingest.ts: deterministic samples of a fleet, the JSON bodies that carry them,
// and the POST that sends one. Bodies are encoded before the clock starts so the bench measures
// Vigil, not the client.
import { type Agent, request } from 'node:http';

export { freePort } from '../src/db/embedded.ts';

/** A function that POSTs one JSON body with the token over `agent` and resolves to the status. */
export function poster(url: string | URL, token: string, agent: Agent): (body: Buffer) => Promise<number> {
  return (body) =>
    new Promise<number>((done, fail) => {
      const req = request(
        url,
        {
          method: 'POST',
          agent,
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            'content-length': body.length,
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => done(res.statusCode ?? 0));
        },
      );
      req.on('error', fail);
      req.end(body);
    });
}

export interface BenchRow {
  hostname: string;
  tsUs: number;
  cpu_usage: number;
  memory_usage: number;
  disk_usage: number;
  network_in_bytes: number;
  network_out_bytes: number;
  load_1: number;
  load_5: null;
  load_15: null;
}

/** `servers` hosts x `steps` samples 10 s apart, ending a minute before `nowMs`, in time order. */
export function makeRows(servers: number, steps: number, nowMs: number): BenchRow[] {
  const start = Math.floor(nowMs / 10_000) * 10_000 - 60_000 - steps * 10_000;
  const rows: BenchRow[] = [];
  let seed = 42;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let s = 0; s < steps; s++) {
    for (let h = 1; h <= servers; h++) {
      rows.push({
        hostname: `bench-${String(h).padStart(5, '0')}`,
        tsUs: (start + s * 10_000) * 1000,
        cpu_usage: Math.round(rnd() * 10000) / 100,
        memory_usage: Math.round(rnd() * 10000) / 100,
        disk_usage: Math.round(rnd() * 10000) / 100,
        network_in_bytes: Math.floor(rnd() * 1e7),
        network_out_bytes: Math.floor(rnd() * 1e7),
        load_1: Math.round(rnd() * 400) / 100,
        load_5: null,
        load_15: null,
      });
    }
  }
  return rows;
}

/** The rows as JSON bodies of `batch` rows each, as the API takes them. */
export function toBodies(rows: readonly BenchRow[], batch: number): Buffer[] {
  const bodies: Buffer[] = [];
  for (let i = 0; i < rows.length; i += batch) {
    const json = rows.slice(i, i + batch).map((r) => ({
      hostname: r.hostname,
      ts: r.tsUs / 1000,
      cpu_usage: r.cpu_usage,
      memory_usage: r.memory_usage,
      disk_usage: r.disk_usage,
      network_in_bytes: r.network_in_bytes,
      network_out_bytes: r.network_out_bytes,
      load_1: r.load_1,
    }));
    bodies.push(Buffer.from(JSON.stringify(json)));
  }
  return bodies;
}
