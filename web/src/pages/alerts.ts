// Alerts: what is firing now and what resolved recently. Devops and admins acknowledge an alert
// or silence its rule on that server; readonly users see the same list without those buttons.
import { api } from '../api.ts';
import { badge, button, field, h, link, replace, select, table } from '../dom.ts';
import { dateTime, duration, num } from '../format.ts';
import { type Route, setQuery } from '../router.ts';
import { can } from '../session.ts';
import type { Alert } from '../types.ts';
import { act, empty, section } from '../views.ts';

const STATES: [string, string][] = [
  ['firing', 'Firing'],
  ['resolved', 'Resolved'],
];

function silenceForm(a: Alert, done: () => void): HTMLElement {
  const hours = select(
    'hours',
    [
      ['1', '1 hour'],
      ['4', '4 hours'],
      ['24', '1 day'],
      ['168', '1 week'],
    ],
    '4',
    () => undefined,
  );
  const comment = h('input', { type: 'text', name: 'comment', required: true, placeholder: 'why' });
  const submit = h('button', { type: 'submit' }, 'Create silence');
  const form = h(
    'form',
    {
      class: 'inline-form',
      'aria-label': `Silence ${a.rule_name ?? 'alert'} on ${a.hostname ?? a.server_id}`,
    },
    field('Silence for', hours),
    field('Comment', comment),
    submit,
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const ends = new Date(Date.now() + Number(hours.value) * 3600_000).toISOString();
    void act(
      submit,
      () =>
        api.createSilence({
          rule_id: a.rule_id,
          server_id: a.server_id,
          ends_at: ends,
          comment: comment.value,
        }),
      'Silence created',
    ).then((ok) => ok && done());
  });
  return form;
}

function actions(a: Alert, refresh: () => void): Node[] {
  const out: Node[] = [];
  if (a.state !== 'resolved' && can('alert.acknowledge')) {
    if (a.acknowledged_at) out.push(badge('acknowledged', 'ok'));
    else {
      const ack = button(
        'Acknowledge',
        () =>
          void act(ack, () => api.acknowledgeAlert(a.id), 'Alert acknowledged').then((ok) => ok && refresh()),
        {
          'aria-label': `Acknowledge alert ${a.id}`,
          'data-action': 'ack',
        },
      );
      out.push(ack);
    }
  } else if (a.acknowledged_at) out.push(badge('acknowledged', 'ok'));
  if (a.state !== 'resolved' && can('silence.write')) {
    const cell = h('span', {});
    const open = button('Silence…', () => replace(cell, silenceForm(a, refresh)), {
      class: 'ghost',
      'aria-label': `Silence alert ${a.id}`,
    });
    cell.append(open);
    out.push(cell);
  }
  return out;
}

export async function renderAlerts(root: HTMLElement, route: Route): Promise<void> {
  let state = route.query.get('state') === 'resolved' ? 'resolved' : 'firing';
  const list = h('section', { class: 'card', 'data-testid': 'alerts' });
  const tabs = h(
    'div',
    { class: 'segmented', role: 'toolbar', 'aria-label': 'Alert state' },
    STATES.map(([v, l]) =>
      button(l, () => ((state = v), setQuery({ state: v === 'firing' ? undefined : v }), void load()), {
        class: 'seg',
        'data-state': v,
      }),
    ),
  );
  replace(root, h('h1', {}, 'Alerts'), tabs, list);

  async function load(): Promise<void> {
    for (const b of tabs.querySelectorAll('button'))
      b.setAttribute('aria-pressed', String(b.dataset.state === state));
    await section(
      list,
      `${state} alerts`,
      () => api.alerts({ state, limit: 200 }),
      (p) =>
        p.items.length === 0
          ? empty(
              state === 'firing' ? 'Nothing is firing. All quiet.' : 'No resolved alerts yet.',
              'Rules are on the Rules page.',
            )
          : table(
              `${state} alerts`,
              ['Severity', 'Alert', 'Server', 'Value', 'Since', 'For', 'Incident', ''],
              p.items,
              (a) => [
                badge(
                  a.severity,
                  a.severity === 'critical' ? 'bad' : a.severity === 'warning' ? 'warn' : 'info',
                ),
                a.rule_name ?? `rule ${a.rule_id}`,
                link(`#/servers/${a.server_id}`, a.hostname ?? `server ${a.server_id}`),
                num(a.last_value ?? a.peak_value, 1),
                dateTime(a.fired_at ?? a.started_at),
                duration(a.fired_at ?? a.started_at, a.resolved_at),
                a.incident_id ? link(`#/incidents/${a.incident_id}`, `#${a.incident_id}`) : '',
                h(
                  'span',
                  { class: 'actions' },
                  actions(a, () => void load()),
                ),
              ],
            ),
    );
  }
  await load();
}
