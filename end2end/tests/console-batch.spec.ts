import { expect, test } from '@playwright/test';
import { Console } from './pages/console';
import { RiderApp } from './pages/rider';
import { randomPhone, ServerCli } from './pages/server';

test("a supervisor narrows the list to one rider's reports or to a station's surroundings, and marks reports invalid together", async ({
  browser,
}) => {
  const run = Date.now().toString(36);
  const spam = [`广告一 ${run}`, `广告二 ${run}`];
  const other = `正常上报 ${run}`;
  const cli = new ServerCli();
  const spammer = await RiderApp.onPhone(browser);
  await spammer.register({
    phone: randomPhone(),
    name: `批量甲${run.slice(-3)}`,
    password: 'piliang-2026',
    invite: cli.createInvite('youyang', 1),
  });
  for (const note of spam) {
    await spammer.file({ category: '其他隐患', note });
    await spammer.expectStates([note], 'received');
  }
  const honest = await RiderApp.onPhone(browser);
  await honest.register({
    phone: randomPhone(),
    name: `批量乙${run.slice(-3)}`,
    password: 'piliang-2026',
    invite: cli.createInvite('youyang', 1),
  });
  await honest.file({ category: '路灯损坏', note: other });
  await honest.expectStates([other], 'received');

  const console_ = await Console.onDesk(browser);
  const page = console_.page;
  await console_.expectNotes([...spam, other]);

  // The rider's name narrows the list to their reports; the chip says so and undoes it.
  await console_.rows().filter({ hasText: spam[0] }).getByTestId('rider-filter').click();
  await expect(page.getByTestId('rider-chip')).toContainText(`批量甲${run.slice(-3)}`);
  await expect(console_.rows()).toHaveCount(2);

  // Select all (the open ones shown), pick a reason, mark them invalid together.
  await page.getByTestId('select-all').check();
  await expect(page.getByTestId('batch-count')).toHaveText('已选 2 条');
  await page.getByTestId('batch-reason').selectOption({ label: '不属于安全隐患' });
  await page.getByTestId('batch-invalid').click();
  for (const note of spam) {
    await expect(console_.rows().filter({ hasText: note }).getByTestId('console-status')).toHaveText('无效');
  }
  await expect(page.getByTestId('batch-bar')).toHaveCount(0);
  // The rider's phone gets each decision with the reason.
  for (const note of spam) {
    await expect(spammer.item(note).getByTestId('outbox-review')).toContainText('不属于安全隐患', {
      timeout: 30_000,
    });
  }

  // Back to every rider. The distance from a station: the reports were filed about 1.1 km
  // from 星空补给站, so 500 m leaves them out and 3 km keeps them.
  await page.getByTestId('rider-chip').click();
  await console_.expectNotes([other]);
  await page.getByTestId('filter-station').selectOption({ label: '距驿站 星空补给站（城北超市）' });
  await page.getByTestId('filter-within').selectOption('500');
  await expect(console_.rows().filter({ hasText: other })).toHaveCount(0);
  await page.getByTestId('filter-within').selectOption('3000');
  await console_.expectNotes([other]);
  await page.getByTestId('filter-station').selectOption('');
  await expect(page.getByTestId('filter-within')).toHaveCount(0);
  // x selects the focused report and unselects it again.
  const row = console_.rows().filter({ hasText: other });
  await row.focus();
  await page.keyboard.press('x');
  await expect(page.getByTestId('batch-count')).toHaveText('已选 1 条');
  await expect(row.getByTestId('select-row')).toBeChecked();
  await page.keyboard.press('x');
  await expect(page.getByTestId('batch-bar')).toHaveCount(0);
  await expect(row.getByTestId('console-status')).toHaveText('待处理');

  // Words of one's own: i then 0 for a reason not in the county's list; r with what was done.
  await page.keyboard.press('i');
  await expect(row.getByTestId('pick-list')).toContainText('0 自行填写');
  await page.keyboard.press('0');
  await expect(row.getByTestId('note-text')).toBeFocused();
  await page.keyboard.type('同一地点已由社区处理');
  await page.keyboard.press('Enter');
  await expect(row.getByTestId('console-status')).toHaveText('无效');
  await expect(honest.item(other).getByTestId('outbox-review')).toContainText('同一地点已由社区处理', {
    timeout: 30_000,
  });
  const first = console_.rows().filter({ hasText: spam[0] });
  await first.focus();
  await page.keyboard.press('r');
  await expect(first.getByTestId('note-text')).toBeFocused();
  await page.keyboard.type('已清理小广告');
  await page.keyboard.press('Enter');
  await expect(first.getByTestId('console-status')).toHaveText('已解决');
});
