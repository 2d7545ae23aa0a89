import { type APIRequestContext, expect, test } from '@playwright/test';
import { RiderApp } from './pages/rider';

// Beside the bus station of 酉阳 (小哥驿站（汽车站）): 桃花源广场 is about 0.9 km away, 城北超市
// about 1.4 km; at 15 km/h all three are inside the 15-minute circle.
const atBusStation = { latitude: 28.8367, longitude: 108.7644, accuracy: 15 };
const taohuayuan = { latitude: 28.8412, longitude: 108.7721 };
const chengbei = { latitude: 28.8489, longitude: 108.7689 };

/** The great-circle distance in metres (haversine, mean Earth radius). */
function haversine(a: { latitude: number; longitude: number }, b: { latitude: number; longitude: number }) {
  const rad = (d: number) => (d * Math.PI) / 180;
  const dLat = rad(b.latitude - a.latitude);
  const dLon = rad(b.longitude - a.longitude);
  const h =
    Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.latitude)) * Math.cos(rad(b.latitude)) * Math.sin(dLon / 2) ** 2;
  return 2 * 6_371_000 * Math.asin(Math.sqrt(h));
}

type CountyStation = { id: string; name: string; lat: number; lon: number; facilities: string[]; status: string };

/** The county's stations as the console lists them (the test's own copy of the truth). */
async function countyStations(request: APIRequestContext): Promise<CountyStation[]> {
  const login = await request.post('/api/login', { data: { login: 'grid-youyang', password: 'nuanxin-demo' } });
  expect(login.ok()).toBe(true);
  const list = await request.get('/api/stations');
  expect(list.ok()).toBe(true);
  return ((await list.json()) as CountyStation[]).filter((s) => s.status !== 'closed');
}

/** How the app words a distance and its riding minutes at 15 km/h. */
function away(m: number) {
  const d = m < 1000 ? `${Math.round(m)} 米` : `${(m / 1000).toFixed(1)} 公里`;
  return `${d} · 骑行约 ${Math.max(1, Math.ceil(m / 250))} 分钟`;
}

test('the stations are listed nearest first, filtered by facility, offline too', async ({
  browser,
  request,
}) => {
  const county = await countyStations(request);
  expect(county.length).toBeGreaterThanOrEqual(58);
  const rider = await RiderApp.onPhone(browser, atBusStation);
  await rider.login('13800000002');
  const page = rider.page;
  await page.getByRole('link', { name: '驿站' }).click();
  const stations = page.getByTestId('station');
  await expect(page.getByTestId('stations-where')).toContainText('按离你的距离排序');
  // The nearest 30 are listed, the rest counted.
  await expect(stations).toHaveCount(30);
  await expect(page.getByTestId('stations-more')).toHaveText(`还有 ${county.length - 30} 个更远的驿站`);
  await expect(stations.nth(0)).toContainText('小哥驿站（汽车站）');
  await expect(stations.nth(1)).toContainText('桃花源广场');
  await expect(stations.nth(2)).toContainText('城北超市');

  /** The list shows the stations that `keep` accepts, nearest first, each with its distance. */
  const expectList = async (keep: (s: CountyStation) => boolean) => {
    const want = county
      .filter(keep)
      .map((s) => ({ ...s, m: haversine(atBusStation, { latitude: s.lat, longitude: s.lon }) }))
      .sort((a, b) => a.m - b.m)
      .slice(0, 30);
    await expect(stations).toHaveCount(want.length);
    expect(await stations.evaluateAll((els) => els.map((e) => e.getAttribute('data-id')))).toEqual(
      want.map((s) => s.id),
    );
    const texts = await page.getByTestId('station-away').allTextContents();
    want.forEach((s, i) => expect(texts[i]).toContain(away(s.m)));
    // Those within 15 riding minutes stand out.
    await expect(page.locator('.station.near')).toHaveCount(want.filter((s) => s.m <= 3750).length);
  };
  await expectList(() => true);
  await expect(stations.nth(0)).toContainText('15 分钟内');

  // The sketch: the rider at the centre, each station to scale against the 15-minute ring,
  // north up (桃花源广场 lies north-east of the bus station).
  const ring = page.getByTestId('sketch-ring');
  const ringPx = Number(await ring.getAttribute('r'));
  const ringM = Number(await ring.getAttribute('data-metres'));
  expect(ringM).toBe(3750);
  const me = page.getByTestId('sketch-me');
  const [mx, my] = [Number(await me.getAttribute('cx')), Number(await me.getAttribute('cy'))];
  for (const [id, where] of [
    ['yy-taohuayuan', taohuayuan],
    ['yy-night', chengbei],
  ] as const) {
    const dot = page.locator(`[data-testid="sketch-station"][data-id="${id}"]`);
    const [x, y] = [Number(await dot.getAttribute('cx')), Number(await dot.getAttribute('cy'))];
    const px = Math.hypot(x - mx, y - my);
    expect(Math.abs(px / ringPx - haversine(atBusStation, where) / ringM)).toBeLessThan(0.02);
    expect(y).toBeLessThan(my);
  }
  const east = page.locator('[data-testid="sketch-station"][data-id="yy-taohuayuan"]');
  expect(Number(await east.getAttribute('cx'))).toBeGreaterThan(mx);

  // Links open the map apps at the station, in WGS-84.
  const amap = stations.nth(1).getByRole('link', { name: '高德地图' });
  await expect(amap).toHaveAttribute('href', /position=108\.7721,28\.8412&.*coordinate=wgs84/);
  await expect(stations.nth(1).getByRole('link', { name: '百度地图' })).toHaveAttribute(
    'href',
    /location=28\.8412,108\.7721&.*coord_type=wgs84/,
  );

  // Facility chips keep the stations that have every facility picked.
  const chip = (name: string) => page.locator('.st-filter').getByRole('checkbox', { name });
  const has = (...f: string[]) => (s: CountyStation) => f.every((x) => s.facilities.includes(x));
  await chip('换电').click();
  await expectList(has('battery_swap'));
  await chip('换电').click();
  await chip('微波炉').click();
  await chip('急救包').click();
  await expectList(has('microwave', 'first_aid'));
  await chip('空调').click();
  await expectList(has('microwave', 'first_aid', 'air_conditioning'));
  await chip('微波炉').click();
  await chip('急救包').click();
  await chip('空调').click();

  // Offline, with no new position: the last one orders the list.
  await rider.context.clearPermissions();
  await rider.context.setOffline(true);
  await page.reload();
  await page.getByRole('link', { name: '驿站' }).click();
  await expect(stations).toHaveCount(30);
  await expect(stations.nth(0)).toContainText('小哥驿站（汽车站）');
  await expect(page.getByTestId('station-away').nth(2)).toContainText('1.4 公里');
  await rider.context.close();
});

test('without any position the stations keep the county’s order, until the rider picks a district', async ({
  browser,
}) => {
  const phone = await browser.newContext();
  const rider = new RiderApp(await phone.newPage(), phone);
  await rider.login('13800000002');
  const page = rider.page;
  await page.getByRole('link', { name: '驿站' }).click();
  const stations = page.getByTestId('station');
  await expect(stations).toHaveCount(30);
  await expect(page.getByTestId('stations-where')).toContainText('未获得定位');
  await expect(page.getByTestId('station-away')).toHaveCount(0);
  await expect(page.getByTestId('sketch')).toHaveCount(0);

  // The county's towns and subdistricts, offline too: the list is ordered from the one picked.
  await rider.context.setOffline(true);
  await page.reload();
  await page.getByTestId('district-picker').selectOption({ label: '桃花源街道' });
  await expect(page.getByTestId('stations-where')).toHaveText('按离桃花源街道中心的距离排序');
  await expect(stations.nth(0)).toContainText('桃花源广场');
  await expect(stations.nth(1)).toContainText('城北超市');
  await expect(stations.nth(2)).toContainText('汽车站');
  await expect(page.getByTestId('station-away').nth(0)).toContainText(/^\d{3} 米/);
  await phone.close();
});

test('open now follows the phone’s clock: the day station closes at night, the night one opens', async ({
  browser,
}) => {
  const rider = await RiderApp.onPhone(browser, atBusStation);
  await rider.login('13800000002');
  const page = rider.page;
  const stations = page.getByTestId('station');
  const open = (name: string) => stations.filter({ hasText: name }).getByTestId('station-open');
  const openNow = page.locator('.st-filter').getByRole('checkbox', { name: '正在营业' });

  // Wednesday 15 July 2026, 23:00 in 酉阳, offline.
  await page.clock.setFixedTime(new Date('2026-07-15T23:00:00+08:00'));
  await rider.context.setOffline(true);
  await page.reload();
  await page.getByRole('link', { name: '驿站' }).click();
  await expect(stations).toHaveCount(30);
  await expect(open('汽车站')).toHaveText('已关门 · 明天 07:00 开门');
  await expect(stations.filter({ hasText: '汽车站' })).toHaveClass(/closed/);
  await expect(open('桃花源广场')).toHaveText('24 小时营业');
  await expect(open('城北超市')).toHaveText('营业中 · 次日 06:00 关门');
  await openNow.click();
  await expect(stations.filter({ hasText: '汽车站' })).toHaveCount(0);
  await expect(stations.filter({ hasText: '桃花源广场' })).toHaveCount(1);
  await expect(stations.filter({ hasText: '城北超市' })).toHaveCount(1);
  expect(await page.getByTestId('station-open').allTextContents()).not.toContainEqual(expect.stringMatching(/^已关门/));

  // Thursday noon: the bus station is open, the night one is not.
  await page.clock.setFixedTime(new Date('2026-07-16T12:00:00+08:00'));
  await page.reload();
  await page.getByRole('link', { name: '驿站' }).click();
  await expect(open('汽车站')).toHaveText('营业中 · 22:00 关门');
  await expect(open('城北超市')).toHaveText('已关门 · 今天 20:00 开门');
  await openNow.click();
  await expect(stations.filter({ hasText: '城北超市' })).toHaveCount(0);
  await expect(stations.filter({ hasText: '汽车站' })).toHaveCount(1);
  expect(await page.getByTestId('station-open').allTextContents()).not.toContainEqual(expect.stringMatching(/^已关门/));
  await rider.context.close();
});

test('a station’s page gives its hours for each weekday, host, phone and map links, offline too', async ({
  browser,
}) => {
  const rider = await RiderApp.onPhone(browser, atBusStation);
  const page = rider.page;
  // Thursday 16 July 2026, noon in 酉阳.
  await page.clock.setFixedTime(new Date('2026-07-16T12:00:00+08:00'));
  await rider.login('13800000002');
  await page.getByRole('link', { name: '驿站' }).click();
  await expect(page.getByTestId('station')).toHaveCount(30);
  if (process.env.NUANXIN_SCREENSHOTS === '1') {
    await page.screenshot({ path: '../docs/screenshots/rider-stations.png' });
  }
  await page.getByRole('link', { name: '星空补给站（城北超市）' }).click();
  await expect(page).toHaveURL(/\/s\/yy-night$/);
  const detail = page.getByTestId('station-detail');
  await expect(detail.locator('.st-kind')).toHaveText('星空补给站');
  await expect(detail.getByTestId('station-open')).toHaveText('已关门 · 今天 20:00 开门');
  const week = detail.getByTestId('station-week').getByRole('row');
  await expect(week).toHaveCount(7);
  await expect(week.nth(0)).toHaveText('周一20:00–次日 06:00');
  await expect(detail.locator('tr.today th')).toHaveText('周四');
  await expect(detail).toContainText('所在单位 超市');
  await expect(detail.getByTestId('station-phone')).toHaveAttribute('href', 'tel:02375550103');
  await expect(detail.getByRole('link', { name: '高德地图' })).toHaveAttribute(
    'href',
    /position=108\.7689,28\.8489&.*coordinate=wgs84/,
  );
  if (process.env.NUANXIN_SCREENSHOTS === '1') {
    await page.screenshot({ path: '../docs/screenshots/rider-station.png', fullPage: true });
  }

  // Offline, the page opens again from its address; the link leads back to the list.
  await rider.context.setOffline(true);
  await page.reload();
  await expect(page.getByTestId('station-detail')).toContainText('星空补给站（城北超市）');
  await page.getByRole('link', { name: '全部驿站' }).click();
  await expect(page).toHaveURL(/\/station$/);
  await expect(page.getByTestId('station')).toHaveCount(30);
  await rider.context.close();
});

test('the riding speed is the rider’s setting: minutes and the circle follow it', async ({ browser }) => {
  const rider = await RiderApp.onPhone(browser, atBusStation);
  await rider.login('13800000002');
  const page = rider.page;
  await rider.openMine();
  await page.getByTestId('riding-speed').selectOption('20');
  await page.getByRole('link', { name: '驿站' }).click();
  await expect(page.getByTestId('stations-where')).toHaveText('按离你的距离排序（骑行 20 公里/小时估算）');
  const m = haversine(atBusStation, taohuayuan);
  await expect(page.getByTestId('station-away').nth(1)).toContainText(
    `${Math.round(m)} 米 · 骑行约 ${Math.ceil(m / (20_000 / 60))} 分钟`,
  );
  expect(Number(await page.getByTestId('sketch-ring').getAttribute('data-metres'))).toBe(5000);
  // Kept on the phone.
  await page.reload();
  await rider.openMine();
  await expect(page.getByTestId('riding-speed')).toHaveValue('20');
  await rider.context.close();
});
