// The dashboard's only way to the server: typed calls to Vigil's public /api/v1. The session
// cookie authenticates (sent by the browser, invisible to scripts); every call also sends the
// CSRF header the server requires on cookie-authenticated writes. docs/dashboard.md lists the
// endpoints each page uses; their shapes are in types.ts.
import type * as T from './types.ts';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

let onUnauthenticated: () => void = () => undefined;
export function whenSignedOut(fn: () => void): void {
  onUnauthenticated = fn;
}

type Query = Record<string, string | number | boolean | null | undefined>;

function qs(query: Query = {}): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query))
    if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

async function call<R>(method: string, path: string, body?: unknown, query?: Query): Promise<R> {
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}${qs(query)}`, {
      method,
      credentials: 'same-origin',
      headers: {
        accept: 'application/json',
        'x-vigil-csrf': '1',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'NETWORK', 'Vigil is unreachable: check that the server is running.');
  }
  if (res.status === 204) return undefined as R;
  const data: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const err = (data as { error?: { code?: string; message?: string } } | null)?.error;
    if (res.status === 401 && path !== '/session') onUnauthenticated();
    throw new ApiError(res.status, err?.code ?? `HTTP_${res.status}`, err?.message ?? res.statusText);
  }
  return data as R;
}

const get = <R>(path: string, query?: Query) => call<R>('GET', path, undefined, query);
const iso = (d: Date) => d.toISOString();

export const api = {
  signIn: (token: string) => call<T.Me>('POST', '/session', { token }),
  signOut: () => call<void>('DELETE', '/session'),
  me: () => call<T.Me>('GET', '/me'),

  fleetOverview: () => get<T.FleetOverview>('/fleet/overview'),
  /** Per-region hourly points (the view) over the window: network totals come from these. */
  regionSeries: (from: Date) => get<T.RegionSeries>('/fleet/regions', { from: iso(from) }),
  top: (metric: string, from: Date, limit = 5) =>
    get<{ items: T.TopServer[] }>('/fleet/top', { metric, from: iso(from), limit }),
  topTalkers: (limit = 5) => get<{ items: T.TopTalker[] }>('/fleet/top-talkers', { limit }),

  servers: (q: T.ServerQuery) => get<T.ServerPage>('/servers', { ...q }),
  series: (id: number, from: Date, to: Date, step: number, metrics: string[]) =>
    get<T.SeriesResponse>(`/servers/${id}/series`, {
      from: iso(from),
      to: iso(to),
      step: `${step}s`,
      metrics: metrics.join(','),
    }),
  logs: (q: { server_id?: number; from?: string; to?: string; severity?: string; limit?: number }) =>
    get<{ items: T.ErrorLog[]; next_cursor: string | null }>('/logs', q),

  alerts: (q: { state?: string; server?: string; since?: string; limit?: number }) =>
    get<T.Alert[]>('/alerts', q),
  acknowledgeAlert: (id: number) => call<T.Alert>('POST', `/alerts/${id}/ack`, {}),
  rules: () => get<T.Rule[]>('/alerts/rules'),
  createRule: (rule: T.RuleInput) => call<T.Rule>('POST', '/alerts/rules', rule),
  /** The API replaces a rule whole (PUT): send it back as read, with `enabled` flipped. */
  setRuleEnabled: async (id: number, enabled: boolean) => {
    const { id: _id, updated_at: _u, ...spec } = await get<T.Rule>(`/alerts/rules/${id}`);
    return call<T.Rule>('PUT', `/alerts/rules/${id}`, { ...spec, enabled });
  },
  silences: () => get<T.Silence[]>('/alerts/silences'),
  createSilence: (s: T.SilenceInput) => call<T.Silence>('POST', '/alerts/silences', s),
  deleteSilence: (id: number) => call<void>('DELETE', `/alerts/silences/${id}`),
  maintenance: () => get<T.Maintenance[]>('/alerts/maintenance'),
  createMaintenance: (m: T.MaintenanceInput) => call<T.Maintenance>('POST', '/alerts/maintenance', m),
  deleteMaintenance: (id: number) => call<void>('DELETE', `/alerts/maintenance/${id}`),

  incidents: (q: { status?: string; limit?: number }) => get<T.Incident[]>('/incidents', q),
  incident: (id: number) => get<T.IncidentDetail>(`/incidents/${id}`),
  timeline: (id: number) => get<T.TimelineEntry[]>(`/incidents/${id}/timeline`),
  acknowledgeIncident: (id: number) => call<T.Incident>('POST', `/incidents/${id}/acknowledge`, {}),
  resolveIncident: (id: number, note?: string) =>
    call<T.Incident>('POST', `/incidents/${id}/resolve`, note ? { note } : {}),
  addNote: (id: number, text: string) => call<{ id: number }>('POST', `/incidents/${id}/notes`, { text }),

  anomalies: (q: { server_id?: number; from?: string; to?: string; limit?: number }) =>
    get<T.Anomaly[]>('/anomalies', q),
  /** kind daily|weekly; date = first UTC day of the period (default: the last whole one). */
  report: (kind: string, date?: string) => get<T.Report>(`/reports/${encodeURIComponent(kind)}`, { date }),
};
