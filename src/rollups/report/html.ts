// A self-contained HTML report: inline CSS and SVG charts, no scripts, no CDN, so it can be
// mailed or archived and still render.
import type { Report, ServerLine } from './data.ts';

const esc = (s: unknown): string =>
  String(s ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
const pct = (v: number | null, scale = 1) => (v === null ? '–' : `${(v * scale).toFixed(1)}%`);
const dur = (s: number | null) =>
  s === null ? '–' : s < 3600 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`;
const bytes = (n: number) => {
  const u = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let i = 0;
  while (n >= 1024 && i < u.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(1)} ${u[i]}`;
};

/** Line chart of fleet cpu and memory per hour (0–100 %). */
function lineChart(points: Report['fleet_hourly']): string {
  const W = 760,
    H = 220,
    L = 40,
    B = 24;
  if (points.length < 2) return '<p class="muted">Not enough hourly data for a chart.</p>';
  const t0 = points[0]!.ts.getTime();
  const t1 = points.at(-1)!.ts.getTime();
  const x = (t: Date) => L + ((t.getTime() - t0) / Math.max(1, t1 - t0)) * (W - L - 10);
  const y = (v: number) => H - B - (v / 100) * (H - B - 10);
  const path = (k: 'cpu_usage_avg' | 'memory_usage_avg') =>
    points
      .filter((p) => p[k] !== null)
      .map((p, i) => `${i ? 'L' : 'M'}${x(p.ts).toFixed(1)},${y(p[k] as number).toFixed(1)}`)
      .join('');
  const grid = [0, 25, 50, 75, 100]
    .map(
      (v) =>
        `<line x1="${L}" x2="${W - 10}" y1="${y(v)}" y2="${y(v)}" class="grid"/><text x="${L - 6}" y="${y(v) + 4}" text-anchor="end">${v}</text>`,
    )
    .join('');
  const labels = [points[0]!, points[Math.floor(points.length / 2)]!, points.at(-1)!]
    .map(
      (p) =>
        `<text x="${x(p.ts)}" y="${H - 6}" text-anchor="middle">${esc(p.ts.toISOString().slice(5, 16).replace('T', ' '))}</text>`,
    )
    .join('');
  return `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="Fleet cpu and memory per hour">${grid}${labels}
    <path d="${path('cpu_usage_avg')}" class="cpu"/><path d="${path('memory_usage_avg')}" class="mem"/></svg>
    <p class="legend"><span class="k cpu"></span>cpu avg <span class="k mem"></span>memory avg (UTC)</p>`;
}

/** Horizontal bars for the top offenders of one value (0–100 %). */
function barChart(rows: ServerLine[], key: 'cpu_usage_p95' | 'memory_usage_p95', label: string): string {
  if (rows.length === 0) return '';
  const W = 760,
    R = 22,
    L = 200;
  const bars = rows
    .map((s, i) => {
      const v = Number(s[key] ?? 0);
      const w = (v / 100) * (W - L - 60);
      return `<text x="${L - 8}" y="${i * R + 15}" text-anchor="end">${esc(s.hostname)}</text>
        <rect x="${L}" y="${i * R + 3}" width="${w.toFixed(1)}" height="${R - 6}" class="${v >= 90 ? 'bad' : 'bar'}"/>
        <text x="${L + w + 6}" y="${i * R + 15}">${v.toFixed(1)}%</text>`;
    })
    .join('');
  return `<h3>${esc(label)}</h3><svg viewBox="0 0 ${W} ${rows.length * R + 4}" role="img" aria-label="${esc(label)}">${bars}</svg>`;
}

function table(rows: ServerLine[]): string {
  const tr = rows
    .map(
      (
        s,
      ) => `<tr><td>${esc(s.hostname)}</td><td>${esc(s.region)}</td><td class="n ${s.availability < 0.99 ? 'badt' : ''}">${pct(s.availability, 100)}</td>
      <td class="n">${pct(s.cpu_usage_p95)}</td><td class="n">${pct(s.memory_usage_p95)}</td><td class="n">${pct(s.disk_usage_max)}</td>
      <td class="n">${bytes(s.network_in_bytes + s.network_out_bytes)}</td><td class="n">${s.alerts}</td><td class="n">${s.errors}</td></tr>`,
    )
    .join('');
  return `<table><thead><tr><th>server</th><th>region</th><th>availability</th><th>cpu p95</th><th>memory p95</th>
    <th>disk max</th><th>network</th><th>alerts</th><th>errors</th></tr></thead><tbody>${tr}</tbody></table>`;
}

export function reportHtml(r: Report): string {
  const s = r.summary;
  const title = `Vigil ${r.kind} report ${r.from.toISOString().slice(0, 10)}${r.kind === 'weekly' ? ` – ${new Date(r.to.getTime() - 1).toISOString().slice(0, 10)}` : ''}${r.region ? ` · ${r.region}` : ''}`;
  const card = (k: string, v: string) =>
    `<div class="card"><div class="v">${esc(v)}</div><div class="k">${esc(k)}</div></div>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em auto;max-width:820px;color:#222}
h1{font-size:20px}h2{font-size:16px;margin-top:2em}h3{font-size:14px}
.cards{display:flex;flex-wrap:wrap;gap:10px}.card{border:1px solid #ddd;border-radius:6px;padding:8px 12px;min-width:110px}
.card .v{font-size:18px;font-weight:600}.card .k,.muted,.legend{color:#666;font-size:12px}
svg{width:100%;height:auto;font-size:11px}.grid{stroke:#eee}.cpu{fill:none;stroke:#d9480f;stroke-width:1.5}
.mem{fill:none;stroke:#1971c2;stroke-width:1.5}.bar{fill:#4dabf7}.bad{fill:#fa5252}
.k.cpu,.k.mem{display:inline-block;width:12px;height:3px;margin:0 4px 3px 10px}.k.cpu{background:#d9480f}.k.mem{background:#1971c2}
table{border-collapse:collapse;width:100%;font-size:12px}td,th{border-bottom:1px solid #eee;padding:3px 6px;text-align:left}
.n{text-align:right}.badt{color:#c92a2a;font-weight:600}
</style></head><body>
<h1>${esc(title)}</h1>
<p class="muted">${esc(r.from.toISOString())} to ${esc(r.to.toISOString())} (UTC) · generated ${esc(r.generated_at.toISOString())}.
Availability: share of 5-minute slots with at least one sample. p95 over several days: sample-weighted mean of daily p95s.</p>
<div class="cards">${card('servers', String(s.servers))}${card('availability', pct(s.availability_avg, 100))}${card('below 99%', String(s.servers_below_99))}
${card('critical alerts', String(s.alerts.critical ?? 0))}${card('warning alerts', String(s.alerts.warning ?? 0))}${card('errors', String(s.errors))}
${card('incidents', String(s.incidents))}${card('MTTA', dur(s.mtta_seconds))}${card('MTTR', dur(s.mttr_seconds))}</div>
<h2>Fleet cpu and memory</h2>${lineChart(r.fleet_hourly)}
<h2>Top offenders</h2>${barChart(r.top.cpu_p95, 'cpu_usage_p95', 'Highest cpu p95')}${barChart(r.top.memory_p95, 'memory_usage_p95', 'Highest memory p95')}
<h3>Lowest availability</h3>${table(r.top.availability)}
${r.top.errors.length ? `<h3>Most errors (severity err or worse)</h3>${table(r.top.errors)}` : ''}
${r.alerts_by_rule.length ? `<h2>Alerts by rule</h2><table><thead><tr><th>rule</th><th>severity</th><th class="n">count</th></tr></thead><tbody>${r.alerts_by_rule.map((a) => `<tr><td>${esc(a.rule)}</td><td>${esc(a.severity)}</td><td class="n">${a.count}</td></tr>`).join('')}</tbody></table>` : ''}
<h2>All servers</h2>${table(r.servers)}
</body></html>
`;
}
