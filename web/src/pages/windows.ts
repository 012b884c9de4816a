// Silences (mute a rule or a server for a while) and maintenance windows (expected downtime:
// no alerts, no incidents). Creating and ending them is for the roles the API allows.
import { api } from '../api.ts';
import { button, field, h, replace, table } from '../dom.ts';
import { dateTime, toLocalInput } from '../format.ts';
import { can } from '../session.ts';
import type { Page } from '../types.ts';
import { act, empty, section } from '../views.ts';

interface Window {
  id: number;
  starts_at: string;
  ends_at: string;
  name?: string;
  comment?: string;
  reason?: string;
  region?: string | null;
  server_id?: number | null;
  rule_id?: number | null;
}

interface Kind {
  title: string;
  noun: string;
  right: string;
  list: () => Promise<Page<Window>>;
  create: (v: {
    text: string;
    starts: string;
    ends: string;
    region: string;
    server: string;
  }) => Promise<unknown>;
  remove: (id: number) => Promise<void>;
}

const KINDS: Record<'silences' | 'maintenance', Kind> = {
  silences: {
    title: 'Silences',
    noun: 'silence',
    right: 'silence.write',
    list: () => api.silences(),
    create: (v) =>
      api.createSilence({
        comment: v.text,
        starts_at: v.starts,
        ends_at: v.ends,
        ...(v.server ? { server_id: Number(v.server) } : {}),
      }),
    remove: (id) => api.deleteSilence(id),
  },
  maintenance: {
    title: 'Maintenance windows',
    noun: 'maintenance window',
    right: 'maintenance.write',
    list: () => api.maintenance(),
    create: (v) =>
      api.createMaintenance({
        name: v.text,
        starts_at: v.starts,
        ends_at: v.ends,
        ...(v.region ? { region: v.region } : {}),
        ...(v.server ? { server_id: Number(v.server) } : {}),
      }),
    remove: (id) => api.deleteMaintenance(id),
  },
};

function form(kind: Kind, done: () => void): HTMLElement {
  const now = new Date();
  const text = h('input', { type: 'text', name: 'text', required: true });
  const starts = h('input', {
    type: 'datetime-local',
    name: 'starts',
    value: toLocalInput(now),
    required: true,
  });
  const ends = h('input', {
    type: 'datetime-local',
    name: 'ends',
    value: toLocalInput(new Date(now.getTime() + 2 * 3600_000)),
    required: true,
  });
  const region = h('input', { type: 'text', name: 'region', placeholder: 'any' });
  const server = h('input', { type: 'number', name: 'server', min: 1, placeholder: 'any' });
  const submit = h('button', { type: 'submit' }, `Create ${kind.noun}`);
  const el = h(
    'form',
    { class: 'card inline-form', 'aria-label': `New ${kind.noun}` },
    h('h2', {}, `New ${kind.noun}`),
    field(kind === KINDS.silences ? 'Comment' : 'Name', text),
    field('Starts', starts),
    field('Ends', ends),
    kind === KINDS.maintenance ? field('Region', region) : null,
    field('Server id', server),
    submit,
  );
  el.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const v = {
      text: text.value.trim(),
      starts: new Date(starts.value).toISOString(),
      ends: new Date(ends.value).toISOString(),
      region: region.value.trim(),
      server: server.value,
    };
    void act(submit, () => kind.create(v), `${kind.noun} created`).then((ok) => ok && done());
  });
  return el;
}

export function windowsPage(which: 'silences' | 'maintenance') {
  const kind = KINDS[which];
  return async (root: HTMLElement): Promise<void> => {
    const list = h('section', { class: 'card', 'data-testid': which });
    const writable = can(kind.right);
    const load = () =>
      section(list, kind.title.toLowerCase(), kind.list, (p) =>
        p.items.length === 0
          ? empty(
              `No ${kind.noun}s.`,
              writable ? 'Create one below.' : `Ask a devops or admin user to create a ${kind.noun}.`,
            )
          : table(kind.title, ['What', 'Scope', 'Starts', 'Ends', ''], p.items, (w) => {
              const end = button(
                'End now',
                () =>
                  void act(end, () => kind.remove(w.id), `${kind.noun} ended`).then(
                    (ok) => ok && void load(),
                  ),
                { class: 'ghost', 'aria-label': `End ${kind.noun} ${w.id}` },
              );
              return [
                w.name ?? w.comment ?? w.reason ?? '',
                [
                  w.region ? `region ${w.region}` : '',
                  w.server_id ? `server ${w.server_id}` : '',
                  w.rule_id ? `rule ${w.rule_id}` : '',
                ]
                  .filter(Boolean)
                  .join(', ') || 'everything',
                dateTime(w.starts_at),
                dateTime(w.ends_at),
                writable ? end : '',
              ];
            }),
      );
    replace(root, h('h1', {}, kind.title), list, writable ? form(kind, () => void load()) : null);
    await load();
  };
}
