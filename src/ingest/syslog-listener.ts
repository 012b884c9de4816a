// Syslog over UDP and TCP into error_logs. Messages are gathered for a few milliseconds and
// written together, as one request would be. UDP cannot push back, so when the writer is
// overloaded a UDP batch is dropped and counted; a TCP connection is paused instead until its
// batch is written, which pushes back on the sender through TCP itself.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { type Server, type Socket, createServer } from 'node:net';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.ts';
import { parseSyslog } from './parsers/syslog.ts';
import type { IngestService } from './service.ts';
import { SyslogFramer } from './syslog-framer.ts';
import { type IngestLimits, type ParseResult, emptyResult, limitsAt } from './types.ts';

export interface SyslogOptions {
  host: string;
  udpPort: number;
  tcpPort: number;
  service: IngestService;
  clock: Clock;
  logger: Logger;
  limits: Omit<IngestLimits, 'nowMs'>;
  /** How long messages are gathered before a write. */
  gatherMs?: number;
}

export class SyslogListener {
  private udp: UdpSocket | null = null;
  private tcp: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private pending: ParseResult = emptyResult();
  private waiting: Socket[] = [];
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> = Promise.resolve();
  dropped = 0;
  written = 0;

  constructor(private readonly o: SyslogOptions) {}

  /** Starts the listeners that have a port; returns the ports actually bound (0 → off). */
  async start(): Promise<{ udp: number; tcp: number }> {
    const ports = { udp: 0, tcp: 0 };
    if (this.o.udpPort > 0) {
      const udp = createSocket(this.o.host.includes(':') ? 'udp6' : 'udp4');
      this.udp = udp;
      udp.on('message', (msg, rinfo) => this.add(msg, rinfo.address, null));
      udp.on('error', (e) => this.o.logger.error({ err: e }, 'syslog udp error'));
      await new Promise<void>((done) => udp.bind(this.o.udpPort, this.o.host, done));
      ports.udp = udp.address().port;
    }
    if (this.o.tcpPort > 0) {
      this.tcp = createServer((socket) => this.connection(socket));
      await new Promise<void>((done) => this.tcp?.listen(this.o.tcpPort, this.o.host, done));
      ports.tcp = (this.tcp.address() as { port: number }).port;
    }
    return ports;
  }

  private connection(socket: Socket): void {
    this.sockets.add(socket);
    const framer = new SyslogFramer();
    const peer = socket.remoteAddress ?? 'unknown';
    socket.on('data', (chunk: Buffer) => {
      for (const frame of framer.push(chunk)) this.add(frame, peer, socket);
    });
    socket.on('end', () => {
      for (const frame of framer.end()) this.add(frame, peer, null);
    });
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  }

  private add(frame: Buffer, peer: string, socket: Socket | null): void {
    const r = parseSyslog(
      frame,
      { peer: peer.replace(/^::ffff:/, '') },
      limitsAt(this.o.clock.now().getTime(), this.o.limits),
    );
    if (r.errors.length > 0) {
      this.dropped++;
      this.o.logger.debug({ reason: r.errors[0]?.reason }, 'syslog message refused');
    }
    this.pending.logs.push(...r.logs);
    this.pending.total += r.logs.length;
    if (socket && !this.waiting.includes(socket)) {
      socket.pause();
      this.waiting.push(socket);
    }
    this.timer ??= setTimeout(() => this.flush(), this.o.gatherMs ?? 20);
  }

  private flush(): void {
    this.timer = null;
    const batch = this.pending;
    const sockets = this.waiting;
    this.pending = emptyResult();
    this.waiting = [];
    if (batch.logs.length === 0) {
      for (const s of sockets) s.resume();
      return;
    }
    this.inFlight = this.inFlight
      .then(() => this.o.service.ingest('ingest', batch))
      .then(
        () => void (this.written += batch.logs.length),
        (e: unknown) => {
          this.dropped += batch.logs.length;
          this.o.logger.warn({ err: e, messages: batch.logs.length }, 'syslog messages could not be written');
        },
      )
      .finally(() => {
        for (const s of sockets) s.resume();
      });
  }

  /** Waits until every message received so far is written (tests, shutdown). */
  async drain(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.flush();
    }
    await this.inFlight;
  }

  async stop(): Promise<void> {
    await new Promise<void>((done) => (this.udp ? this.udp.close(() => done()) : done()));
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((done) => (this.tcp ? this.tcp.close(() => done()) : done()));
    await this.drain();
  }
}
