// The alert state machine for one (rule, server) at one evaluation, as a pure function of the
// aggregated value, the open episode and the time. The engine feeds it rows from one set-based
// query per rule and writes the decisions back in bulk.
//
//   (none) --value crosses threshold--> pending --for elapsed--> firing
//   pending --value back (or no data)--> resolved (never fired; kept as a record)
//   firing --value past clear_threshold for keep_firing_for--> resolved
//   (none) --no sample for no_data--> firing (reason no_data) --data again--> resolved
//
// A firing alert whose server sends nothing keeps firing with its last value: silence from a
// host is not recovery (that is what no_data rules are for).
import { compare, worse } from './compare.ts';
import type { EpisodeInsert, EpisodeUpdate, EvalRow } from './queries.ts';
import type { AlertState, Rule, StateChange } from './types.ts';

export type Decision = { insert: EpisodeInsert } | { update: EpisodeUpdate } | null;

function change(
  now: Date,
  from: AlertState | null,
  to: AlertState,
  value: number | null,
  note?: string,
): string {
  const c: StateChange = { at: now.toISOString(), from, to, value, ...(note ? { note } : {}) };
  return JSON.stringify(c);
}

export function decide(rule: Rule, row: EvalRow, now: Date): Decision {
  const t = now.getTime();
  const enough = rule.metric_source === 'anomaly' ? row.n >= (rule.for_points ?? 1) : row.n > 0;
  const v = enough && row.value !== null ? row.value : null;
  const noData =
    rule.no_data_seconds !== null &&
    row.has_recent === false &&
    row.first_seen_at.getTime() <= t - rule.no_data_seconds * 1000;
  const crossed = v !== null && compare(v, rule.operator, rule.threshold);

  if (row.alert_id === null) {
    if (noData) {
      const note = `no sample for ${rule.no_data_seconds}s`;
      return {
        insert: {
          server_id: row.server_id,
          state: 'firing',
          reason: 'no_data',
          value: null,
          change: change(now, null, 'firing', null, note),
        },
      };
    }
    if (!crossed) return null;
    const state = rule.for_seconds === 0 ? 'firing' : 'pending';
    return {
      insert: {
        server_id: row.server_id,
        state,
        reason: 'threshold',
        value: v,
        change: change(now, null, state, v),
      },
    };
  }

  const open = {
    id: row.alert_id,
    state: row.state as AlertState,
    fired_at: row.fired_at,
    resolved_at: null as Date | null,
    peak: row.peak_value,
    last: row.last_value,
    clearing_since: row.clearing_since,
    change: null as string | null,
  };
  const resolve = (note: string): Decision => ({
    update: {
      ...open,
      state: 'resolved',
      resolved_at: now,
      last: v ?? open.last,
      change: change(now, open.state, 'resolved', v, note),
    },
  });

  if (row.reason === 'no_data') return noData ? null : resolve('data arrived again');

  if (row.state === 'pending') {
    if (!crossed) return resolve(v === null ? 'no data before for elapsed' : 'cleared before for elapsed');
    const peak = worse(rule.operator, open.peak, v);
    if (t - (row.started_at as Date).getTime() >= rule.for_seconds * 1000) {
      return {
        update: {
          ...open,
          state: 'firing',
          fired_at: now,
          peak,
          last: v,
          change: change(now, 'pending', 'firing', v),
        },
      };
    }
    return v === open.last ? null : { update: { ...open, peak, last: v } };
  }

  // firing
  if (v === null) return null;
  const stillBad = compare(v, rule.operator, rule.clear_threshold ?? rule.threshold);
  const peak = worse(rule.operator, open.peak, v);
  if (stillBad) {
    if (v === open.last && open.clearing_since === null) return null;
    return { update: { ...open, peak, last: v, clearing_since: null } };
  }
  if (rule.keep_firing_for_seconds === 0) return resolve('value back past the clear threshold');
  const since = open.clearing_since ?? now;
  if (t - since.getTime() >= rule.keep_firing_for_seconds * 1000) {
    return resolve(`value back past the clear threshold for ${rule.keep_firing_for_seconds}s`);
  }
  if (v === open.last && open.clearing_since !== null) return null;
  return { update: { ...open, peak, last: v, clearing_since: since } };
}
