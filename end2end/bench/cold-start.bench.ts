import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, expect, test, type BrowserContext } from '@playwright/test';
import { youyang } from '../tests/pages/rider';

// The offline cold start of a rider's phone: the service worker has cached the shell and the
// rider document is on the device; the browser starts again with no network and opens the app.
// The app sets performance marks on the way (`nx-*`, ms since navigation start); the last,
// `nx-form-usable`, is when the report form can save (into the inbox: the sync engine loads in
// its worker meanwhile; `nx-engine-loaded` is when its code runs, `nx-doc-loaded` when it has
// read the rider document). Five starts at normal speed and five at 4× CPU throttling (Chrome's
// emulation of a mid-range phone); medians printed.

const RUNS = 5;
const MARKS = [
  'nx-main',
  'nx-mounted',
  'nx-store-open',
  'nx-form-usable',
  'nx-engine-loaded',
  'nx-doc-loaded',
];

test('offline cold start', async ({}, info) => {
  test.setTimeout(300_000);
  const use = info.project.use;
  const dir = mkdtempSync(join(tmpdir(), 'nx-cold-'));
  const launch = (): Promise<BrowserContext> =>
    chromium.launchPersistentContext(dir, {
      ...use.launchOptions,
      baseURL: use.baseURL,
      viewport: use.viewport,
      locale: use.locale,
      timezoneId: use.timezoneId,
      permissions: ['geolocation'],
      geolocation: youyang,
    });

  // Once online: log in, let the service worker take over and the document arrive.
  let ctx = await launch();
  let page = ctx.pages()[0] ?? (await ctx.newPage());
  await page.goto('/login');
  await page.getByLabel('账号').fill('13800000001');
  await page.getByLabel('密码').fill('nuanxin-demo');
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, {
    timeout: 30_000,
  });
  await expect(page.getByTestId('sync-badge')).toContainText('已同步', { timeout: 30_000 });
  await page.waitForTimeout(1_000);
  await ctx.close();

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (const rate of [1, 4]) {
    const runs: Record<string, number>[] = [];
    for (let i = 0; i < RUNS; i++) {
      ctx = await launch();
      await ctx.setOffline(true);
      page = ctx.pages()[0] ?? (await ctx.newPage());
      const cdp = await ctx.newCDPSession(page);
      await cdp.send('Emulation.setCPUThrottlingRate', { rate });
      await page.goto('/');
      await page.waitForFunction(
        () =>
          performance.getEntriesByName('nx-form-usable').length > 0 &&
          performance.getEntriesByName('nx-doc-loaded').length > 0,
        null,
        { timeout: 60_000 },
      );
      runs.push(
        await page.evaluate((names) => {
          const at: Record<string, number> = {};
          for (const n of names) {
            const e = performance.getEntriesByName(n)[0];
            if (e) at[n] = e.startTime;
          }
          return at;
        }, MARKS),
      );
      await ctx.close();
    }
    const parts = MARKS.map((m) => `${m.slice(3)} ${Math.round(median(runs.map((r) => r[m] ?? NaN)))}`);
    const usable = Math.round(median(runs.map((r) => r['nx-form-usable'])));
    const target = rate === 4 ? ' (target ≤ 1200, goal ≤ 1000)' : '';
    console.log(
      `offline cold start at ${rate}× CPU: form usable after ${usable} ms median of ${RUNS}${target}; ` +
        `marks (ms): ${parts.join(', ')}`,
    );
  }
  rmSync(dir, { recursive: true, force: true });
});
