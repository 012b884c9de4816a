// `email:<address>` notification targets. Incident escalation pages a person by e-mail without
// anyone creating a channel per person: such a request goes through one e-mail channel used as
// a template (its SMTP settings and sender, config `alerts.email_channel`) with `to` replaced by
// the address. Everything that can be decided before sending (a bad address, no template, a
// template that is not an e-mail channel) becomes a dead letter with a reason an operator can
// act on, never a silent drop.
import type { NotificationPayload } from './types.ts';
import type { OutboxInsert } from './queries-notify.ts';

export const EMAIL_TARGET_PREFIX = 'email:';

// Deliberately plain: one @, no spaces or angle brackets, a dotted domain. SMTP servers are the
// real judges; this only stops what could never be an address (or could smuggle a header).
const ADDRESS = /^[^@\s<>",;:()[\]\\]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}\.)+[A-Za-z0-9-]{1,63}$/;

export function isEmailTarget(channel: string): boolean {
  return channel.startsWith(EMAIL_TARGET_PREFIX);
}

/** The address of an `email:<address>` target, or null when it is not a valid address. */
export function emailTargetAddress(channel: string): string | null {
  if (!isEmailTarget(channel)) return null;
  const address = channel.slice(EMAIL_TARGET_PREFIX.length);
  return address.length <= 254 && ADDRESS.test(address) ? address : null;
}

/**
 * The outbox row for a requested notification. A plain channel name is queued as is; an
 * `email:<address>` target names the template channel in `via`, or carries the reason it can
 * never be delivered.
 */
export function outboxRow(
  req: { channel: string; dedupKey: string; source: 'incident' | 'alert'; payload: NotificationPayload },
  templateChannel: string,
): OutboxInsert {
  const row: OutboxInsert = {
    channel_name: req.channel,
    source: req.source,
    dedup_key: req.dedupKey,
    payload: req.payload,
  };
  if (!isEmailTarget(req.channel)) return row;
  if (emailTargetAddress(req.channel) === null)
    return { ...row, dead_reason: `"${req.channel}" is not a valid email:<address> target` };
  return { ...row, via: templateChannel };
}
