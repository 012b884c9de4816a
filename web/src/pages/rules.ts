// Alert rules: everyone may read them; only admins create them or switch them on and off.
// (Deleting and full editing are in the CLI and the YAML apply: the API has no DELETE route.)
import { api } from '../api.ts';
import { badge, button, field, h, replace, select, table } from '../dom.ts';
import { can } from '../session.ts';
import type { Rule } from '../types.ts';
import { act, empty, section } from '../views.ts';

const METRICS = [
  'cpu_usage',
  'memory_usage',
  'disk_usage',
  'load_1',
  'load_5',
  'load_15',
  'network_in_bytes',
  'network_out_bytes',
];

function createForm(done: () => void): HTMLElement {
  const name = h('input', { type: 'text', name: 'name', required: true, placeholder: 'High CPU' });
  let metric = 'cpu_usage';
  let operator = '>';
  let severity = 'warning';
  const threshold = h('input', {
    type: 'number',
    name: 'threshold',
    required: true,
    step: 'any',
    value: '90',
  });
  const forS = h('input', { type: 'text', name: 'for', value: '5m', pattern: '[0-9]+[smhd]?' });
  const win = h('input', { type: 'text', name: 'window', value: '5m', pattern: '[0-9]+[smhd]?' });
  const submit = h('button', { type: 'submit' }, 'Create rule');
  const form = h(
    'form',
    { class: 'card inline-form', 'aria-label': 'New rule' },
    h('h2', {}, 'New rule'),
    field('Name', name),
    field(
      'Metric',
      select(
        'metric',
        METRICS.map((m) => [m, m]),
        metric,
        (v) => (metric = v),
      ),
    ),
    field(
      'Operator',
      select(
        'operator',
        ['>', '>=', '<', '<='].map((o) => [o, o]),
        operator,
        (v) => (operator = v),
      ),
    ),
    field('Threshold', threshold),
    field('Average over', win, 'e.g. 1m, 5m'),
    field('For', forS, 'how long before it fires'),
    field(
      'Severity',
      select(
        'severity',
        [
          ['critical', 'critical'],
          ['warning', 'warning'],
          ['info', 'info'],
        ],
        severity,
        (v) => (severity = v),
      ),
    ),
    submit,
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void act(
      submit,
      () =>
        api.createRule({
          name: name.value.trim(),
          enabled: true,
          metric,
          aggregation: 'avg',
          window: win.value.trim() || '5m',
          operator,
          threshold: Number(threshold.value),
          for: forS.value.trim() || '0',
          severity,
        }),
      'Rule created',
    ).then((ok) => ok && done());
  });
  return form;
}

function condition(r: Rule): string {
  const what =
    r.source === 'anomaly'
      ? 'anomaly score'
      : `${r.aggregation ?? 'avg'}(${r.metric ?? '?'}) over ${String(r.window ?? '')}`;
  const hold = r.for && r.for !== '0s' && r.for !== 0 ? ` for ${String(r.for)}` : '';
  return `${what} ${r.operator} ${r.threshold}${hold}`;
}

function scope(r: Rule): string {
  const s = r.scope ?? {};
  const parts = [
    s.region ? `region ${s.region}` : '',
    s.server ? `server ${s.server}` : '',
    ...Object.entries(s.labels ?? {}).map(([k, v]) => `${k}=${v}`),
  ];
  return parts.filter(Boolean).join(', ') || 'all servers';
}

function row(r: Rule, refresh: () => void): Node[] {
  const cells: Node[] = [
    h('span', {}, r.name),
    h('code', {}, condition(r)),
    badge(r.severity, r.severity === 'critical' ? 'bad' : r.severity === 'warning' ? 'warn' : 'info'),
    h('span', {}, scope(r)),
  ];
  const state = badge(r.enabled ? 'enabled' : 'disabled', r.enabled ? 'ok' : 'muted');
  if (!can('rule.write')) return [...cells, state];
  const toggle = button(
    r.enabled ? 'Disable' : 'Enable',
    () =>
      void act(
        toggle,
        () => api.setRuleEnabled(r.id, !r.enabled),
        r.enabled ? 'Rule disabled' : 'Rule enabled',
      ).then((ok) => ok && refresh()),
    { 'aria-label': `${r.enabled ? 'Disable' : 'Enable'} rule ${r.name}` },
  );
  return [...cells, h('span', { class: 'actions' }, state, toggle)];
}

export async function renderRules(root: HTMLElement): Promise<void> {
  const list = h('section', { class: 'card', 'data-testid': 'rules' });
  const load = () =>
    section(
      list,
      'rules',
      () => api.rules(),
      (items) =>
        items.length === 0
          ? empty('No alert rules yet.', can('rule.write') ? 'Create one below.' : 'An admin creates rules.')
          : table(
              'Alert rules',
              ['Name', 'Condition', 'Severity', 'Scope', can('rule.write') ? 'Actions' : 'State'],
              items,
              (r) => row(r, () => void load()),
            ),
    );
  replace(root, h('h1', {}, 'Alert rules'), list, can('rule.write') ? createForm(() => void load()) : null);
  await load();
}
