import { expect, test } from '@playwright/test';
import { Console } from './pages/console';
import { RiderApp } from './pages/rider';

/** The paths of the wasm files a page loaded. */
function wasmLoads(page: import('@playwright/test').Page): string[] {
  const loads: string[] = [];
  page.on('request', (r) => {
    const path = new URL(r.url()).pathname;
    if (path.endsWith('.wasm')) loads.push(path);
  });
  return loads;
}

test('the console is its own build: supervisors never load the rider app, nor the rider app the console', async ({
  browser,
}) => {
  const desk = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await desk.newPage();
  const loads = wasmLoads(page);

  // Logged out, the console sends the supervisor to the login, which brings them back.
  await page.goto('/console');
  await expect(page).toHaveURL(/\/login$/);
  const console_ = new Console(page);
  await console_.open();
  // A reload keeps the supervisor in the console, and loads only the console's wasm.
  loads.length = 0;
  await page.reload();
  await expect(page.getByRole('table')).toBeVisible();
  await expect(page.getByTestId('sync-badge')).toHaveAttribute('data-state', 'live');
  expect(loads.length).toBe(1);
  expect(loads[0]).toMatch(/^\/console\/console-[0-9a-f]+_bg\.wasm$/);
  // The rider app's pages lead a supervisor back to the console.
  await page.goto('/points');
  await expect(page).toHaveURL(/\/console\/$/);
  await expect(page.getByRole('table')).toBeVisible();

  // Logging out ends the session: the console is closed until the next login.
  await page.getByRole('button', { name: '退出登录' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByLabel('账号')).toBeVisible();
  await page.goto('/console/');
  await expect(page).toHaveURL(/\/login$/);
  await desk.close();

  // The rider app never loads the console's wasm: only its shell's, and its sync engine's in
  // a worker.
  const rider = await RiderApp.onPhone(browser);
  const riderLoads = wasmLoads(rider.page);
  await rider.login('13800000001');
  await rider.page.getByRole('link', { name: '积分' }).click();
  await rider.page.getByRole('link', { name: '我的' }).click();
  expect(riderLoads.some((p) => /^\/app-[0-9a-f]+_bg\.wasm$/.test(p))).toBe(true);
  expect(riderLoads.some((p) => /^\/engine-[0-9a-f]+_bg\.wasm$/.test(p))).toBe(true);
  for (const path of riderLoads) expect(path).toMatch(/^\/(app|engine)-[0-9a-f]+_bg\.wasm$/);
  // A rider who opens the console's address is sent back to their own app.
  await rider.page.goto('/console');
  await expect(rider.page).toHaveURL(/127\.0\.0\.1:\d+\/$/);
  await expect(rider.page.getByRole('button', { name: '提交' })).toBeVisible();
});
