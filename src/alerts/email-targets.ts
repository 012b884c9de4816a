// E-mail targets that need no channel of their own. Incident escalation pages a person as
// `user:<id>`; a policy step may also name an address as `email:<address>`. Both go through one
// e-mail channel used as a template (its SMTP settings and sender, config `alerts.email_channel`)
// with `to` replaced by the one recipient.
//
// A user's address is PII that only admin may read, while the outbox (channel_name, last_error)
// is readable by readonly and devops. So a page to a person is queued by user id only, and the
// address is looked up by the delivery worker (the owner) at send time, used, and never written
// back: not to the outbox, not to its error text, not to the log (see delivery.ts).
//
// Everything that can be decided before sending (a bad address, no template, a template that is
// not an e-mail channel) becomes a dead letter with a reason an operator can act on.
import type { NotificationPayload } from './types.ts';
import type { OutboxInsert } from './queries-notify.ts';

export const EMAIL_TARGET_PREFIX = 'email:';
export const USER_TARGET_PREFIX = 'user:';
// What migrations 0042 and 0052 left of an address that belonged to no single user.
const MASKED_PREFIX = 'email:masked-';

// Deliberately plain: one @, no spaces or angle brackets, a dotted domain. SMTP servers are the
// real judges; this only stops what could never be an address (or could smuggle a header).
const ADDRESS = /^[^@\s<>",;:()[\]\\]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}\.)+[A-Za-z0-9-]{1,63}$/;
const USER_ID = /^user:([1-9][0-9]{0,17})$/;

export function isEmailTarget(channel: string): boolean {
  return channel.startsWith(EMAIL_TARGET_PREFIX);
}

/**
 * A target as it may be shown to non-admins and written to logs: a literal `email:<address>`
 * hides the address (as the notification_deliveries view does), every other name is unchanged.
 */
export function shownTarget(channel: string): string {
  return isEmailTarget(channel) ? `${EMAIL_TARGET_PREFIX}<address hidden>` : channel;
}

export function isUserTarget(channel: string): boolean {
  return channel.startsWith(USER_TARGET_PREFIX);
}

/** Either kind of target delivered through the e-mail template channel. */
export function isTemplateTarget(channel: string): boolean {
  return isEmailTarget(channel) || isUserTarget(channel);
}

export function userTarget(userId: number): string {
  return `${USER_TARGET_PREFIX}${userId}`;
}

/** The user id of a `user:<id>` target, or null when it is not a well-formed one. */
export function userTargetId(channel: string): number | null {
  const m = USER_ID.exec(channel);
  return m?.[1] === undefined ? null : Number(m[1]);
}

/** Whether a string could be sent to as an e-mail address. */
export function isValidAddress(address: string): boolean {
  return address.length <= 254 && ADDRESS.test(address);
}

/** The address of an `email:<address>` target, or null when it is not a valid address. */
export function emailTargetAddress(channel: string): string | null {
  if (!isEmailTarget(channel)) return null;
  const address = channel.slice(EMAIL_TARGET_PREFIX.length);
  return isValidAddress(address) ? address : null;
}

/**
 * The outbox row for a requested notification. A plain channel name is queued as is; an
 * `email:<address>` or `user:<id>` target names the template channel in `via`, or carries the
 * reason it can never be delivered.
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
  if (isUserTarget(req.channel)) {
    if (userTargetId(req.channel) === null)
      return { ...row, dead_reason: `"${req.channel}" is not a valid user:<id> target` };
    return { ...row, via: templateChannel };
  }
  if (!isEmailTarget(req.channel)) return row;
  if (req.channel.startsWith(MASKED_PREFIX))
    return {
      ...row,
      dead_reason: `the address of this page matched no single user, so it was masked when pages moved to user ids (migration 0052)`,
    };
  if (emailTargetAddress(req.channel) === null)
    return { ...row, dead_reason: `"${req.channel}" is not a valid email:<address> target` };
  return { ...row, via: templateChannel };
}
