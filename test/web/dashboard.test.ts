/// <reference lib="dom" />
// The dashboard in a real browser against a real Vigil with the demo fleet seeded: sign-in and
// sign-out, every page with its real data (a screenshot each under test-results/), the server
// charts drawn from the series API (pixels on the canvas), the theme toggle.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Browser, chromiumMissing, screenshot, strokePixels } from './helpers/browser.ts';
import { dashboard, settled, signIn, startBrowser } from './helpers/dashboard.ts';

const missing = chromiumMissing();
const d = await dashboard();
let browser: Browser;

before(async () => {
  if (!missing) browser = await startBrowser();
});
after(async () => browser?.close());

test(
  'sign-in refuses a wrong token, then sets an HttpOnly SameSite=Strict cookie; sign-out clears it',
  { skip: missing },
  async () => {
    const page = await browser.context.newPage();
    await page.goto(`${d.url}/`);
    await page.getByLabel('API token').fill('vgl_wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /unknown, revoked or expired/ })
      .waitFor();
    await screenshot(page, 'signin-error');
    await page.close();
    const signed = await signIn(browser, d, 'devops');
    const cookie = (await browser.context.cookies(d.url)).find((c) => c.name === 'vigil_session');
    assert.ok(cookie, 'session cookie set');
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Strict');
    assert.equal(await signed.evaluate(() => document.cookie.includes('vigil_session')), false);
    await signed.getByRole('button', { name: 'Sign out' }).click();
    await signed.getByLabel('API token').waitFor();
    assert.equal(
      (await browser.context.cookies(d.url)).some((c) => c.name === 'vigil_session'),
      false,
    );
    await signed.close();
  },
);

test('every page shows the seeded fleet, alerts, incidents and anomalies', { skip: missing }, async () => {
  const page = await signIn(browser, d, 'admin');
  // [nav link, h1, data section, text the seeded data must put there]
  const pages: [string, string, string, RegExp][] = [
    ['Overview', 'Fleet overview', 'fleet', /us-east[\s\S]*eu-west[\s\S]*ap-south/],
    ['Servers', 'Servers', 'servers', /web-us-east-001/],
    ['Alerts', 'Alerts', 'alerts', /cpu_saturated[\s\S]*web-us-east-001/],
    ['Incidents', 'Incidents', 'incidents', /cpu_saturated|web-us-east-001/],
    ['Anomalies', 'Anomalies', 'anomalies', /memory_usage/],
    ['Reports', 'Reports', 'report', /availability/],
    ['Rules', 'Alert rules', 'rules', /cpu_saturated[\s\S]*memory_pressure/],
    ['Silences', 'Silences', 'silences', /disk_almost_full/],
    ['Maintenance', 'Maintenance windows', 'maintenance', /weekly db patching/],
  ];
  for (const [nav, heading, testId, expected] of pages) {
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: nav, exact: true })
      .click();
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
    const text = await settled(page, testId);
    assert.match(text, expected, `${nav} shows its data`);
    assert.doesNotMatch(text, /Could not load/, `${nav} loaded without error`);
    assert.equal(
      await page.getByRole('link', { name: nav, exact: true }).getAttribute('aria-current'),
      'page',
    );
    await screenshot(page, `page-${testId}`);
  }
  const tiles = await page.goto(`${d.url}/#/`).then(() => settled(page, 'fleet'));
  assert.match(tiles, /12\s*servers/, 'the overview counts the 12 seeded servers');

  await page.goto(`${d.url}/#/alerts?state=resolved`);
  assert.match(await settled(page, 'alerts'), /memory_pressure/, 'the resolved memory alert is listed');
  await screenshot(page, 'page-alerts-resolved');

  await page.goto(`${d.url}/#/incidents/${d.seeded.incidentId}`);
  await page.getByTestId('timeline').waitFor();
  assert.match(
    await page.getByTestId('timeline').innerText(),
    /cpu_saturated|alert/i,
    'timeline has the alert',
  );
  await screenshot(page, 'page-incident');
  await page.close();
});

test(
  'the server page draws its charts from the series API (pixels on the canvas)',
  { skip: missing },
  async () => {
    const page = await signIn(browser, d, 'readonly');
    await page.goto(`${d.url}/#/servers/${d.seeded.hotServerId}?range=6h`);
    await page.locator('[data-testid="charts"][data-loaded="true"]').waitFor();
    for (const r of ['1h', '6h', '24h', '7d', '30d'])
      await page.getByRole('button', { name: r, exact: true }).waitFor();
    assert.equal(
      await page.getByRole('button', { name: '6h', exact: true }).getAttribute('aria-pressed'),
      'true',
    );
    assert.ok(
      Number(await page.locator('[data-chart="cpu"]').getAttribute('data-points')) > 100,
      'cpu has points',
    );
    // Light theme: series colour --c1 is #2456d6.
    const drawn = await strokePixels(page, '[data-chart="cpu"]', [0x24, 0x56, 0xd6]);
    assert.ok(drawn > 200, `cpu line drawn (${drawn} pixels of its colour)`);
    await page.getByRole('heading', { level: 1, name: 'web-us-east-001' }).waitFor();
    assert.match(
      await page.locator('main').innerText(),
      /upstream timed out|worker pool|ECONNRESET|serialize/,
    );
    await screenshot(page, 'server-charts');

    // 30 days: served from the hourly rollup, still drawn.
    await page.getByRole('button', { name: '30d', exact: true }).click();
    await page.waitForFunction(
      () => document.querySelector('[data-range="30d"]')?.getAttribute('aria-pressed') === 'true',
    );
    await page.locator('[data-testid="charts"][data-loaded="true"]').waitFor();
    assert.ok(
      (await strokePixels(page, '[data-chart="cpu"]', [0x24, 0x56, 0xd6])) > 100,
      '30-day cpu line drawn',
    );
    await screenshot(page, 'server-charts-30d');
    await page.close();
  },
);

test('the theme toggle switches to dark and is remembered', { skip: missing }, async () => {
  const page = await signIn(browser, d, 'readonly');
  const before = await page.evaluate(() => document.documentElement.dataset.theme);
  await page.getByRole('button', { name: 'Toggle light or dark theme' }).click();
  const after = await page.evaluate(() => document.documentElement.dataset.theme);
  assert.notEqual(after, before);
  await page.reload();
  await page.getByTestId('who').waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), after);
  await settled(page, 'fleet');
  await screenshot(page, `theme-${after}`);
  await page.getByRole('button', { name: 'Toggle light or dark theme' }).click();
  await page.close();
});
