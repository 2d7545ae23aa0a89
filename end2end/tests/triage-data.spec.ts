import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { Console } from './pages/console';
import { RiderApp } from './pages/rider';

test('the console filters by category, words and dates, exports the filtered list as CSV, and shows the stats', async ({
  browser,
}) => {
  const run = Date.now().toString(36);
  const food = `后厨油烟 ${run}`;
  const light = `桥头路灯 ${run}`;
  const rider = await RiderApp.onPhone(browser);
  await rider.login('13800000001');
  await rider.file({ category: '食品安全问题', note: food });
  await rider.file({ category: '路灯损坏', note: light });
  await rider.expectStates([food, light], 'received');

  const console_ = await Console.onDesk(browser);
  await console_.expectNotes([food, light]);
  const page = console_.page;

  // A category: only its reports.
  await page.getByTestId('filter-category').selectOption({ label: '路灯损坏' });
  await expect(console_.rows().filter({ hasText: light })).toHaveCount(1);
  await expect(console_.rows().filter({ hasText: food })).toHaveCount(0);
  // Words, with every category: only the report that has them.
  await page.getByTestId('filter-category').selectOption({ label: '全部类型' });
  await page.getByTestId('filter-search').fill(food);
  await page.getByTestId('filter-search').press('Enter');
  await expect(console_.rows()).toHaveCount(1);
  await expect(console_.rows().first()).toContainText(food);

  // A date range: from tomorrow (China Standard Time) holds nothing; cleared, the report is back.
  const tomorrow = new Date(Date.now() + 32 * 3600_000).toISOString().slice(0, 10);
  await page.getByTestId('filter-from').fill(tomorrow);
  await expect(console_.rows()).toHaveCount(0);
  await page.getByTestId('filter-from').fill('');
  await expect(console_.rows()).toHaveCount(1);

  // The export is the filtered list: a byte-order mark, the header, one report.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-csv').click(),
  ]);
  const csv = readFileSync(await download.path(), 'utf8');
  const lines = csv.split('\r\n').filter((l) => l.length > 0);
  expect(lines[0]).toBe('\ufeff上报时间,类型,上报人,说明,地点,纬度,经度,状态,照片数,编号');
  expect(lines.length).toBe(2);
  expect(lines[1]).toContain(`,食品安全问题,张师傅,${food},`);
  expect(lines[1]).toContain(',待处理,');

  // The stats: this week's reports by category, and the riders by points this month.
  await page.getByTestId('stats-toggle').click();
  const stats = page.getByTestId('stats');
  await expect(stats.getByTestId('stats-row').filter({ hasText: '路灯损坏' }).first()).toBeVisible();
  await expect(stats.getByTestId('stats-row').filter({ hasText: '食品安全问题' }).first()).toBeVisible();
  if (process.env.NUANXIN_SCREENSHOTS === '1') {
    await page.screenshot({ path: '../docs/screenshots/console-stats.png' });
  }
  await rider.context.close();
  await page.context().close();
});
