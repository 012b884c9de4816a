// The outbox worker: claims due notifications (SKIP LOCKED, with a lease so a crashed sender's
// rows come back), sends each independently with a timeout, and records the outcome: delivered,
// retried after an exponential backoff, or a dead letter once attempts run out. Sends are not
// awaited by the claiming loop, so one hanging receiver never delays the others, and evaluation
// never waits for any of it.
import type { Logger } from 'pino';
import type { FieldCipher } from '../auth/crypto.ts';
import type { Clock } from '../core/clock.ts';
import type { Pool } from '../db/pool.ts';
import { resolveChannel } from './channels.ts';
import {
  emailTargetAddress,
  isEmailTarget,
  isTemplateTarget,
  isUserTarget,
  isValidAddress,
  shownTarget,
  userTargetId,
} from './email-targets.ts';
import {
  type ClaimedDelivery,
  claimDeliveries,
  markDelivered,
  markFailed,
  pageRecipient,
} from './queries-notify.ts';
import { DeliveryError, describeError, send } from './senders.ts';

export interface DeliveryOptions {
  pool: Pool;
  clock: Clock;
  cipher: FieldCipher;
  logger: Logger;
  timeoutMs: number;
  maxAttempts: number;
  backoffMs: number;
  backoffMaxMs: number;
  concurrency: number;
  onDelivered?: (id: number, payload: ClaimedDelivery['payload']) => void;
}

/** Delay before attempt n+1 after n failed attempts: base · 2^(n-1), capped. */
export function backoff(attempts: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));
}

export class DeliveryWorker {
  private readonly inflight = new Set<Promise<void>>();
  /** Running for real: a finished send frees a slot and pulls the next due row at once. */
  continuous = false;
  constructor(private readonly o: DeliveryOptions) {}

  /** Claims what is due (up to the free slots) and starts sending; returns how many started. */
  async poll(): Promise<number> {
    const free = this.o.concurrency - this.inflight.size;
    if (free <= 0) return 0;
    // The lease outlives the send timeout, so only a crashed process lets a row be retaken.
    const claimed = await claimDeliveries(
      this.o.pool,
      this.o.clock.now(),
      free,
      this.o.timeoutMs * 2 + 30_000,
    );
    for (const d of claimed) {
      const p = this.deliver(d).finally(() => {
        this.inflight.delete(p);
        if (this.continuous)
          this.poll().catch((e: unknown) => this.o.logger.error({ err: e }, 'delivery poll failed'));
      });
      this.inflight.add(p);
    }
    return claimed.length;
  }

  /** Polls until nothing due is left and every send started has finished (tests, shutdown). */
  async drain(): Promise<void> {
    while ((await this.poll()) > 0 || this.inflight.size > 0) await Promise.race(this.inflight);
  }

  get busy(): number {
    return this.inflight.size;
  }

  private async deliver(d: ClaimedDelivery): Promise<void> {
    // A literal email:<address> target names a person: the log shows it masked.
    const log = this.o.logger.child({ deliveryId: d.id, channel: shownTarget(d.channel_name) });
    // A user's address stays in this function: what is recorded or logged below goes through
    // scrub(), since an SMTP refusal usually quotes the recipient ("550 <alice@…>: no such user").
    let scrub = (text: string) => text;
    // A literal email:<address> target's address is kept in the admin-only outbox row, but logs
    // are read more widely: there it is hidden, as the notification_deliveries view hides it.
    const literal = emailTargetAddress(d.channel_name);
    const hideLiteral = (text: string) =>
      literal ? text.replace(new RegExp(escapeRegExp(literal), 'gi'), '<address hidden>') : text;
    try {
      const target = await this.recipient(d);
      const address = target.address;
      if (address !== null && isUserTarget(d.channel_name)) {
        const mask = `<e-mail address of ${d.channel_name}>`;
        scrub = (text) => text.replace(new RegExp(escapeRegExp(address), 'gi'), mask);
      }
      const permanent = target.reason ?? permanentFailure(d);
      if (permanent !== null || d.kind === null) throw new PermanentFailure(permanent ?? 'no channel');
      const resolved = resolveChannel(
        {
          name: d.channel_name,
          kind: d.kind,
          settings: d.settings ?? {},
          secret_encrypted: d.secret_encrypted,
        },
        this.o.cipher,
      );
      // A plain e-mail channel's recipients are admin-only channel settings (0043), but the outbox
      // error is read by every role (through notification_deliveries): keep them out of it too.
      if (address === null && d.kind === 'email') {
        const to = resolved.settings.to;
        const recipients = (Array.isArray(to) ? to : [to]).filter(
          (x): x is string => typeof x === 'string' && x !== '',
        );
        if (recipients.length > 0) {
          const pattern = new RegExp(recipients.map(escapeRegExp).join('|'), 'gi');
          scrub = (text) => text.replace(pattern, `<a recipient of channel ${d.channel_name}>`);
        }
      }
      // The template's SMTP settings and sender, addressed to this one person only.
      const channel = address ? { ...resolved, settings: { ...resolved.settings, to: [address] } } : resolved;
      await send(channel, d.payload, {
        deliveryId: d.id,
        dedupKey: d.dedup_key,
        timeoutMs: this.o.timeoutMs,
        now: this.o.clock.now(),
      });
      await markDelivered(this.o.pool, d.id, this.o.clock.now());
      this.o.onDelivered?.(d.id, d.payload);
    } catch (e) {
      const reason = scrub(describeError(e, this.o.timeoutMs));
      const dead = e instanceof PermanentFailure || d.attempts >= this.o.maxAttempts;
      const next = dead
        ? null
        : new Date(this.o.clock.now().getTime() + backoff(d.attempts, this.o.backoffMs, this.o.backoffMaxMs));
      const message = `attempt ${d.attempts}: ${reason}`;
      await markFailed(this.o.pool, d.id, message, next).catch((err: unknown) =>
        log.error({ err: hideLiteral(scrub(String(err))) }, 'could not record a failed delivery'),
      );
      const logged = { attempts: d.attempts, reason: hideLiteral(reason) };
      if (dead) log.error(logged, 'notification is a dead letter');
      else log.warn({ ...logged, retryAt: next }, 'notification delivery failed; will retry');
    }
  }

  /**
   * The one recipient of a template target: for `user:<id>` the user's address, read now (the
   * user may have lost it, been disabled or deleted since the page was queued); for
   * `email:<address>` the address itself. `reason` says why it can never be sent.
   */
  private async recipient(d: ClaimedDelivery): Promise<{ address: string | null; reason: string | null }> {
    if (isEmailTarget(d.channel_name)) {
      const address = emailTargetAddress(d.channel_name);
      return address === null
        ? { address, reason: `"${d.channel_name}" is not a valid email:<address> target` }
        : { address, reason: null };
    }
    if (!isTemplateTarget(d.channel_name)) return { address: null, reason: null };
    const userId = userTargetId(d.channel_name);
    if (userId === null)
      return { address: null, reason: `"${d.channel_name}" is not a valid user:<id> target` };
    const user = await pageRecipient(this.o.pool, userId);
    if (!user)
      return {
        address: null,
        reason: `user #${userId} no longer exists (deleted after the page was queued)`,
      };
    const who = `user #${userId} (${user.username})`;
    if (user.disabled) return { address: null, reason: `${who} is disabled` };
    if (user.email === null) return { address: null, reason: `${who} has no e-mail address` };
    if (!isValidAddress(user.email))
      return { address: user.email, reason: `${who} has an e-mail address that cannot be sent to` };
    return { address: user.email, reason: null };
  }
}

/** A failure no retry can fix: a dead letter at once. */
class PermanentFailure extends DeliveryError {}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A reason no retry can fix (the channel is gone, disabled or of the wrong kind), or null. */
function permanentFailure(d: ClaimedDelivery): string | null {
  const target = isTemplateTarget(d.channel_name);
  // For an email:/user: target the channel is its template, so the reason names both.
  const label = target
    ? `the e-mail channel used for ${d.channel_name}`
    : `notification channel "${d.channel_name}"`;
  if (d.kind === null) return `${label} no longer exists`;
  if (d.enabled === false) return `${label} is disabled`;
  if (target && d.kind !== 'email') return `${label} is a ${d.kind} channel, not an e-mail channel`;
  return null;
}
