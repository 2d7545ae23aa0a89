import { expect, test } from '@playwright/test';
import { Console } from './pages/console';
import { cameraJpeg } from './pages/photos';
import { RiderApp } from './pages/rider';

test('a supervisor adds and restocks a reward, riders see it, and station staff only hand rewards over', async ({
  browser,
}) => {
  const name = `雨衣${Date.now().toString(36).slice(-5)}`;
  const console_ = await Console.onDesk(browser);
  const desk = console_.page;

  // The catalogue opens from the filter bar; a blank name is refused with its reason.
  await desk.getByTestId('catalogue-toggle').click();
  const catalogue = desk.getByTestId('catalogue');
  await expect(catalogue.getByTestId('catalogue-row').filter({ hasText: '头盔' })).toBeVisible();
  await catalogue.getByTestId('new-name').fill('   ');
  await catalogue.getByTestId('new-price').fill('25');
  await catalogue.getByTestId('new-change').fill('40');
  await catalogue.getByTestId('catalogue-add').click();
  await expect(catalogue.getByRole('alert')).toHaveText('奖品名称应为 1 到 20 个字');
  await catalogue.getByTestId('new-name').fill(name);
  await catalogue.getByTestId('catalogue-add').click();
  const row = catalogue.getByTestId('catalogue-row').filter({ hasText: name });
  await expect(row.getByTestId('catalogue-stock')).toHaveText('40');
  await expect(catalogue.getByRole('alert')).toHaveCount(0);

  // Restocked by 10, with a picture: the stock takes the change.
  await row.getByRole('button', { name: '编辑' }).click();
  const editing = catalogue.locator('[data-testid="catalogue-row"][data-editing="1"]');
  await editing.getByTestId('edit-change').fill('10');
  const picture = await cameraJpeg(desk, 1200, 1200, { takenAt: '2026:11:20 08:30:00', lat: 28.84, lon: 108.77 });
  await editing
    .getByTestId('edit-picture-file')
    .setInputFiles({ name: 'raincoat.jpg', mimeType: 'image/jpeg', buffer: picture });
  await expect(editing.getByTestId('edit-picture')).toBeVisible({ timeout: 30_000 });
  await editing.getByRole('button', { name: '保存' }).click();
  await expect(row.getByTestId('catalogue-stock')).toHaveText('50');
  await expect(row.locator('img')).toHaveCount(1);
  if (process.env.NUANXIN_SCREENSHOTS === '1') {
    await catalogue.scrollIntoViewIfNeeded();
    await desk.screenshot({ path: '../docs/screenshots/console-catalogue.png' });
  }

  // A rider's phone gets it at the next sync.
  const rider = await RiderApp.onPhone(browser);
  await rider.login('13800000002');
  await rider.page.getByRole('link', { name: '积分' }).click();
  const reward = rider.page.getByTestId('reward').filter({ hasText: name });
  await expect(reward).toBeVisible({ timeout: 30_000 });
  // Its picture loads for the county's riders.
  await expect
    .poll(() => reward.getByTestId('reward-photo').evaluate((i: HTMLImageElement) => i.naturalWidth))
    .toBeGreaterThan(0);
  await rider.context.close();
  await desk.context().close();

  // Station staff land on the counter: the pickup box, no reports, no catalogue.
  const counter = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await counter.newPage();
  await page.goto('/login');
  await page.getByLabel('账号').fill('station-youyang');
  await page.getByLabel('密码').fill('nuanxin-demo');
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page).toHaveURL(/\/console/);
  await expect(page.getByTestId('counter')).toBeVisible();
  await expect(page.getByRole('table')).toHaveCount(0);
  await expect(page.getByTestId('catalogue-toggle')).toHaveCount(0);
  await page.getByLabel('取货码').fill('000000');
  await page.getByRole('button', { name: '核销' }).click();
  await expect(page.getByTestId('pickup-result')).toHaveText('没有这个取货码');
  // The reports are not theirs, whatever the address.
  const answer = await page.request.get('/api/reports');
  expect(answer.status()).toBe(403);
  await counter.close();
});
