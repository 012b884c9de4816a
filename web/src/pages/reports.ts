// Reports: fleet summaries over a period from the daily rollups (availability, resource use,
// alert counts). The table adapts to the columns the report returns.
import { api } from '../api.ts';
import { field, h, replace, select, table } from '../dom.ts';
import { toLocalInput } from '../format.ts';
import { type Route, setQuery } from '../router.ts';
import { empty, section } from '../views.ts';

const KINDS: [string, string][] = [
  ['summary', 'Fleet summary'],
  ['availability', 'Availability'],
  ['capacity', 'Capacity'],
  ['alerts', 'Alerts'],
];

function cell(v: unknown): string {
  if (v === null || v === undefined) return '–';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(2);
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Any report shape: a list of rows, { rows | items }, or one object of totals. */
export function reportView(data: unknown): Node {
  const o = data as Record<string, unknown> | unknown[] | null;
  const rows = Array.isArray(o)
    ? o
    : Array.isArray(o?.rows)
      ? o.rows
      : Array.isArray(o?.items)
        ? o.items
        : null;
  if (rows) {
    if (rows.length === 0) return empty('The report has no rows for this period.', 'Pick a longer period.');
    const cols = Object.keys(rows[0] as object);
    return table(
      'Report',
      cols.map((c) => c.replace(/_/g, ' ')),
      rows as Record<string, unknown>[],
      (r) => cols.map((c) => cell(r[c])),
    );
  }
  if (o && typeof o === 'object') {
    return h(
      'dl',
      { class: 'totals' },
      Object.entries(o).flatMap(([k, v]) => [h('dt', {}, k.replace(/_/g, ' ')), h('dd', {}, cell(v))]),
    );
  }
  return empty('The report is empty.');
}

export async function renderReports(root: HTMLElement, route: Route): Promise<void> {
  let kind = route.query.get('kind') ?? 'summary';
  const to = new Date();
  const from = new Date(to.getTime() - 7 * 86_400_000);
  const fromIn = h('input', { type: 'datetime-local', name: 'from', value: toLocalInput(from) });
  const toIn = h('input', { type: 'datetime-local', name: 'to', value: toLocalInput(to) });
  const out = h('section', { class: 'card', 'data-testid': 'report' });
  const form = h(
    'form',
    { class: 'filters', 'aria-label': 'Report' },
    field(
      'Report',
      select('kind', KINDS, kind, (v) => (kind = v)),
    ),
    field('From', fromIn),
    field('To', toIn),
    h('button', { type: 'submit' }, 'Run report'),
  );
  const run = () => {
    setQuery({ kind });
    return section(
      out,
      'the report',
      () => api.report(kind, new Date(fromIn.value).toISOString(), new Date(toIn.value).toISOString()),
      reportView,
    );
  };
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void run();
  });
  replace(root, h('h1', {}, 'Reports'), form, out);
  await run();
}
