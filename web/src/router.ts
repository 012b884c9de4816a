// Hash routes (#/servers/12?range=24h): no server round-trip, and any link can be bookmarked.
export interface Route {
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
}
export type Render = (root: HTMLElement, route: Route, signal: AbortSignal) => void | Promise<void>;
interface Entry {
  pattern: RegExp;
  keys: string[];
  render: Render;
  title: string;
}

const routes: Entry[] = [];

export function route(path: string, title: string, render: Render): void {
  const keys: string[] = [];
  const pattern = new RegExp(
    `^${path.replace(/:(\w+)/g, (_m, k: string) => {
      keys.push(k);
      return '([^/]+)';
    })}$`,
  );
  routes.push({ pattern, keys, render, title });
}

export function current(): Route {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path = '/', search = ''] = raw.split('?');
  return { path, params: {}, query: new URLSearchParams(search) };
}

export function navigate(path: string, query?: Record<string, string | undefined>): void {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v) q.set(k, v);
  const s = q.toString();
  location.hash = `#${path}${s ? `?${s}` : ''}`;
}

/** Replaces the query of the current route without adding history (filters, ranges). */
export function setQuery(values: Record<string, string | undefined>): void {
  const r = current();
  for (const [k, v] of Object.entries(values)) {
    if (v) r.query.set(k, v);
    else r.query.delete(k);
  }
  const s = r.query.toString();
  history.replaceState(null, '', `#${r.path}${s ? `?${s}` : ''}`);
}

let controller: AbortController | null = null;

export function resolve(root: HTMLElement, onRoute: (path: string) => void): void {
  const r = current();
  controller?.abort(); // stops the previous page's timers and fetches
  controller = new AbortController();
  for (const e of routes) {
    const m = e.pattern.exec(r.path);
    if (!m) continue;
    e.keys.forEach((k, i) => (r.params[k] = decodeURIComponent(m[i + 1] ?? '')));
    document.title = `${e.title} · Vigil`;
    onRoute(r.path);
    void e.render(root, r, controller.signal);
    return;
  }
  document.title = 'Not found · Vigil';
  onRoute(r.path);
  root.replaceChildren();
  const p = document.createElement('p');
  p.textContent = `No page at ${r.path}. Use the navigation to pick one.`;
  root.append(p);
}
