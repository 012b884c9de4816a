// Silences (mute notifications of alerts whose labels match, until a time) and maintenance
// windows (recurring expected downtime, on a cron schedule). Both keep alerts visible and only
// quiet notifications. Devops and admins create and end them; readonly users only read.
import { api } from '../api.ts';
import { button, field, h, replace, table } from '../dom.ts';
import { dateTime, duration, toLocalInput } from '../format.ts';
import { can } from '../session.ts';
import type { Maintenance, Silence } from '../types.ts';
import { act, empty, section } from '../views.ts';

const matcherText = (s: Silence) => s.matchers.map((m) => `${m.name}${m.op}"${m.value}"`).join(', ');

function silenceForm(done: () => void): HTMLElement {
  const matchers = h('input', {
    type: 'text',
    name: 'matchers',
    required: true,
    placeholder: 'alertname="high_cpu", region=~"eu-.*"',
  });
  const comment = h('input', { type: 'text', name: 'comment', required: true });
  const ends = h('input', {
    type: 'datetime-local',
    name: 'ends',
    value: toLocalInput(new Date(Date.now() + 2 * 3600_000)),
    required: true,
  });
  const submit = h('button', { type: 'submit' }, 'Create silence');
  const el = h(
    'form',
    { class: 'card inline-form', 'aria-label': 'New silence' },
    h('h2', {}, 'New silence'),
    field('Matchers', matchers, 'comma-separated label matchers'),
    field('Comment', comment),
    field('Ends', ends),
    submit,
  );
  el.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const list = matchers.value
      .split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/) // commas outside quotes
      .map((m) => m.trim())
      .filter(Boolean);
    void act(
      submit,
      () =>
        api.createSilence({
          matchers: list,
          ends_at: new Date(ends.value).toISOString(),
          comment: comment.value.trim(),
        }),
      'Silence created',
    ).then((ok) => ok && done());
  });
  return el;
}

function maintenanceForm(done: () => void): HTMLElement {
  const name = h('input', { type: 'text', name: 'name', required: true, placeholder: 'db patching' });
  const cron = h('input', { type: 'text', name: 'cron', required: true, value: '0 2 * * sat' });
  const length = h('input', { type: 'text', name: 'duration', required: true, value: '4h' });
  const region = h('input', { type: 'text', name: 'region', placeholder: 'any' });
  const servers = h('input', { type: 'text', name: 'servers', placeholder: 'host names, comma-separated' });
  const submit = h('button', { type: 'submit' }, 'Create maintenance window');
  const el = h(
    'form',
    { class: 'card inline-form', 'aria-label': 'New maintenance window' },
    h('h2', {}, 'New maintenance window'),
    field('Name', name),
    field('Starts (cron)', cron, 'minute hour day month weekday, UTC'),
    field('Lasts', length, 'e.g. 30m, 4h'),
    field('Region', region),
    field('Servers', servers),
    submit,
  );
  el.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const hosts = servers.value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    void act(
      submit,
      () =>
        api.createMaintenance({
          name: name.value.trim(),
          cron: cron.value.trim(),
          duration: length.value.trim(),
          scope: {
            ...(region.value.trim() ? { region: region.value.trim() } : {}),
            ...(hosts.length ? { servers: hosts } : {}),
          },
        }),
      'Maintenance window created',
    ).then((ok) => ok && done());
  });
  return el;
}

function endButton(label: string, run: () => Promise<void>, done: string, after: () => void): HTMLElement {
  const b = button(label.split(' ')[0] ?? label, () => void act(b, run, done).then((ok) => ok && after()), {
    class: 'ghost',
    'aria-label': label,
  });
  return b;
}

export async function renderSilences(root: HTMLElement): Promise<void> {
  const list = h('section', { class: 'card', 'data-testid': 'silences' });
  const writable = can('silence.write');
  const load = (): Promise<void> =>
    section(list, 'silences', api.silences, (items) =>
      items.length === 0
        ? empty(
            'No active or upcoming silence.',
            writable ? 'Create one below, or from an alert.' : 'Devops and admin users create silences.',
          )
        : table('Silences', ['Matches', 'Comment', 'Starts', 'Ends', ''], items, (s) => [
            h('code', {}, matcherText(s)),
            s.comment,
            dateTime(s.starts_at),
            dateTime(s.ends_at),
            writable
              ? endButton(
                  `End silence ${s.id}`,
                  () => api.deleteSilence(s.id),
                  'Silence ended',
                  () => void load(),
                )
              : '',
          ]),
    );
  replace(root, h('h1', {}, 'Silences'), list, writable ? silenceForm(() => void load()) : null);
  await load();
}

function maintenanceScope(w: Maintenance): string {
  const parts = [
    w.scope_region ? `region ${w.scope_region}` : '',
    w.scope_server_ids.length ? `${w.scope_server_ids.length} server(s)` : '',
  ];
  return parts.filter(Boolean).join(', ') || 'every server';
}

export async function renderMaintenance(root: HTMLElement): Promise<void> {
  const list = h('section', { class: 'card', 'data-testid': 'maintenance' });
  const writable = can('maintenance.write');
  const load = (): Promise<void> =>
    section(list, 'maintenance windows', api.maintenance, (items) =>
      items.length === 0
        ? empty(
            'No maintenance window.',
            writable ? 'Create one below.' : 'Devops and admin users create them.',
          )
        : table('Maintenance windows', ['Name', 'Schedule', 'Scope', 'State', ''], items, (w) => [
            w.name,
            h(
              'code',
              {},
              `${w.cron} (${w.timezone}) for ${duration(new Date(0).toISOString(), new Date(w.duration_seconds * 1000).toISOString())}`,
            ),
            maintenanceScope(w),
            w.open_now ? 'open now' : w.enabled ? 'scheduled' : 'disabled',
            writable
              ? endButton(
                  `Delete maintenance window ${w.name}`,
                  () => api.deleteMaintenance(w.id),
                  'Maintenance window deleted',
                  () => void load(),
                )
              : '',
          ]),
    );
  replace(
    root,
    h('h1', {}, 'Maintenance windows'),
    list,
    writable ? maintenanceForm(() => void load()) : null,
  );
  await load();
}
