import { expect, test } from '@playwright/test';
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

test('the stations are listed nearest first, filtered by facility, offline too', async ({
  browser,
}) => {
  const rider = await RiderApp.onPhone(browser, atBusStation);
  await rider.login('13800000002');
  const page = rider.page;
  await page.getByRole('link', { name: '驿站' }).click();
  const stations = page.getByTestId('station');
  await expect(page.getByTestId('stations-where')).toContainText('按离你的距离排序');
  await expect(stations).toHaveCount(3);
  await expect(stations.nth(0)).toContainText('小哥驿站（汽车站）');
  await expect(stations.nth(1)).toContainText('桃花源广场');
  await expect(stations.nth(2)).toContainText('城北超市');
  const away = page.getByTestId('station-away');
  await expect(away.nth(0)).toContainText('米 · 骑行约 1 分钟');
  await expect(away.nth(1)).toContainText(/^\d{3} 米 · 骑行约 4 分钟/);
  await expect(away.nth(2)).toContainText('1.4 公里 · 骑行约 6 分钟');
  await expect(page.locator('.station.near')).toHaveCount(3);
  await expect(stations.nth(0)).toContainText('15 分钟内');
  // The distances and minutes are the haversine's, at 15 km/h.
  const toTaohuayuan = haversine(atBusStation, taohuayuan);
  await expect(away.nth(1)).toContainText(
    `${Math.round(toTaohuayuan)} 米 · 骑行约 ${Math.ceil(toTaohuayuan / 250)} 分钟`,
  );
  const toChengbei = haversine(atBusStation, chengbei);
  await expect(away.nth(2)).toContainText(
    `${(toChengbei / 1000).toFixed(1)} 公里 · 骑行约 ${Math.ceil(toChengbei / 250)} 分钟`,
  );

  // The sketch: the rider at the centre, each station to scale against the 15-minute ring,
  // north up (桃花源广场 lies north-east of the bus station).
  const ring = page.getByTestId('sketch-ring');
  const ringPx = Number(await ring.getAttribute('r'));
  const ringM = Number(await ring.getAttribute('data-metres'));
  expect(ringM).toBe(3750);
  const me = page.getByTestId('sketch-me');
  const [mx, my] = [Number(await me.getAttribute('cx')), Number(await me.getAttribute('cy'))];
  await expect(page.getByTestId('sketch-station')).toHaveCount(3);
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
  await page.locator('.st-filter').getByRole('checkbox', { name: '换电' }).click();
  await expect(stations).toHaveCount(1);
  await expect(stations).toContainText('桃花源广场');
  await page.locator('.st-filter').getByRole('checkbox', { name: '换电' }).click();
  await page.locator('.st-filter').getByRole('checkbox', { name: '微波炉' }).click();
  await page.locator('.st-filter').getByRole('checkbox', { name: '急救包' }).click();
  await expect(stations).toHaveCount(2);
  await expect(stations.nth(0)).toContainText('桃花源广场');
  await expect(stations.nth(1)).toContainText('城北超市');
  await page.locator('.st-filter').getByRole('checkbox', { name: '卫生间' }).click();
  await expect(stations).toHaveCount(1);
  await page.locator('.st-filter').getByRole('checkbox', { name: '饮水' }).click();
  await page.locator('.st-filter').getByRole('checkbox', { name: '充电' }).click();
  await expect(stations).toHaveCount(1);
  await page.locator('.st-filter').getByRole('checkbox', { name: '换电' }).click();
  await expect(stations).toHaveCount(1);

  // Offline, with no new position: the last one orders the list.
  await rider.context.clearPermissions();
  await rider.context.setOffline(true);
  await page.reload();
  await page.getByRole('link', { name: '驿站' }).click();
  await expect(stations).toHaveCount(3);
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
  await expect(stations).toHaveCount(3);
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
  await expect(page.getByTestId('sketch-station')).toHaveCount(3);
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
  await expect(stations).toHaveCount(3);
  await expect(open('汽车站')).toHaveText('已关门 · 明天 07:00 开门');
  await expect(stations.filter({ hasText: '汽车站' })).toHaveClass(/closed/);
  await expect(open('桃花源广场')).toHaveText('24 小时营业');
  await expect(open('城北超市')).toHaveText('营业中 · 次日 06:00 关门');
  await openNow.click();
  await expect(stations).toHaveCount(2);
  await expect(stations.filter({ hasText: '汽车站' })).toHaveCount(0);

  // Thursday noon: the bus station is open, the night one is not.
  await page.clock.setFixedTime(new Date('2026-07-16T12:00:00+08:00'));
  await page.reload();
  await page.getByRole('link', { name: '驿站' }).click();
  await expect(open('汽车站')).toHaveText('营业中 · 22:00 关门');
  await expect(open('城北超市')).toHaveText('已关门 · 今天 20:00 开门');
  await openNow.click();
  await expect(stations).toHaveCount(2);
  await expect(stations.filter({ hasText: '城北超市' })).toHaveCount(0);
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
  await expect(page.getByTestId('station')).toHaveCount(3);
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
  await expect(page.getByTestId('station')).toHaveCount(3);
  await rider.context.close();
});
