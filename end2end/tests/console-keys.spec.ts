import { expect, test } from '@playwright/test';
import { Console } from './pages/console';
import { RiderApp } from './pages/rider';

test('a supervisor works through reports with the keyboard alone', async ({ browser }) => {
  const run = Date.now().toString(36);
  const notes = [`键盘一 ${run}`, `键盘二 ${run}`, `键盘三 ${run}`, `键盘四 ${run}`];
  const rider = await RiderApp.onPhone(browser);
  await rider.login('13800000002');
  // One after the other, at one place, so the console lists them newest first: 四, 三, 二, 一.
  for (const note of notes) {
    await rider.file({ category: '垃圾堆积', note });
    await rider.expectStates([note], 'received');
  }

  const console_ = await Console.onDesk(browser);
  await console_.expectNotes(notes);
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

  // The rider's phone: 8 points for 三, and for 四, which repeats it, 30 % of them.
  await rider.page.getByRole('link', { name: '积分' }).click();
  const entry = (note: string) => rider.page.getByTestId('points-entry').filter({ hasText: note });
  await expect(entry(notes[2])).toContainText('+8');
  await expect(entry(notes[3])).toContainText('+2');
  await expect(entry(notes[1])).toHaveCount(0);

  await rider.context.close();
  await page.context().close();
});
