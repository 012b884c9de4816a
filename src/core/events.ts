// In-process events between modules. They are hints to act sooner (evaluate alerts, score
// anomalies), never the only record: every state they describe is already committed in
// PostgreSQL, so a restart that loses an event loses nothing.
import { EventEmitter } from 'node:events';

export interface VigilEvents {
  /** server_metrics rows for these servers were committed; maxTs is the newest sample ts. */
  'metrics.committed': { serverIds: number[]; maxTs: Date };
  /** error_logs rows were committed. */
  'logs.committed': { serverIds: number[] };
  /** an alert episode changed state (pending, firing, resolved). */
  'alert.changed': {
    alertId: number;
    ruleId: number;
    serverId: number;
    state: 'pending' | 'firing' | 'resolved';
  };
  /** detectors wrote anomalies for these servers. */
  'anomaly.detected': { serverIds: number[] };
  /** an incident changed (opened, acknowledged, escalated, resolved …). */
  'incident.changed': { incidentId: number; status: string };
  /**
   * Somebody outside the alerts module (incident escalation) wants a message sent through a
   * notification channel by name. The alerts module owns channels and delivery (outbox, retries,
   * dead letters) and subscribes to this.
   */
  'notification.requested': {
    channel: string;
    title: string;
    text: string;
    severity: 'critical' | 'warning' | 'info';
    /** Same key, same message: delivery is idempotent per key. */
    dedupKey: string;
    source: 'incident' | 'alert';
    incidentId?: number;
  };
}

export class EventBus {
  private readonly emitter = new EventEmitter({ captureRejections: true });
  constructor() {
    this.emitter.setMaxListeners(50);
  }
  on<K extends keyof VigilEvents>(
    event: K,
    listener: (payload: VigilEvents[K]) => void | Promise<void>,
  ): () => void {
    const wrapped = (p: VigilEvents[K]) => {
      // A listener's failure must not break the emitter (ingest) or other listeners.
      Promise.resolve()
        .then(() => listener(p))
        .catch((e: unknown) => this.emitter.emit('listener-error', { event, error: e }));
    };
    this.emitter.on(event, wrapped);
    return () => this.emitter.off(event, wrapped);
  }
  emit<K extends keyof VigilEvents>(event: K, payload: VigilEvents[K]): void {
    this.emitter.emit(event, payload);
  }
  onListenerError(fn: (e: { event: string; error: unknown }) => void): void {
    this.emitter.on('listener-error', fn);
  }
}
