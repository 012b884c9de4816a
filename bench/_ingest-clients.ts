// The HTTP clients of bench/ingest.ts, in a process of their own as real senders are (on other
// machines): in Vigil's process they took event-loop time from the server they were measuring.
// The parent sends { url, token, clients, servers, steps, batch, now }; this process builds the
// same bodies (makeRows is deterministic) and answers 'ready'. Then { warmup: n } posts the first
// n bodies untimed and answers 'warm' (the parent then empties the table), and 'go' posts every
// body over keep-alive connections, retrying 503/429, and answers with its elapsed time and CPU.
import { Agent } from 'node:http';
import { makeRows, poster, toBodies } from './_ingest-data.ts';

export interface ClientJob {
  url: string;
  token: string;
  clients: number;
  servers: number;
  steps: number;
  batch: number;
  now: number;
}
export interface ClientResult {
  seconds: number;
  retried: number;
  cpuMs: number;
  error?: string;
}

const send = (m: unknown) => process.send?.(m);

process.once('message', (job: ClientJob) => {
  const bodies = toBodies(makeRows(job.servers, job.steps, job.now), job.batch);
  const agent = new Agent({ keepAlive: true, maxSockets: job.clients });
  const post = poster(job.url, job.token, agent);
  let next = 0;
  let end = bodies.length;
  let retried = 0;
  const worker = async () => {
    while (next < end) {
      const body = bodies[next++] as Buffer;
      for (;;) {
        const status = await post(body);
        if (status === 200) break;
        if (status !== 503 && status !== 429) throw new Error(`HTTP ${status}`);
        retried++;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  };
  const all = () => Promise.all(Array.from({ length: job.clients }, worker));
  const measure = () => {
    next = 0;
    end = bodies.length;
    retried = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    all().then(
      () => {
        const cpu = process.cpuUsage(cpu0);
        const result: ClientResult = {
          seconds: (performance.now() - t0) / 1000,
          retried,
          cpuMs: (cpu.user + cpu.system) / 1000,
        };
        send(result);
        agent.destroy();
      },
      (e: unknown) => send({ seconds: 0, retried, cpuMs: 0, error: String(e) } satisfies ClientResult),
    );
  };
  process.on('message', (m: 'go' | { warmup: number }) => {
    if (m === 'go') return measure();
    end = Math.min(m.warmup, bodies.length);
    all().then(
      () => send('warm'),
      (e: unknown) => send({ seconds: 0, retried, cpuMs: 0, error: String(e) } satisfies ClientResult),
    );
  });
  send('ready');
});
