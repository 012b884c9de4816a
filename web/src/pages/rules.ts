// Alert rules: everyone may read them; only admins create, enable/disable or delete.
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
  const forS = h('input', { type: 'number', name: 'for_seconds', min: 0, value: '300' });
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
    field('For (seconds)', forS),
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
          operator,
          threshold: Number(threshold.value),
          for_seconds: Number(forS.value),
          severity,
        }),
      'Rule created',
    ).then((ok) => ok && done());
  });
  return form;
}

function row(r: Rule, refresh: () => void): Node[] {
  const cells: Node[] = [
    h('span', {}, r.name),
    h('code', {}, `${r.metric} ${r.operator} ${r.threshold}${r.for_seconds ? ` for ${r.for_seconds}s` : ''}`),
    badge(r.severity, r.severity === 'critical' ? 'bad' : r.severity === 'warning' ? 'warn' : 'info'),
    h('span', {}, r.scope_region ?? 'all'),
  ];
  if (!can('rule.write'))
    return [...cells, badge(r.enabled ? 'enabled' : 'disabled', r.enabled ? 'ok' : 'muted')];
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
  const del = button(
    'Delete',
    () => {
      if (!confirm(`Delete rule "${r.name}" and its alert history?`)) return;
      void act(del, () => api.deleteRule(r.id), 'Rule deleted').then((ok) => ok && refresh());
    },
    { class: 'danger', 'aria-label': `Delete rule ${r.name}` },
  );
  return [
    ...cells,
    h(
      'span',
      { class: 'actions' },
      badge(r.enabled ? 'enabled' : 'disabled', r.enabled ? 'ok' : 'muted'),
      toggle,
      del,
    ),
  ];
}

export async function renderRules(root: HTMLElement): Promise<void> {
  const list = h('section', { class: 'card', 'data-testid': 'rules' });
  const load = () =>
    section(
      list,
      'rules',
      () => api.rules(),
      (p) =>
        p.items.length === 0
          ? empty('No alert rules yet.', can('rule.write') ? 'Create one below.' : 'An admin creates rules.')
          : table(
              'Alert rules',
              ['Name', 'Condition', 'Severity', 'Scope', can('rule.write') ? 'Actions' : 'State'],
              p.items,
              (r) => row(r, () => void load()),
            ),
    );
  replace(root, h('h1', {}, 'Alert rules'), list, can('rule.write') ? createForm(() => void load()) : null);
  await load();
}
