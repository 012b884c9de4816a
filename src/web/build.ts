// Makes sure web/dist (the built dashboard) exists and is not older than web/src, building it
// with vite once per process when needed, so `npm start` works on a fresh checkout. The build
// goes to a temporary directory that is renamed into place: a server (or a parallel test) never
// serves a half-written bundle.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type * as Vite from 'vite';

export const WEB_ROOT = resolve(import.meta.dirname, '../../web');
export const DIST_DIR = join(WEB_ROOT, 'dist');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Why the dashboard must be (re)built, or null when web/dist is current. */
export function staleReason(): string | null {
  const index = join(DIST_DIR, 'index.html');
  if (!existsSync(index)) return 'web/dist is missing';
  const sources = join(WEB_ROOT, 'src');
  if (!existsSync(sources)) return null; // an installed package ships dist only
  const sourceTime = Math.max(newestMtime(sources), statSync(join(WEB_ROOT, 'index.html')).mtimeMs);
  return sourceTime > statSync(index).mtimeMs ? 'web/src changed since the last build' : null;
}

let building: Promise<void> | null = null;

/** Builds web/dist with vite if it is missing or stale. Throws with advice when vite is absent. */
export function ensureDashboardBuilt(logger: Logger): Promise<void> {
  const reason = staleReason();
  if (!reason) return Promise.resolve();
  building ??= (async () => {
    const started = performance.now();
    logger.info({ reason }, 'building the dashboard (web/dist)');
    let vite: typeof Vite;
    try {
      vite = await import('vite');
    } catch (e) {
      throw new Error(`${reason} and vite is not installed: run \`npm install\` then \`npm run build:web\``, {
        cause: e,
      });
    }
    const tmp = join(WEB_ROOT, `.dist-${process.pid}-${Date.now()}`);
    mkdirSync(tmp, { recursive: true });
    try {
      await vite.build({
        configFile: join(WEB_ROOT, 'vite.config.ts'),
        root: WEB_ROOT,
        logLevel: 'warn',
        build: { outDir: tmp, emptyOutDir: true },
      });
      if (staleReason()) {
        const old = `${DIST_DIR}.old-${process.pid}`;
        if (existsSync(DIST_DIR)) renameSync(DIST_DIR, old);
        renameSync(tmp, DIST_DIR);
        rmSync(old, { recursive: true, force: true });
      }
      logger.info({ ms: Math.round(performance.now() - started) }, 'dashboard built');
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  })().finally(() => {
    building = null;
  });
  return building;
}
