/// <reference lib="dom" />
// Responding from the dashboard: a devops user acknowledges the firing CPU alert and resolves
// its incident; a readonly user is offered neither, nor the admin forms, and the API refuses
// the same calls from their session with 403.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Browser, chromiumMissing, screenshot } from './helpers/browser.ts';
import { dashboard, settled, signIn, startBrowser } from './helpers/dashboard.ts';

const missing = chromiumMissing();
const d = await dashboard();
let browser: Browser;

before(async () => {
  if (!missing) browser = await startBrowser();
});
after(async () => browser?.close());

async function apiAs(role: 'devops' | 'readonly', path: string): Promise<unknown> {
  const res = await fetch(`${d.url}/api/v1${path}`, { headers: d.app.as(role) });
  assert.equal(res.status, 200, path);
  return res.json();
}

const firingCpu = async () => {
  const alerts = (await apiAs('devops', '/alerts?state=firing&rule=cpu_saturated')) as {
    id: number;
    acknowledged_by: string | null;
  }[];
  assert.equal(alerts.length, 1, 'the demo has one firing cpu_saturated alert');
  return alerts[0]!;
};

test(
  'a readonly user is offered no responder or admin action, and the API refuses them',
  { skip: missing },
  async () => {
    const page = await signIn(browser, d, 'readonly');
    await page.goto(`${d.url}/#/alerts`);
    assert.match(await settled(page, 'alerts'), /cpu_saturated/);
    assert.equal(await page.getByRole('button', { name: /^Acknowledge/ }).count(), 0);
    assert.equal(await page.getByRole('button', { name: /^Silence/ }).count(), 0);
    await page.goto(`${d.url}/#/incidents/${d.seeded.incidentId}`);
    await page.getByTestId('incident-status').filter({ hasText: 'triggered' }).waitFor();
    assert.equal(await page.getByRole('button', { name: /Acknowledge|Resolve|Add note/ }).count(), 0);
    assert.match(await page.locator('main').innerText(), /may not read the response timeline/);
    await screenshot(page, 'readonly-incident');
    for (const [path, form] of [
      ['rules', 'New rule'],
      ['silences', 'New silence'],
      ['maintenance', 'New maintenance window'],
    ] as const) {
      await page.goto(`${d.url}/#/${path}`);
      await settled(page, path);
      assert.equal(await page.getByRole('form', { name: form }).count(), 0, `no ${form} form`);
    }
    // The same calls the buttons make, from the readonly session (cookie + CSRF header): 403.
    const alert = await firingCpu();
    const headers = { 'x-vigil-csrf': '1' };
    for (const path of [
      `/alerts/${alert.id}/ack`,
      `/incidents/${d.seeded.incidentId}/resolve`,
      `/incidents/${d.seeded.incidentId}/acknowledge`,
    ]) {
      const res = await page.request.post(`${d.url}/api/v1${path}`, { headers, data: {} });
      assert.equal(res.status(), 403, `${path} refused to readonly`);
    }
    const note = await page.request.post(`${d.url}/api/v1/incidents/${d.seeded.incidentId}/notes`, {
      headers,
      data: { text: 'readonly was here' },
    });
    assert.equal(note.status(), 403);
    assert.equal((await firingCpu()).acknowledged_by, null, 'nothing changed');
    await page.close();
  },
);

test('a devops user acknowledges the firing CPU alert', { skip: missing }, async () => {
  const page = await signIn(browser, d, 'devops');
  const alert = await firingCpu();
  await page.goto(`${d.url}/#/alerts`);
  await settled(page, 'alerts');
  await page.getByRole('button', { name: `Acknowledge alert ${alert.id}` }).click();
  await page.getByText('acknowledged by test-devops').first().waitFor();
  await screenshot(page, 'alert-acknowledged');
  assert.equal((await firingCpu()).acknowledged_by, 'test-devops');
  await page.close();
});

test('a devops user adds a note to the incident and resolves it', { skip: missing }, async () => {
  const page = await signIn(browser, d, 'devops');
  await page.goto(`${d.url}/#/incidents/${d.seeded.incidentId}`);
  await page.getByTestId('timeline').waitFor();
  await page.getByLabel('Note').fill('rolled back the deploy; CPU back to normal');
  await page.getByRole('button', { name: 'Add note' }).click();
  await page.getByTestId('timeline').filter({ hasText: 'rolled back the deploy' }).waitFor();
  await page.getByRole('button', { name: 'Resolve' }).click();
  await page.getByTestId('incident-status').filter({ hasText: 'resolved' }).waitFor();
  await screenshot(page, 'incident-resolved');
  const incident = (await apiAs('readonly', `/incidents/${d.seeded.incidentId}`)) as { status: string };
  assert.equal(incident.status, 'resolved');
  await page.close();
});
