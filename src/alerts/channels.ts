// Notification channels as people write them, validated with clear errors; secrets (URLs that
// carry tokens, HMAC keys, SMTP passwords, extra headers) are sealed with the application key
// and only the non-secret settings are ever shown.
import { validationError } from '../core/errors.ts';
import type { FieldCipher } from '../auth/crypto.ts';
import type { ChannelWrite } from './queries-notify.ts';
import type { ChannelSecret, ResolvedChannel } from './senders.ts';
import { CHANNEL_KINDS, type ChannelKind } from './types.ts';
import { type Problem, stringMap } from './rule-spec.ts';

const NAME = /^[a-z0-9][a-z0-9_.-]{0,62}$/;
const EMAIL = /^[^@\s<>]+@[^@\s<>]+$/;
const KEYS: Record<ChannelKind, string[]> = {
  webhook: ['url', 'hmac_secret', 'headers'],
  slack: ['url'],
  email: ['to', 'from', 'smtp'],
};

function httpUrl(v: unknown, field: string, p: Problem[]): URL | null {
  try {
    const u = new URL(String(v));
    if (u.protocol === 'http:' || u.protocol === 'https:') return u;
  } catch {
    /* reported below */
  }
  p.push({
    field,
    reason: `must be an http(s) URL (got ${v === undefined ? 'nothing' : JSON.stringify(v)})`,
  });
  return null;
}

/** A channel from API/CLI input; throws VALIDATION_FAILED naming every bad field. */
export function parseChannel(raw: unknown, cipher: FieldCipher): ChannelWrite {
  if (typeof raw !== 'object' || raw === null) throw validationError('channel must be an object');
  const o = raw as Record<string, unknown>;
  const p: Problem[] = [];
  const name = typeof o.name === 'string' && NAME.test(o.name) ? o.name : null;
  if (!name)
    p.push({ field: 'name', reason: 'must be 1-63 lowercase letters, digits, _ . - (e.g. ops-webhook)' });
  const kind = (CHANNEL_KINDS as readonly unknown[]).includes(o.kind) ? (o.kind as ChannelKind) : null;
  if (!kind) p.push({ field: 'kind', reason: `must be one of ${CHANNEL_KINDS.join(', ')}` });
  const allowed = new Set([
    'name',
    'kind',
    'send_resolved',
    'enabled',
    'verify',
    ...(kind ? KEYS[kind] : []),
  ]);
  for (const k of Object.keys(o))
    if (!allowed.has(k)) p.push({ field: k, reason: `unknown field for a ${kind ?? ''} channel` });
  let settings: Record<string, unknown> = {};
  const secret: ChannelSecret = {};
  if (kind === 'webhook' || kind === 'slack') {
    const u = httpUrl(o.url, 'url', p);
    if (u) {
      secret.url = u.toString();
      settings = { target: `${u.origin}${kind === 'webhook' ? u.pathname : ''}` };
    }
  }
  if (kind === 'webhook') {
    if (o.hmac_secret !== undefined) {
      if (typeof o.hmac_secret !== 'string' || o.hmac_secret.length < 16)
        p.push({ field: 'hmac_secret', reason: 'must be a string of at least 16 characters' });
      else secret.hmac_secret = o.hmac_secret;
    }
    const headers = stringMap(o.headers, 'headers', p);
    if (Object.keys(headers).length) secret.headers = headers;
    settings = { ...settings, signed: secret.hmac_secret !== undefined, header_names: Object.keys(headers) };
  }
  if (kind === 'email') {
    const to = typeof o.to === 'string' ? [o.to] : o.to;
    if (!Array.isArray(to) || to.length === 0 || !to.every((x) => typeof x === 'string' && EMAIL.test(x)))
      p.push({ field: 'to', reason: 'must be one or more e-mail addresses' });
    if (typeof o.from !== 'string' || !EMAIL.test(o.from.replace(/^.*<(.+)>\s*$/, '$1')))
      p.push({ field: 'from', reason: 'must be an e-mail address, e.g. "Vigil <vigil@example.com>"' });
    const smtp = (typeof o.smtp === 'object' && o.smtp !== null ? o.smtp : {}) as Record<string, unknown>;
    if (typeof smtp.host !== 'string' || smtp.host === '')
      p.push({ field: 'smtp.host', reason: 'is required' });
    const tls = smtp.tls ?? 'starttls';
    if (!['starttls', 'tls', 'none'].includes(tls as string))
      p.push({ field: 'smtp.tls', reason: 'must be starttls (default), tls or none' });
    const port = smtp.port ?? (tls === 'tls' ? 465 : 587);
    if (!Number.isInteger(port) || (port as number) < 1 || (port as number) > 65535)
      p.push({ field: 'smtp.port', reason: 'must be a port number' });
    if (smtp.username !== undefined && typeof smtp.username !== 'string')
      p.push({ field: 'smtp.username', reason: 'must be a string' });
    if (typeof smtp.password === 'string') secret.password = smtp.password;
    settings = {
      to,
      from: o.from,
      host: smtp.host,
      port,
      tls,
      ...(smtp.username ? { username: smtp.username } : {}),
    };
  }
  for (const k of ['send_resolved', 'enabled', 'verify'])
    if (o[k] !== undefined && typeof o[k] !== 'boolean')
      p.push({ field: k, reason: 'must be true or false' });
  if (p.length > 0)
    throw validationError(
      `invalid channel${name ? ` "${name}"` : ''}: ${p.map((x) => `${x.field} ${x.reason}`).join('; ')}`,
      p,
    );
  return {
    name: name as string,
    kind: kind as ChannelKind,
    settings,
    secret: Object.keys(secret).length ? cipher.encrypt(JSON.stringify(secret)) : null,
    send_resolved: o.send_resolved !== false,
    enabled: o.enabled !== false,
  };
}

export function resolveChannel(
  row: {
    name: string;
    kind: ChannelKind;
    settings: Record<string, unknown>;
    secret_encrypted: Buffer | null;
  },
  cipher: FieldCipher,
): ResolvedChannel {
  const secret = row.secret_encrypted
    ? (JSON.parse(cipher.decrypt(row.secret_encrypted)) as ChannelSecret)
    : {};
  return { name: row.name, kind: row.kind, settings: row.settings, secret };
}
