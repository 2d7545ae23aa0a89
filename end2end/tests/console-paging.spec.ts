import { expect, test } from '@playwright/test';
import { Console } from './pages/console';
import { ServerCli, randomPhone } from './pages/server';

test('the console pages back to a report filed five days ago among 1,500 newer ones', async ({ browser }) => {
  // A county of its own (汉阴), so that no other test sees these reports.
  const cli = new ServerCli();
  const run = Date.now().toString(36);
  const boss = `grid-hy-${run}`;
  const rider = randomPhone();
  cli.addUser(boss, '汉阴网格员', 'supervisor', 'hanyin');
  cli.addUser(rider, '赵师傅', 'rider', 'hanyin');
  const old = `五天前离线上报 ${run}`;
  cli.indexReports(rider, 'hanyin', 1500, old, 5);

  const console_ = await Console.onDesk(browser);
  await console_.page.context().clearCookies();
  await console_.open(boss);
  const page = console_.page;
  await expect(page.getByTestId('console-count')).toHaveText('共 200 条');
  await expect(console_.rows().filter({ hasText: old })).toHaveCount(0);
  // Each click brings the next older page, until the old report is listed.
  let clicks = 0;
  while ((await console_.rows().filter({ hasText: old }).count()) === 0) {
    expect(clicks).toBeLessThan(8);
    await page.getByTestId('reports-more').click();
    clicks += 1;
    await expect(page.getByTestId('console-count')).toHaveText(`共 ${Math.min(200 * (clicks + 1), 1501)} 条`);
  }
  expect(clicks).toBe(7);
  await expect(console_.rows().filter({ hasText: old })).toHaveCount(1);
  // The last page is reached: nothing more to load.
  await expect(page.getByTestId('reports-more')).toHaveCount(0);
  await page.context().close();
});
