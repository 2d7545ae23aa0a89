import { expect, test } from '@playwright/test';
import { Console } from './pages/console';
import { RiderApp } from './pages/rider';

const atBusStation = { latitude: 28.8367, longitude: 108.7644, accuracy: 15 };

test('a supervisor changes a station’s hours and closes another; the rider’s phone has both, offline too', async ({
  browser,
}) => {
  const rider = await RiderApp.onPhone(browser, atBusStation);
  const phone = rider.page;
  // Thursday 16 July 2026, 22:30 in 酉阳: the bus station closes at 22:00 until the change.
  await phone.clock.setFixedTime(new Date('2026-07-16T22:30:00+08:00'));
  await rider.login('13800000002');
  await phone.getByRole('link', { name: '驿站' }).click();
  const stations = phone.getByTestId('station');
  await expect(stations).toHaveCount(30);
  const bus = stations.filter({ hasText: '汽车站' });
  await expect(bus.getByTestId('station-open')).toHaveText('已关门 · 明天 07:00 开门');

  const desk = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const console_ = new Console(await desk.newPage());
  await console_.open();
  const p = console_.page;
  // The stations as they were, put back at the end for the other tests on this server.
  const before: { id: string }[] = await (await p.request.get('/api/stations')).json();
  try {
    await change(p, phone, stations, bus, rider);
  } finally {
    for (const station of before) {
      const answer = await p.request.put(`/api/stations/${station.id}`, { data: station });
      expect(answer.status()).toBe(200);
    }
    await rider.context.close();
    await desk.close();
  }
});

async function change(
  p: import('@playwright/test').Page,
  phone: import('@playwright/test').Page,
  stations: import('@playwright/test').Locator,
  bus: import('@playwright/test').Locator,
  rider: RiderApp,
) {
  await p.getByTestId('stations-toggle').click();
  const rows = p.getByTestId('station-admin-row');
  await expect(rows).toHaveCount(60);

  // The list goes out as CSV; a file with a bad line comes back refused, the line named.
  await expect(p.getByTestId('stations-export')).toHaveAttribute('href', '/api/stations.csv');
  const exported = await (await p.request.get('/api/stations.csv')).text();
  const header = exported.split('\r\n')[0].replace('\ufeff', '');
  await p.getByTestId('stations-import').setInputFiles({
    name: 'stations.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(`${header}\r\nyy-x,新驿站,,28.85,108.78,,,,open,sauna,,,,,,,,\r\n`),
  });
  await expect(p.getByTestId('station-said')).toContainText('一个驿站也没有导入');
  await expect(p.getByTestId('station-said')).toContainText('line 2: bad_station_field facilities: sauna');
  await expect(rows).toHaveCount(60);

  // A bad day is refused with the reason, and nothing changes.
  await rows.filter({ hasText: '汽车站' }).getByRole('button', { name: '编辑' }).click();
  await p.getByTestId('station-week-3').fill('7点到11点');
  await p.getByTestId('station-save').click();
  await expect(p.getByTestId('station-said')).toContainText('营业时间格式');
  // Open till 23:00 every day.
  for (let day = 0; day < 7; day++) await p.getByTestId(`station-week-${day}`).fill('07:00-23:00');
  await p.getByTestId('station-save').click();
  await expect(p.getByTestId('station-said')).toContainText('已保存');
  // The night station closes for good.
  await rows.filter({ hasText: '城北超市' }).getByRole('button', { name: '编辑' }).click();
  await p.getByTestId('station-status').selectOption('closed');
  await p.getByTestId('station-save').click();
  await expect(p.getByTestId('station-said')).toContainText('已保存');
  await expect(rows.filter({ hasText: '城北超市' })).toContainText('已撤销');
  if (process.env.NUANXIN_SCREENSHOTS === '1') {
    await rows.filter({ hasText: '汽车站' }).getByRole('button', { name: '编辑' }).click();
    await p.getByTestId('station-admin').screenshot({ path: '../docs/screenshots/console-stations.png' });
  }

  // The phone has both at its next sync, and after a reload offline.
  await expect(stations.filter({ hasText: '城北超市' })).toHaveCount(0);
  await expect(bus.getByTestId('station-open')).toHaveText('营业中 · 23:00 关门');
  await expect(rider.badge).toContainText('已同步');
  await rider.context.setOffline(true);
  await phone.reload();
  await phone.getByRole('link', { name: '驿站' }).click();
  await expect(stations).toHaveCount(30);
  await expect(stations.filter({ hasText: '城北超市' })).toHaveCount(0);
  await expect(bus.getByTestId('station-open')).toHaveText('营业中 · 23:00 关门');
  // Its page says when the county last changed it; one never changed says nothing.
  await bus.getByRole('link', { name: '小哥驿站（汽车站）' }).click();
  await expect(phone.getByTestId('station-updated')).toContainText('信息更新于');
  await phone.goto('/s/yy-taohuayuan');
  await expect(phone.getByTestId('station-detail')).toBeVisible();
  await expect(phone.getByTestId('station-updated')).toHaveCount(0);
}
