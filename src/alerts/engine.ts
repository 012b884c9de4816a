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
import { listRules } from './queries-rules.ts';
import {
  type ChangedAlert,
  type EpisodeInsert,
  type EpisodeUpdate,
  evaluationRows,
  groupEvaluationRows,
  insertEpisodes,
  lockRule,
  lockRules,
  openEpisodes,
  resolveDisabledRuleEpisodes,
  updateEpisodes,
} from './queries.ts';
import type { Rule } from './types.ts';

/** Rules sharing one scan per batch at most: bigger groups are split so they run in parallel. */
const GROUP_SIZE = 16;

function inScope(rule: Rule, serverId: number, region: string, labels: Record<string, unknown>): boolean {
  if (rule.scope_region !== null && region !== rule.scope_region) return false;
  if (rule.scope_server_id !== null && serverId !== rule.scope_server_id) return false;
  return Object.entries(rule.scope_labels).every(([k, v]) => labels[k] === v);
}

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
      // server_metrics rules without no-data share one scan per window; the rest run alone.
      const byWindow = new Map<number, Rule[]>();
      const tasks: (() => Promise<number>)[] = [];
      for (const rule of rules) {
        if (rule.metric_source === 'server_metrics' && rule.no_data_seconds === null) {
          byWindow.set(rule.window_seconds, [...(byWindow.get(rule.window_seconds) ?? []), rule]);
        } else tasks.push(() => this.evaluateRule(rule, serverIds, now));
      }
      for (const [window, group] of byWindow) {
        for (let i = 0; i < group.length; i += GROUP_SIZE) {
          const part = group.slice(i, i + GROUP_SIZE);
          tasks.push(() => this.evaluateGroup(part, window, serverIds, now));
        }
      }
      await mapLimit(tasks, this.o.concurrency, async (task) => {
        try {
          // Read the counter only after the await: workers run interleaved.
          const n = await task();
          changes += n;
        } catch (e) {
          this.o.logger.error({ err: e }, 'rule evaluation failed');
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

  /** Several rules with one window: one scan, then each rule's decisions, in one transaction. */
  private async evaluateGroup(
    rules: Rule[],
    window: number,
    serverIds: number[] | null,
    now: Date,
  ): Promise<number> {
    const changed = await withTransaction(this.o.pool, async (c) => {
      const ids = rules.map((r) => r.id);
      await lockRules(c, ids);
      const { rows, valueAlias } = await groupEvaluationRows(c, rules, window, serverIds, now);
      const open = new Map(
        (await openEpisodes(c, ids, serverIds)).map((e) => [`${e.rule_id}:${e.server_id}`, e]),
      );
      const out: { ruleId: number; alert: ChangedAlert }[] = [];
      for (const [k, rule] of rules.entries()) {
        const inserts: EpisodeInsert[] = [];
        const updates: EpisodeUpdate[] = [];
        for (const row of rows) {
          if (!inScope(rule, row.server_id, row.region, row.labels)) continue;
          const ep = open.get(`${rule.id}:${row.server_id}`);
          const d = decide(
            rule,
            {
              server_id: row.server_id,
              value: (row[valueAlias[k] as string] as number | null) ?? null,
              n: (row[`n_${rule.metric}`] as number | null) ?? 0,
              has_recent: null,
              first_seen_at: row.first_seen_at,
              alert_id: ep?.alert_id ?? null,
              state: ep?.state ?? null,
              reason: ep?.reason ?? null,
              started_at: ep?.started_at ?? null,
              fired_at: ep?.fired_at ?? null,
              clearing_since: ep?.clearing_since ?? null,
              peak_value: ep?.peak_value ?? null,
              last_value: ep?.last_value ?? null,
            },
            now,
          );
          if (d && 'insert' in d) inserts.push(d.insert);
          else if (d) updates.push(d.update);
        }
        const done = [
          ...(await insertEpisodes(c, rule, inserts, now)),
          ...(await updateEpisodes(c, updates, now)),
        ];
        for (const alert of done) out.push({ ruleId: rule.id, alert });
      }
      return out;
    });
    for (const { ruleId, alert } of changed) this.emit(ruleId, alert);
    return changed.length;
  }

  private emit(ruleId: number, a: ChangedAlert): void {
    this.o.events.emit('alert.changed', { alertId: a.id, ruleId, serverId: a.server_id, state: a.state });
  }
}
