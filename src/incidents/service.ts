// The incidents module at run time: what happens after a commit (events, escalation kicks) and
// the reaction to 'alert.changed'. Escalation runs are chained in this process so the job and
// the kicks after an API call never overlap here; across processes SKIP LOCKED keeps them apart.
import type { ModuleContext } from '../module.ts';
import { escalateDue, type EscalationResult } from './escalation.ts';
import { type AlertOutcome, handleAlert } from './grouping.ts';
import { unlinkedFiringAlerts } from './queries.ts';

export class IncidentService {
  private chain: Promise<unknown> = Promise.resolve();
  private readonly inflight = new Set<Promise<unknown>>();
  private stopped = false;

  constructor(readonly ctx: ModuleContext) {}

  /** After a committed change: tell other modules, and page at once when escalation is due. */
  changed(incident: { id: number; status: string; next_escalation_at?: Date | null }): void {
    this.ctx.events.emit('incident.changed', { incidentId: incident.id, status: incident.status });
    const due = incident.next_escalation_at;
    if (due && due.getTime() <= this.ctx.clock.now().getTime()) this.track(this.escalate());
  }

  /** Advances every due escalation; chained behind any run already going in this process. */
  escalate(): Promise<EscalationResult> {
    const run = this.chain.then(async () => {
      if (this.stopped) return { advanced: [], notifications: [] };
      const result = await escalateDue(this.ctx.pool, this.ctx.clock.now(), { baseUrl: this.ctx.baseUrl() });
      for (const n of result.notifications) {
        this.ctx.events.emit('notification.requested', { ...n, source: 'incident' });
      }
      for (const a of result.advanced) {
        this.ctx.logger.info(
          { incidentId: a.incidentId, job: 'incident-escalation' },
          'incident escalation advanced',
        );
        this.ctx.events.emit('incident.changed', a);
      }
      return result;
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  async onAlert(alertId: number): Promise<AlertOutcome> {
    const c = this.ctx.config.incidents;
    const outcome = await handleAlert(this.ctx.pool, alertId, this.ctx.clock.now(), {
      autoOpen: c.auto_open,
      severities: c.auto_open_severities,
      windowMs: c.group_window,
      autoResolve: c.auto_resolve,
    });
    if (outcome.kind !== 'ignored') {
      this.ctx.logger.info(
        { alertId, incidentId: outcome.incident.id, outcome: outcome.kind },
        'alert → incident',
      );
      this.changed(outcome.incident);
    }
    return outcome;
  }

  /** Firing alerts whose event was missed (restart, another process): link them now. */
  async sweepAlerts(): Promise<number> {
    const ids = await unlinkedFiringAlerts(
      this.ctx.pool,
      this.ctx.config.incidents.auto_open_severities,
      500,
    );
    let linked = 0;
    for (const id of ids) if ((await this.onAlert(id)).kind !== 'ignored') linked += 1;
    return linked;
  }

  /** Keeps a background promise until it settles, so stop() can wait for it. */
  track<T>(p: Promise<T>): void {
    const tracked = p.catch((e: unknown) =>
      this.ctx.logger.error({ err: e }, 'incident background work failed'),
    );
    this.inflight.add(tracked);
    void tracked.finally(() => this.inflight.delete(tracked));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([...this.inflight, this.chain]);
  }
}
