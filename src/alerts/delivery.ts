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
import { type ClaimedDelivery, claimDeliveries, markDelivered, markFailed } from './queries-notify.ts';
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
    const log = this.o.logger.child({ deliveryId: d.id, channel: d.channel_name });
    try {
      if (d.kind === null)
        throw new DeliveryError(`notification channel "${d.channel_name}" no longer exists`);
      if (d.enabled === false)
        throw new DeliveryError(`notification channel "${d.channel_name}" is disabled`);
      const channel = resolveChannel(
        {
          name: d.channel_name,
          kind: d.kind,
          settings: d.settings ?? {},
          secret_encrypted: d.secret_encrypted,
        },
        this.o.cipher,
      );
      await send(channel, d.payload, {
        deliveryId: d.id,
        dedupKey: d.dedup_key,
        timeoutMs: this.o.timeoutMs,
        now: this.o.clock.now(),
      });
      await markDelivered(this.o.pool, d.id, this.o.clock.now());
      this.o.onDelivered?.(d.id, d.payload);
    } catch (e) {
      const reason = describeError(e, this.o.timeoutMs);
      const permanent = d.kind === null || d.enabled === false;
      const dead = permanent || d.attempts >= this.o.maxAttempts;
      const next = dead
        ? null
        : new Date(this.o.clock.now().getTime() + backoff(d.attempts, this.o.backoffMs, this.o.backoffMaxMs));
      const message = `attempt ${d.attempts}: ${reason}`;
      await markFailed(this.o.pool, d.id, message, next).catch((err: unknown) =>
        log.error({ err }, 'could not record a failed delivery'),
      );
      if (dead) log.error({ attempts: d.attempts, reason }, 'notification is a dead letter');
      else
        log.warn({ attempts: d.attempts, reason, retryAt: next }, 'notification delivery failed; will retry');
    }
  }
}
