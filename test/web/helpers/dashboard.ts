/// <reference lib="dom" />
// One real Vigil listening on loopback with the demo fleet seeded through the modules (alerts
// replayed by the engine, incidents opened by the incidents module, rollups built), and a
// headless chromium signed in as a role. Shared by the dashboard tests.
import type { Page } from 'playwright-core';
import { ReplayClock } from '../../../src/demo/clock.ts';
import { type DemoResult, seedDemo } from '../../../src/demo/seed.ts';
import { type TestApp, testApp } from '../../helpers/app.ts';
import { type Browser, launch } from './browser.ts';

export type UiRole = 'admin' | 'devops' | 'readonly';

export interface Dashboard {
  app: TestApp;
  url: string;
  seeded: DemoResult;
}

export async function dashboard(): Promise<Dashboard> {
  const app = await testApp({ listen: true, clock: new ReplayClock() });
  const seeded = await seedDemo(
    { pool: app.db.pool, ctx: app.vigil.ctx },
    { servers: 12, days: 2, fineHours: 4 },
  );
  if (!seeded.incidentId) throw new Error('the demo opened no incident for the CPU alert');
  return { app, url: app.vigil.url, seeded };
}

export async function startBrowser(): Promise<Browser> {
  return launch();
}

export async function signIn(browser: Browser, d: Dashboard, role: UiRole): Promise<Page> {
  await browser.context.clearCookies(); // one profile per file: each test starts signed out
  const page = await browser.context.newPage();
  await page.goto(`${d.url}/`);
  await page.getByLabel('API token').fill(d.app.tokens[role]);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page
    .getByTestId('who')
    .filter({ hasText: `test-${role}` })
    .waitFor();
  return page;
}

/** Waits until a page's data section left "Loading…" (data, empty state or error state). */
export async function settled(page: Page, testId: string): Promise<string> {
  await page.getByTestId(testId).waitFor();
  await page.waitForFunction((id) => {
    const e = document.querySelector(`[data-testid="${id}"]`);
    return !!e && !e.querySelector('.state-loading');
  }, testId);
  return page.getByTestId(testId).innerText();
}
