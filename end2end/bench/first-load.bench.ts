import { expect, test } from '@playwright/test';
import { countingProxy } from '../tests/pages/proxy';

// The first online load of a browser that has never seen the app: everything it moves until the
// login page is usable and the service worker controls the page (the shell is then cached for
// offline use).
test('first online load', async ({ browser }) => {
  const target = Number(new URL(test.info().project.use.baseURL!).port);
  const proxy = await countingProxy(target);
  const ctx = await browser.newContext({ baseURL: `http://127.0.0.1:${proxy.port}` });
  const page = await ctx.newPage();
  let wasm = '';
  page.on('response', (r) => {
    if (r.url().endsWith('.wasm')) wasm = r.headers()['content-encoding'] ?? 'none';
  });
  await page.goto('/login');
  await expect(page.getByRole('button', { name: '登录' })).toBeVisible();
  await page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, {
    timeout: 30_000,
  });
  // Let the service worker finish caching.
  await page.waitForTimeout(1_000);
  console.log(
    `first online load: ${proxy.bytes.down} B down, ${proxy.bytes.up} B up, ` +
      `${proxy.bytes.down + proxy.bytes.up} B in all (target ≤ 700 KB = 716800 B); ` +
      `wasm content-encoding: ${wasm}`,
  );
  await ctx.close();
  await proxy.close();
});
