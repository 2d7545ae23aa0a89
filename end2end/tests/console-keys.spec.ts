import { expect, test } from '@playwright/test';
import { Console } from './pages/console';
import { RiderApp } from './pages/rider';
import { randomPhone, ServerCli } from './pages/server';

test('a supervisor works through reports with the keyboard alone; the rider reads points and messages offline', async ({
  browser,
}) => {
  const run = Date.now().toString(36);
  const notes = [`键盘一 ${run}`, `键盘二 ${run}`, `键盘三 ${run}`, `键盘四 ${run}`, `键盘五 ${run}`];
  const waiting = `待审核 ${run}`;
  // A new rider, so the balance and the messages are this test's alone.
  const rider = await RiderApp.onPhone(browser);
  const invite = new ServerCli().createInvite('youyang', 1);
  await rider.register({ phone: randomPhone(), name: '键盘骑手', password: 'jianpan-2026', invite });
  // One after the other, at one place, so the console lists them newest first: 六, 五, 四, 三,
  // 二, 一. 六 is left undecided.
  for (const note of [...notes, waiting]) {
    await rider.file({ category: '垃圾堆积', note });
    await rider.expectStates([note], 'received');
  }

  const console_ = await Console.onDesk(browser);
  await console_.expectNotes([...notes, waiting]);
  const row = (note: string) => console_.rows().filter({ hasText: note });
  const page = console_.page;

  // v: the award, the category's default (garbage: 5) ready to change; Enter gives it.
  await row(notes[2]).focus();
  await page.keyboard.press('v');
  await expect(row(notes[2]).getByTestId('award-points')).toHaveValue('5');
  await expect(row(notes[2]).getByTestId('award-points')).toBeFocused();
  await page.keyboard.type('8');
  await page.keyboard.press('Enter');
  await expect(row(notes[2]).getByTestId('console-status')).toHaveText('有效');
  // The decision moves on to the next report.
  await expect(row(notes[1])).toBeFocused();
  // f: the departments, numbered; 2 picks 消防.
  await page.keyboard.press('f');
  await expect(row(notes[1]).getByTestId('pick-choice').nth(1)).toHaveText('消防');
  await page.keyboard.press('2');
  await expect(row(notes[1]).getByTestId('console-status')).toHaveText('已转办');
  await expect(row(notes[0])).toBeFocused();
  await page.keyboard.press('k');
  await expect(row(notes[1])).toBeFocused();
  await page.keyboard.press('j');
  // i: the reasons, numbered; 1 picks 照片不清.
  await page.keyboard.press('i');
  await expect(row(notes[0]).getByTestId('pick-choice').first()).toHaveText('照片不清');
  await page.keyboard.press('1');
  await expect(row(notes[0]).getByTestId('console-status')).toHaveText('无效');

  // d: the earlier reports at the same place are offered; a number picks the one repeated.
  await row(notes[3]).focus();
  await page.keyboard.press('d');
  const choices = row(notes[3]).getByTestId('dup-choice');
  await expect(choices).toHaveCount(3);
  if (process.env.NUANXIN_SCREENSHOTS === '1') {
    await page.screenshot({ path: '../docs/screenshots/console-duplicates.png' });
  }
  const texts = await choices.allTextContents();
  const pick = texts.findIndex((t) => t.includes(notes[2]));
  expect(pick).toBeGreaterThanOrEqual(0);
  await page.keyboard.press(String(pick + 1));
  await expect(row(notes[3]).getByTestId('console-status')).toHaveText('重复');

  // ? shows the keys, Escape hides them.
  await row(notes[0]).focus();
  await page.keyboard.press('?');
  const keys = page.getByTestId('console-keys');
  await expect(keys).toBeVisible();
  await expect(keys).toContainText('已解决');
  if (process.env.NUANXIN_SCREENSHOTS === '1') {
    await page.screenshot({ path: '../docs/screenshots/console-keys.png' });
  }
  await page.keyboard.press('Escape');
  await expect(keys).toBeHidden();

  // v and Enter: valid with the category's default.
  await row(notes[4]).focus();
  await page.keyboard.press('v');
  await expect(row(notes[4]).getByTestId('award-points')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(row(notes[4]).getByTestId('console-status')).toHaveText('有效');

  // The rider's phone: five messages unread on the 积分 tab, kept for offline.
  const p = rider.page;
  const unread = p.getByTestId('tab-unread');
  await expect(unread).toHaveText('5');
  await expect(rider.badge).toContainText('已同步');
  await rider.goOfflineAndReload();
  await expect(unread).toHaveText('5');
  await p.getByRole('link', { name: '积分' }).click();
  // 8 points for 三, 5 (the default) for 五, and for 四, which repeats 三, 30 % of 8.
  await expect(p.getByTestId('points-balance')).toHaveText('15');
  await expect(p.getByTestId('points-pending')).toContainText('+5');
  const entry = (note: string) => p.getByTestId('points-entry').filter({ hasText: note });
  await expect(entry(notes[2])).toContainText('+8');
  await expect(entry(notes[3])).toContainText('+2');
  await expect(entry(notes[4])).toContainText('+5');
  await expect(entry(notes[1])).toHaveCount(0);
  // The messages: one per decision, with its reason, all new on this visit; the count clears.
  const notice = (note: string) => p.getByTestId('notice').filter({ hasText: note });
  await expect(p.getByTestId('notice')).toHaveCount(5);
  await expect(p.locator('[data-testid="notice"][data-new="1"]')).toHaveCount(5);
  await expect(notice(notes[0])).toContainText('审核结果：无效');
  await expect(notice(notes[0])).toContainText('照片不清');
  await expect(notice(notes[1])).toContainText('已转办');
  await expect(notice(notes[1])).toContainText('消防');
  await expect(notice(notes[2])).toContainText('有效 +8');
  await expect(notice(notes[3])).toContainText('重复 +2');
  await expect(notice(notes[4])).toContainText('有效 +5');
  await expect(unread).toBeHidden();
  if (process.env.NUANXIN_SCREENSHOTS === '1') {
    await p.screenshot({ path: '../docs/screenshots/rider-notices.png' });
  }
  // Read: on the next visit nothing is new, offline too.
  await p.getByRole('link', { name: '我的' }).click();
  await expect(unread).toBeHidden();
  await p.getByRole('link', { name: '积分' }).click();
  await expect(p.getByTestId('notice')).toHaveCount(5);
  await expect(p.locator('[data-testid="notice"][data-new="1"]')).toHaveCount(0);

  await rider.context.close();
  await page.context().close();
});
