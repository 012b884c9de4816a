// The dashboard's only way to the server: typed calls to Vigil's public /api/v1. The session
// cookie authenticates (sent by the browser, invisible to scripts); every call also sends the
// CSRF header the server requires on cookie-authenticated writes. docs/dashboard.md lists the
// endpoints each page uses.
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

/** Lists come as an array or as { items | data | rows, total }: accept each. */
function list<R>(data: unknown): T.Page<R> {
  if (Array.isArray(data)) return { items: data as R[], total: data.length };
  const o = (data ?? {}) as { items?: R[]; data?: R[]; rows?: R[]; total?: number };
  const items = o.items ?? o.data ?? o.rows ?? [];
  return { items, total: o.total ?? items.length };
}

const getList = async <R>(path: string, query?: Query) => list<R>(await call('GET', path, undefined, query));

export const api = {
  signIn: (token: string) => call<T.Me>('POST', '/session', { token }),
  signOut: () => call<void>('DELETE', '/session'),
  me: () => call<T.Me>('GET', '/me'),

  fleetOverview: () => call<T.FleetOverview>('GET', '/fleet/overview'),
  regions: () => getList<T.RegionHealth>('/fleet/regions'),
  top: (metric: string, limit = 5) => getList<T.TopServer>('/fleet/top', { metric, limit }),

  servers: (q: T.ServerQuery) => getList<T.Server>('/servers', { ...q }),
  server: (id: number) => call<T.Server>('GET', `/servers/${id}`),
  series: (id: number, from: Date, to: Date, step?: number) =>
    call<T.SeriesResponse>('GET', `/servers/${id}/series`, undefined, {
      from: from.toISOString(),
      to: to.toISOString(),
      step,
    }),
  logs: (q: {
    server_id?: number;
    from?: string;
    to?: string;
    q?: string;
    severity_max?: number;
    limit?: number;
  }) => getList<T.ErrorLog>('/logs', q),

  alerts: (q: { state?: string; server_id?: number; from?: string; limit?: number }) =>
    getList<T.Alert>('/alerts', q),
  acknowledgeAlert: (id: number) => call<T.Alert>('POST', `/alerts/${id}/acknowledge`, {}),
  rules: () => getList<T.Rule>('/rules'),
  setRuleEnabled: (id: number, enabled: boolean) => call<T.Rule>('PATCH', `/rules/${id}`, { enabled }),
  createRule: (rule: T.RuleInput) => call<T.Rule>('POST', '/rules', rule),
  deleteRule: (id: number) => call<void>('DELETE', `/rules/${id}`),
  silences: () => getList<T.Silence>('/silences'),
  createSilence: (s: T.SilenceInput) => call<T.Silence>('POST', '/silences', s),
  deleteSilence: (id: number) => call<void>('DELETE', `/silences/${id}`),
  maintenance: () => getList<T.Maintenance>('/maintenance-windows'),
  createMaintenance: (m: T.MaintenanceInput) => call<T.Maintenance>('POST', '/maintenance-windows', m),
  deleteMaintenance: (id: number) => call<void>('DELETE', `/maintenance-windows/${id}`),

  incidents: (q: { status?: string; limit?: number }) => getList<T.Incident>('/incidents', q),
  incident: (id: number) => call<T.IncidentDetail>('GET', `/incidents/${id}`),
  timeline: (id: number) => getList<T.TimelineEntry>(`/incidents/${id}/timeline`),
  acknowledgeIncident: (id: number) => call<T.Incident>('POST', `/incidents/${id}/acknowledge`, {}),
  resolveIncident: (id: number, note?: string) =>
    call<T.Incident>('POST', `/incidents/${id}/resolve`, note ? { note } : {}),
  addNote: (id: number, note: string) => call<T.TimelineEntry>('POST', `/incidents/${id}/notes`, { note }),

  anomalies: (q: { server_id?: number; from?: string; to?: string; limit?: number }) =>
    getList<T.Anomaly>('/anomalies', q),
  report: (kind: string, from: string, to: string) =>
    call<unknown>('GET', `/reports/${encodeURIComponent(kind)}`, undefined, { from, to }),
};
