import { type APIRequestContext, expect, test } from '@playwright/test';
import { Console } from './pages/console';
import { RiderApp } from './pages/rider';

/** The great-circle distance in metres (haversine, mean Earth radius). */
function haversine(a: { lat: number; lon: number }, b: { lat: number; lon: number }) {
  const rad = (d: number) => (d * Math.PI) / 180;
  const h =
    Math.sin(rad(b.lat - a.lat) / 2) ** 2 +
    Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(rad(b.lon - a.lon) / 2) ** 2;
  return 2 * 6_371_000 * Math.asin(Math.sqrt(h));
}

async function asSupervisor(request: APIRequestContext) {
  const login = await request.post('/api/login', { data: { login: 'grid-youyang', password: 'nuanxin-demo' } });
  expect(login.ok()).toBe(true);
}

async function checkinsAt(request: APIRequestContext, station: string): Promise<number> {
  const stats = await (await request.get('/api/checkins?days=7')).json();
  return stats.stations.find((s: { id: string }) => s.id === station)?.total ?? 0;
}

test('a poster opened offline records one check-in that reaches the console; far reports show as a coverage gap', async ({
  browser,
  request,
}) => {
  await asSupervisor(request);
  const before = await checkinsAt(request, 'yy-bus');
  // No position from the phone: the reports' places are typed in.
  const context = await browser.newContext();
  const rider = new RiderApp(await context.newPage(), context);
  await rider.login('13800000001');
  const page = rider.page;

  // The phone camera opens the poster's address with no signal.
  await rider.goOfflineAndReload();
  await page.goto('/s/yy-bus');
  await expect(page.getByTestId('station-detail')).toContainText('小哥驿站（汽车站）');
  await expect(page.getByTestId('checkin-said')).toContainText('已签到');
  // Opened again within the hour: still one check-in.
  await page.reload();
  await expect(page.getByTestId('station-detail')).toBeVisible();
  await expect(page.getByTestId('checkin-said')).toContainText('已签到');

  // Three reports 10 km and more from every station, and one beside the bus station.
  const stations = (await (await request.get('/api/stations')).json()) as { lat: number; lon: number }[];
  const far = { lat: 28.6, lon: 108.75 };
  for (const s of stations) expect(haversine(far, s)).toBeGreaterThan(10_000);
  await page.getByRole('link', { name: '随手拍' }).click();
  const stamp = Date.now();
  const spots = [
    { lat: '28.6000', lon: '108.7500' },
    { lat: '28.6020', lon: '108.7500' },
    { lat: '28.6000', lon: '108.7520' },
    { lat: '28.8368', lon: '108.7645' },
  ];
  for (const [i, spot] of spots.entries()) {
    await rider.file({
      category: '道路破损',
      note: `覆盖 ${stamp} ${i}`,
      manual: { ...spot, place: '偏远路段' },
    });
  }

  // Online again: the check-in and the reports reach the server.
  await rider.context.setOffline(false);
  await expect.poll(() => checkinsAt(request, 'yy-bus'), { timeout: 60_000 }).toBe(before + 1);
  await rider.expectStates(spots.map((_, i) => `覆盖 ${stamp} ${i}`), 'received');

  const desk = await Console.onDesk(browser);
  const p = desk.page;
  await p.getByTestId('checkins-toggle').click();
  await expect(p.locator('[data-testid="checkin-row"][data-id="yy-bus"] [data-testid="checkin-total"]')).toHaveText(
    String(before + 1),
  );
  await p.getByTestId('checkins-toggle').click();
  await p.getByTestId('coverage-toggle').click();
  const rows = p.getByTestId('coverage-row');
  await expect(rows.first()).toBeVisible();
  const areas = await rows.evaluateAll((els) =>
    els.map((e) => ({
      lat: Number(e.getAttribute('data-lat')),
      lon: Number(e.getAttribute('data-lon')),
      reports: Number(e.querySelector('[data-testid="coverage-reports"]')?.textContent),
    })),
  );
  const cluster = areas.filter((a) => haversine(a, far) < 1_000);
  expect(cluster).toHaveLength(1);
  expect(cluster[0].reports).toBeGreaterThanOrEqual(3);
  // Nothing beside a station is a gap.
  for (const a of areas) expect(haversine(a, { lat: 28.8368, lon: 108.7645 })).toBeGreaterThan(3_750);
  if (process.env.NUANXIN_SCREENSHOTS === '1') {
    await p.getByTestId('coverage-admin').screenshot({ path: '../docs/screenshots/console-coverage.png' });
  }
  await desk.page.context().close();
  await rider.context.close();
});

test('a wish posted offline is approved onto every rider’s wall with the surname only, claimed and fulfilled, each step a notice', async ({
  browser,
}) => {
  const wisher = await RiderApp.onPhone(browser);
  await wisher.login('13800000001');
  const text = `想要一副冬天骑车的手套 ${Date.now()}`;
  const w = wisher.page;

  // Offline: the wish is kept on the phone.
  await wisher.goOfflineAndReload();
  await w.getByRole('link', { name: '驿站' }).click();
  await w.getByTestId('wall-link').click();
  await expect(w).toHaveURL(/\/wishes$/);
  await w.getByTestId('wish-text').fill('  ');
  await w.getByTestId('wish-post').click();
  await expect(w.getByTestId('wish-said')).toHaveText('心愿应为 1 到 100 个字');
  await w.getByTestId('wish-text').fill(text);
  await w.getByTestId('wish-post').click();
  await expect(w.getByTestId('wish-said')).toContainText('心愿已保存在手机上');
  const mine = w.getByTestId('my-wish').filter({ hasText: text });
  await expect(mine.getByTestId('my-wish-status')).toHaveText('待审核');
  await expect(mine).toContainText('本机已保存');
  await wisher.context.setOffline(false);
  await expect(mine).toContainText('服务器已收到', { timeout: 60_000 });

  // The supervisor approves it.
  const desk = await Console.onDesk(browser);
  const p = desk.page;
  await p.getByTestId('wishes-toggle').click();
  const row = p.getByTestId('wish-row').filter({ hasText: text });
  await expect(row).toContainText('张师傅');
  await row.getByTestId('wish-approve').click();
  await expect(row.getByTestId('wish-status')).toHaveText('已上墙');

  // Another rider of the county sees it on the wall, with the surname only, offline too.
  const other = await RiderApp.onPhone(browser);
  await other.login('13800000002');
  const o = other.page;
  await o.getByRole('link', { name: '驿站' }).click();
  await o.getByTestId('wall-link').click();
  const onWall = o.getByTestId('wall-wish').filter({ hasText: text });
  await expect(onWall.getByTestId('wall-wish-by')).toHaveText('张师傅');
  await expect(onWall).not.toContainText('13800000001');
  await other.context.setOffline(true);
  await o.reload();
  await expect(o.getByTestId('wall-wish').filter({ hasText: text })).toContainText('已上墙');

  // Claimed by an organisation, then fulfilled.
  await row.getByTestId('wish-org').fill('县邮政分公司');
  await row.getByTestId('wish-claim').click();
  await expect(row.getByTestId('wish-status')).toHaveText('已认领');
  await row.getByTestId('wish-fulfil').click();
  await expect(row.getByTestId('wish-status')).toHaveText('已实现');
  if (process.env.NUANXIN_SCREENSHOTS === '1') {
    await p.getByTestId('wish-admin').screenshot({ path: '../docs/screenshots/console-wishes.png' });
  }

  // The rider heard of each step.
  await expect(mine.getByTestId('my-wish-status')).toHaveText('已实现', { timeout: 60_000 });
  await expect(mine).toContainText('县邮政分公司');
  await w.getByRole('link', { name: '积分' }).click();
  const notices = w.getByTestId('notice').filter({ hasText: text });
  await expect(notices.filter({ hasText: '微心愿：已上墙' })).toHaveCount(1);
  await expect(notices.filter({ hasText: '微心愿：已认领' })).toHaveCount(1);
  await expect(notices.filter({ hasText: '微心愿：已实现' })).toHaveCount(1);
  if (process.env.NUANXIN_SCREENSHOTS === '1') {
    await other.context.setOffline(false);
    await o.reload();
    await expect(o.getByTestId('wall-wish').filter({ hasText: text })).toContainText('已实现');
    await o.screenshot({ path: '../docs/screenshots/rider-wishes.png' });
  }
  await p.context().close();
  await other.context.close();
  await wisher.context.close();
});
