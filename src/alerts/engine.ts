// Runs the rules: after each committed ingest batch for the servers it touched (coalesced, so a
// burst of batches costs one pass), and on a timer for every server (for / clear / no-data
// timing). One set-based read per rule and batch of servers, decisions in TypeScript, bulk writes
// in the same transaction under a per-rule advisory lock so two processes cannot double-write.
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.ts';
import type { EventBus } from '../core/events.ts';
import { withTransaction } from '../db/transaction.ts';
import type { Pool } from '../db/pool.ts';
import { decide } from './evaluate.ts';
import {
  type ChangedAlert,
  type EpisodeInsert,
  type EpisodeUpdate,
  evaluationRows,
  insertEpisodes,
  listRules,
  lockRule,
  resolveDisabledRuleEpisodes,
  updateEpisodes,
} from './queries.ts';
import type { Rule } from './types.ts';

export interface EvaluationReport {
  rules: number;
  servers: number | 'all';
  changes: number;
  ms: number;
}

export interface EngineOptions {
  pool: Pool;
  clock: Clock;
  events: EventBus;
  logger: Logger;
  concurrency: number;
  /** Called after an evaluation that changed alerts (the notifier wakes up). */
  onChanges?: () => void;
  onReport?: (r: EvaluationReport) => void;
}

async function mapLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export class AlertEngine {
  private queued = new Set<number>();
  private queuedAll = false;
  private draining: Promise<void> | null = null;

  constructor(private readonly o: EngineOptions) {}

  /** Ingest committed rows for these servers: evaluate them soon (coalesced with other batches). */
  enqueue(serverIds: number[] | null): void {
    if (serverIds === null) this.queuedAll = true;
    else for (const id of serverIds) this.queued.add(id);
    this.draining ??= this.drain().finally(() => {
      this.draining = null;
    });
  }

  /** Resolves when everything queued so far has been evaluated. */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private async drain(): Promise<void> {
    while (this.queuedAll || this.queued.size > 0) {
      const ids = this.queuedAll ? null : [...this.queued];
      this.queuedAll = false;
      this.queued = new Set();
      try {
        await this.evaluate(ids);
      } catch (e) {
        // The next batch or timer run evaluates again; state is in the database.
        this.o.logger.error({ err: e }, 'alert evaluation failed');
      }
    }
  }

  /** Evaluates every enabled rule for these servers (all servers when null). */
  async evaluate(serverIds: number[] | null): Promise<EvaluationReport> {
    const t0 = performance.now();
    const now = this.o.clock.now();
    const rules = await listRules(this.o.pool, { enabledOnly: true });
    let changes = 0;
    if (serverIds === null) {
      const ended = await resolveDisabledRuleEpisodes(this.o.pool, now);
      for (const a of ended) this.emit(a.rule_id, a);
      changes += ended.length;
    }
    if (serverIds === null || serverIds.length > 0) {
      await mapLimit(rules, this.o.concurrency, async (rule) => {
        try {
          // Read the counter only after the await: workers run interleaved.
          const n = await this.evaluateRule(rule, serverIds, now);
          changes += n;
        } catch (e) {
          this.o.logger.error({ err: e, ruleId: rule.id }, 'rule evaluation failed');
        }
      });
    }
    if (changes > 0) this.o.onChanges?.();
    const report = {
      rules: rules.length,
      servers: serverIds?.length ?? 'all',
      changes,
      ms: performance.now() - t0,
    } as const;
    this.o.onReport?.(report);
    return report;
  }

  private async evaluateRule(rule: Rule, serverIds: number[] | null, now: Date): Promise<number> {
    const changed = await withTransaction(this.o.pool, async (c) => {
      await lockRule(c, rule.id);
      const rows = await evaluationRows(c, rule, serverIds, now);
      const inserts: EpisodeInsert[] = [];
      const updates: EpisodeUpdate[] = [];
      for (const row of rows) {
        const d = decide(rule, row, now);
        if (d && 'insert' in d) inserts.push(d.insert);
        else if (d) updates.push(d.update);
      }
      return [...(await insertEpisodes(c, rule, inserts, now)), ...(await updateEpisodes(c, updates, now))];
    });
    for (const a of changed) this.emit(rule.id, a);
    return changed.length;
  }

  private emit(ruleId: number, a: ChangedAlert): void {
    this.o.events.emit('alert.changed', { alertId: a.id, ruleId, serverId: a.server_id, state: a.state });
  }
}
