import { expect, test } from '@playwright/test';
import { Console } from './pages/console';
import { RiderApp } from './pages/rider';

test("the county's stations are on the phone, offline too", async ({ browser }) => {
  const phone = await browser.newContext();
  const rider = new RiderApp(await phone.newPage(), phone);
  await rider.login('13800000002');
  await rider.page.getByRole('link', { name: '驿站' }).click();
  const stations = rider.page.getByTestId('station');
  await expect(stations).toHaveCount(30);
  // The stations with battery swap are fewer than a page: 桃花源广场 is one.
  await rider.page.locator('.st-filter').getByRole('checkbox', { name: '换电' }).click();
  await expect(stations.filter({ hasText: '桃花源广场' })).toContainText('换电');
  await expect(rider.page.getByText('酉新驿站（桃花源广场）')).toBeVisible();

  await phone.setOffline(true);
  await rider.page.reload();
  await expect(rider.badge).toContainText('离线');
  await expect(stations).toHaveCount(30);
  await phone.close();
});

test("a supervisor's decision reaches the rider's phone", async ({ browser }) => {
  const note = `消防通道被占（待审核） ${Date.now().toString(36)}`;
  const phone = await browser.newContext({
    permissions: ['geolocation'],
    geolocation: { latitude: 28.8396, longitude: 108.7712, accuracy: 18 },
  });
  const rider = new RiderApp(await phone.newPage(), phone);
  await rider.login('13800000001');
  await rider.file({ category: '消防通道堵塞', note });
  await rider.expectStates([note], 'received');

  const desk = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const console_ = new Console(await desk.newPage());
  await console_.open();
  await console_.expectNotes([note]);
  const row = console_.rows().filter({ hasText: note });
  await row.getByRole('button', { name: '有效' }).click();
  await expect(row.getByTestId('console-status')).toHaveText('有效');
  await expect(row.getByRole('button', { name: '有效' })).toHaveCount(0);

  const review = rider.item(note).getByTestId('outbox-review');
  await expect(review).toHaveAttribute('data-status', 'valid', { timeout: 30_000 });
  await expect(review).toContainText('审核结果：有效');
  // The decision is kept on the phone (once the badge says everything is written).
  await expect(rider.badge).toContainText('已同步');
  await phone.setOffline(true);
  await rider.page.reload();
  await expect(rider.item(note).getByTestId('outbox-review')).toContainText('有效');

  // The points it brought are on the phone too, offline: a blocked fire lane is worth 20.
  await rider.page.getByRole('link', { name: '积分' }).click();
  const entry = rider.page.getByTestId('points-entry').filter({ hasText: note });
  await expect(entry).toContainText('上报有效');
  await expect(entry).toContainText('+20');
  const balance = Number(await rider.page.getByTestId('points-balance').textContent());
  expect(balance).toBeGreaterThanOrEqual(20);
  await expect(rider.page.getByTestId('points-pending')).toContainText('待审核');
  if (process.env.NUANXIN_SCREENSHOTS === '1') {
    await rider.page.screenshot({ path: '../docs/screenshots/rider-points.png' });
  }
  await phone.close();
  await desk.close();
});
