import { expect, test } from '@playwright/test';
import { Console } from './pages/console';
import { RiderApp } from './pages/rider';

const atBusStation = { latitude: 28.8367, longitude: 108.7644, accuracy: 15 };

test('a heat alert from the console shows on the phone, offline too, names the nearest open station with air conditioning, and ends on time', async ({
  browser,
}) => {
  const rider = await RiderApp.onPhone(browser, atBusStation);
  const phone = rider.page;
  // Wednesday 5 August 2026, 14:00 in 酉阳.
  await phone.clock.setFixedTime(new Date('2026-08-05T14:00:00+08:00'));
  await rider.login('13800000001');
  // The stations page keeps the phone's position for the banner's distances.
  await phone.getByRole('link', { name: '驿站' }).click();
  await expect(phone.getByTestId('station')).toHaveCount(30);
  await expect(phone.getByTestId('alert-banner')).toHaveCount(0);

  const desk = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const console_ = new Console(await desk.newPage());
  await console_.open();
  const p = console_.page;
  await p.getByTestId('alerts-toggle').click();
  // An end before the start is refused, with the reason.
  await p.getByTestId('alert-text').fill('午后高温，请到有空调的驿站休息，多喝水');
  await p.getByTestId('alert-from').fill('2026-08-05T12:00');
  await p.getByTestId('alert-to').fill('2026-08-05T11:00');
  await p.getByTestId('alert-send').click();
  await expect(p.getByTestId('alert-said')).toContainText('结束晚于开始');
  await p.getByTestId('alert-to').fill('2026-08-05T18:00');
  await p.getByTestId('alert-level').selectOption('2');
  await p.getByTestId('alert-send').click();
  await expect(p.getByTestId('alert-said')).toContainText('已发布');
  await expect(p.getByTestId('alert-item').first()).toContainText('高温橙色预警');

  // The phone shows it at its next sync, with the nearest open station that has air
  // conditioning (the 24-hour one at 桃花源广场; the bus station has none).
  const banner = phone.getByTestId('alert-banner');
  await expect(banner).toContainText('高温橙色预警');
  await expect(banner).toContainText('午后高温，请到有空调的驿站休息，多喝水');
  await expect(banner.getByTestId('alert-refuge')).toContainText('最近的开放空调驿站： 酉新驿站（桃花源广场）');
  await expect(banner.getByTestId('alert-refuge')).toContainText('骑行约 4 分钟');
  if (process.env.NUANXIN_SCREENSHOTS === '1') {
    await phone.screenshot({ path: '../docs/screenshots/rider-alert.png' });
  }

  // Offline after a reload (once the phone has written what it received), still there; it
  // opens the station's page.
  await expect(rider.badge).toContainText('已同步');
  await rider.context.setOffline(true);
  await phone.reload();
  await expect(banner).toContainText('高温橙色预警');
  await banner.getByRole('link', { name: '酉新驿站（桃花源广场）' }).click();
  await expect(phone).toHaveURL(/\/s\/yy-taohuayuan$/);

  // Past its end, gone.
  await phone.clock.setFixedTime(new Date('2026-08-05T18:30:00+08:00'));
  await phone.reload();
  await expect(phone.getByTestId('station-detail')).toBeVisible();
  await expect(banner).toHaveCount(0);
  await rider.context.close();
  await desk.close();
});
