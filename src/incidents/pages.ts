// Handing pages over to the alerts module, durably. An escalation records each page in
// incident_page_requests in the transaction that writes its 'notified' timeline entry; after the
// commit the page is emitted as 'notification.requested'. The alerts module answers with
// 'notification.enqueued' once the message is in its outbox, and only then is the request
// forgotten. Whatever is still unconfirmed (a crash between commit and emit, an event nobody
// heard, an alerts module that failed to queue) is emitted again by the escalation job: at once
// after a restart, then with a doubling delay. The alerts outbox is idempotent per (channel,
// dedup key), so a page emitted twice is still sent once.
import type { Logger } from 'pino';
import type { EventBus } from '../core/events.ts';
import type { Pool } from '../db/pool.ts';
import { claimUnconfirmedPages, confirmPage, type PageRequest } from './queries.ts';

/** First re-emission of an unconfirmed page; a confirmation normally takes milliseconds. */
export const RESEND_AFTER_MS = 60_000;
/** Longest wait between re-emissions while nothing confirms (alerts disabled everywhere?). */
const RESEND_MAX_MS = 3_600_000;
const BATCH = 500;

export function emitPages(events: EventBus, pages: PageRequest[]): void {
  for (const p of pages) events.emit('notification.requested', { ...p, source: 'incident' });
}

/**
 * Emits again the pages nobody confirmed: every one of them when `all` (the first run in this
 * process: whatever is there was left by a process that may have died before emitting), else
 * those whose retry time came. Returns how many were emitted.
 */
export async function resendUnconfirmed(
  pool: Pool,
  events: EventBus,
  logger: Logger,
  now: Date,
  all: boolean,
): Promise<number> {
  let total = 0;
  for (;;) {
    const pages = await claimUnconfirmedPages(pool, now, all, RESEND_AFTER_MS, RESEND_MAX_MS, BATCH);
    for (const p of pages) {
      // A page that keeps coming back means nothing in this process queues notifications.
      if (p.emits > 3)
        logger.warn(
          { incidentId: p.incidentId, dedupKey: p.dedupKey, emits: p.emits },
          'incident page still not queued by the alerts module (is alerts.enabled off?)',
        );
    }
    emitPages(events, pages);
    total += pages.length;
    // Claimed rows were rescheduled, so a second query only sees rows not taken yet.
    if (pages.length < BATCH) return total;
  }
}

/** Subscribes to the alerts module's confirmations; returns the unsubscribe function. */
export function confirmPages(pool: Pool, events: EventBus, logger: Logger): () => void {
  return events.on('notification.enqueued', async ({ channel, dedupKey }) => {
    await confirmPage(pool, channel, dedupKey).catch((err: unknown) =>
      // Harmless beyond a re-emission later: the outbox ignores the duplicate.
      logger.warn({ err, dedupKey }, 'could not record that a page was queued'),
    );
  });
}
