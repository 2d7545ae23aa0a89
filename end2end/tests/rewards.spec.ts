import { expect, test } from '@playwright/test';
import { Console } from './pages/console';
import { RiderApp } from './pages/rider';
import { randomPhone, ServerCli } from './pages/server';

/** The 积分 tab's requests, and the one whose state is `state`. */
function redemptions(rider: RiderApp) {
  return rider.page.getByTestId('redemption');
}

/** Asks for `reward` on the 积分 tab: 兑换, then the confirmation. */
async function redeem(rider: RiderApp, reward: string) {
  const row = rider.page.getByTestId('reward').filter({ hasText: reward });
  await row.getByTestId('redeem').click();
  await expect(row.getByTestId('redeem')).toContainText('确认兑换');
  await row.getByTestId('redeem').click();
}

test('two devices offline ask for more than the balance: exactly the affordable is redeemed, and its code is used once', async ({
  browser,
}) => {
  const run = Date.now().toString(36);
  const note = `兑换积分来源 ${run}`;
  const phone = randomPhone();
  const password = 'duihuan-2026';
  const invite = new ServerCli().createInvite('youyang', 1);

  // 100 points, from one report found valid with the keyboard.
  const first = await RiderApp.onPhone(browser);
  await first.register({ phone, name: '兑换骑手', password, invite });
  await first.file({ category: '消防通道堵塞', note });
  await first.expectStates([note], 'received');
  const console_ = await Console.onDesk(browser);
  await console_.expectNotes([note]);
  const row = console_.rows().filter({ hasText: note });
  await row.focus();
  await console_.page.keyboard.press('v');
  await expect(row.getByTestId('award-points')).toBeFocused();
  await console_.page.keyboard.type('100');
  await console_.page.keyboard.press('Enter');
  await expect(row.getByTestId('console-status')).toHaveText('有效');

  // A second device of the same rider; both read the balance and the catalogue, then go
  // offline.
  const second = await RiderApp.onPhone(browser);
  await second.login(phone, password);
  for (const device of [first, second]) {
    await device.page.getByRole('link', { name: '积分' }).click();
    await expect(device.page.getByTestId('points-balance')).toHaveText('100');
    await expect(device.page.getByTestId('reward').filter({ hasText: '头盔' })).toBeVisible();
    await expect(device.badge).toContainText('已同步');
    await device.page.getByRole('link', { name: '随手拍' }).click();
    await device.goOfflineAndReload();
    await device.page.getByRole('link', { name: '积分' }).click();
  }

  // Offline, each asks for what it can afford alone: 头盔 60 and 充电宝 50, 110 together.
  await redeem(first, '头盔');
  await redeem(second, '充电宝');
  for (const device of [first, second]) {
    await expect(redemptions(device)).toHaveCount(1);
    await expect(redemptions(device).first()).toHaveAttribute('data-state', 'local');
    await expect(redemptions(device).first()).toContainText('待同步');
  }
  if (process.env.NUANXIN_SCREENSHOTS === '1') {
    await first.page.screenshot({ path: '../docs/screenshots/rider-redeem-offline.png' });
  }

  // Back online: the server decides each request once, in the order they arrive.
  await first.context.setOffline(false);
  await second.context.setOffline(false);
  for (const device of [first, second]) {
    await expect(redemptions(device)).toHaveCount(2, { timeout: 60_000 });
    await expect(device.page.locator('[data-testid="redemption"][data-state="done"]')).toHaveCount(1, {
      timeout: 60_000,
    });
    const failed = device.page.locator('[data-testid="redemption"][data-state="failed"]');
    await expect(failed).toHaveCount(1);
    await expect(failed).toContainText('积分不足');
  }
  const done = first.page.locator('[data-testid="redemption"][data-state="done"]');
  const code = (await done.getByTestId('pickup-code').textContent())?.trim() ?? '';
  expect(code).toMatch(/^\d{6}$/);
  const second_code = second.page
    .locator('[data-testid="redemption"][data-state="done"]')
    .getByTestId('pickup-code');
  await expect(second_code).toHaveText(code);
  // The balance never goes below zero: 100 less the one reward redeemed.
  const won = (await done.textContent()) ?? '';
  const left = won.includes('头盔') ? '40' : '50';
  for (const device of [first, second]) {
    await expect(device.page.getByTestId('points-balance')).toHaveText(left);
  }
  if (process.env.NUANXIN_SCREENSHOTS === '1') {
    await first.page.getByTestId('points').scrollIntoViewIfNeeded();
    await first.page.screenshot({ path: '../docs/screenshots/rider-redeemed.png' });
  }

  // At the counter: the code is used once; the second time it says 已领取.
  const desk = console_.page;
  await desk.getByLabel('取货码').fill(code);
  await desk.getByRole('button', { name: '核销' }).click();
  await expect(desk.getByTestId('pickup-result')).toContainText('已交付');
  await expect(desk.getByTestId('pickup-result')).toContainText('兑换骑手');
  if (process.env.NUANXIN_SCREENSHOTS === '1') {
    await desk.screenshot({ path: '../docs/screenshots/console-pickup.png' });
  }
  await desk.getByLabel('取货码').fill(code);
  await desk.getByRole('button', { name: '核销' }).click();
  await expect(desk.getByTestId('pickup-result')).toHaveText('已领取');
  await expect(
    first.page.locator('[data-testid="redemption"][data-state="picked_up"]'),
  ).toHaveCount(1, { timeout: 30_000 });

  await first.context.close();
  await second.context.close();
  await desk.context().close();
});
