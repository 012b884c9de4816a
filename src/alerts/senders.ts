// Delivery of one notification through one channel: webhook (JSON, HMAC-signed), Slack-compatible
// incoming webhook, e-mail over SMTP. Every send has a hard timeout so a hanging receiver costs
// one delivery slot for at most that long; failures are thrown with a one-line reason.
import { createHmac } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { ChannelKind, NotificationPayload } from './types.ts';

export interface ChannelSecret {
  url?: string;
  hmac_secret?: string;
  headers?: Record<string, string>;
  password?: string;
}

export interface ResolvedChannel {
  name: string;
  kind: ChannelKind;
  settings: Record<string, unknown>;
  secret: ChannelSecret;
}

export interface SendMeta {
  deliveryId: number | null;
  dedupKey: string;
  timeoutMs: number;
  now: Date;
}

export class DeliveryError extends Error {}

export function describeError(e: unknown, timeoutMs: number): string {
  const err = e as Error & {
    code?: string;
    cause?: { code?: string; message?: string };
    responseCode?: number;
    response?: string;
  };
  if (err instanceof DeliveryError) return err.message;
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError' || err?.code === 'ETIMEDOUT')
    return `no answer within ${timeoutMs} ms (timed out)`;
  if (err?.responseCode) return `SMTP server refused: ${err.response ?? err.responseCode}`;
  const code = err?.cause?.code ?? err?.code;
  if (code === 'ECONNREFUSED') return `connection refused: ${err.cause?.message ?? err.message}`;
  if (code === 'ENOTFOUND') return `host not found: ${err.cause?.message ?? err.message}`;
  if (code === 'ECONNRESET') return 'connection reset by the receiver';
  return (err?.cause?.message ?? err?.message ?? String(e)).slice(0, 500);
}

const statusOf = (p: NotificationPayload): 'firing' | 'resolved' =>
  p.alerts && p.alerts.length > 0 && p.alerts.every((a) => a.status === 'resolved') ? 'resolved' : 'firing';

async function post(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', 'user-agent': 'Vigil-Alerts/1', ...headers },
    // Redirects are not followed: a notification must reach the configured receiver or fail.
    redirect: 'manual',
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text().catch(() => '');
  if (res.status < 200 || res.status >= 300) {
    throw new DeliveryError(`receiver answered HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`);
  }
}

async function sendWebhook(c: ResolvedChannel, p: NotificationPayload, m: SendMeta): Promise<void> {
  const body = JSON.stringify({
    version: '1',
    delivery_id: m.deliveryId,
    dedup_key: m.dedupKey,
    status: statusOf(p),
    ...p,
  });
  const ts = String(Math.floor(m.now.getTime() / 1000));
  const headers: Record<string, string> = {
    ...(c.secret.headers ?? {}),
    'x-vigil-delivery': String(m.deliveryId ?? 'test'),
    'x-vigil-dedup-key': m.dedupKey,
    'x-vigil-timestamp': ts,
  };
  // Signed over "<timestamp>.<body>" so a receiver can reject replays of old bodies.
  if (c.secret.hmac_secret) {
    const mac = createHmac('sha256', c.secret.hmac_secret).update(`${ts}.${body}`).digest('hex');
    headers['x-vigil-signature'] = `sha256=${mac}`;
  }
  await post(c.secret.url as string, body, headers, m.timeoutMs);
}

const COLORS = { critical: '#d00000', warning: '#e8a300', info: '#2f80ed', resolved: '#2e9e44' };

async function sendSlack(c: ResolvedChannel, p: NotificationPayload, m: SendMeta): Promise<void> {
  const status = statusOf(p);
  const body = JSON.stringify({
    text: p.title,
    attachments: [
      {
        color: status === 'resolved' ? COLORS.resolved : COLORS[p.severity],
        title: p.title,
        text: p.text,
        footer: 'Vigil',
      },
    ],
  });
  await post(c.secret.url as string, body, {}, m.timeoutMs);
}

async function sendEmail(c: ResolvedChannel, p: NotificationPayload, m: SendMeta): Promise<void> {
  const s = c.settings as {
    to: string[];
    from: string;
    host: string;
    port: number;
    tls: string;
    username?: string;
  };
  const transport = nodemailer.createTransport({
    host: s.host,
    port: s.port,
    secure: s.tls === 'tls',
    requireTLS: s.tls === 'starttls',
    ignoreTLS: s.tls === 'none',
    auth: s.username ? { user: s.username, pass: c.secret.password ?? '' } : undefined,
    connectionTimeout: m.timeoutMs,
    greetingTimeout: m.timeoutMs,
    socketTimeout: m.timeoutMs,
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      transport.sendMail({
        from: s.from,
        to: s.to,
        subject: p.title,
        text: `${p.text}\n\n-- \nVigil (${m.dedupKey})`,
        headers: { 'X-Vigil-Dedup-Key': m.dedupKey },
      }),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(Object.assign(new Error('timeout'), { name: 'TimeoutError' })),
          m.timeoutMs,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
    transport.close();
  }
}

export async function send(c: ResolvedChannel, p: NotificationPayload, m: SendMeta): Promise<void> {
  if (c.kind === 'webhook') return sendWebhook(c, p, m);
  if (c.kind === 'slack') return sendSlack(c, p, m);
  return sendEmail(c, p, m);
}
