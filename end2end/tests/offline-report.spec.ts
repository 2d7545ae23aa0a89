import { expect, test } from '@playwright/test';
import { Console } from './pages/console';
import { RiderApp } from './pages/rider';

test('a rider files three reports offline; they reach the relay and the live console', async ({
  browser,
}) => {
  const run = Date.now().toString(36);
  const notes = [`东门消防通道被占 ${run}`, `路灯不亮 ${run}`, `井盖破损 ${run}`];

  // The supervisor's console is open before anything is filed, and is never reloaded.
  const desk = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const console_ = new Console(await desk.newPage());
  await console_.open();

  const phone = await browser.newContext({
    permissions: ['geolocation'],
    geolocation: { latitude: 28.8396, longitude: 108.7712, accuracy: 18 },
  });
  const rider = new RiderApp(await phone.newPage(), phone);
  await rider.login('13800000001');
  await rider.goOfflineAndReload();

  await rider.file({ category: '消防通道堵塞', note: notes[0] });
  await rider.file({ category: '路灯损坏', note: notes[1] });
  // Geolocation denied: the location is typed in.
  await phone.clearPermissions();
  await rider.file({
    category: '道路破损',
    note: notes[2],
    manual: { lat: '28.8411', lon: '108.7690', place: '桃花源大道与民族路口' },
  });
  await expect(rider.badge).toContainText('3 条待发送');

  await rider.page.reload();
  for (const note of notes) await expect(rider.item(note)).toHaveCount(1);
  await rider.expectStates(notes, 'local');
  if (process.env.NUANXIN_SCREENSHOTS === '1') {
    await rider.page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await rider.page.waitForFunction(() => window.scrollY > 0);
    await rider.page.screenshot({ path: '../docs/screenshots/rider-outbox-offline.png' });
  }

  await phone.setOffline(false);
  await rider.expectStates(notes, 'received');
  await expect(rider.badge).toContainText('已同步');

  await console_.expectNotes(notes);
  const manual = console_.rows().filter({ hasText: notes[2] });
  await expect(manual).toContainText('桃花源大道与民族路口');

  // `NUANXIN_SCREENSHOTS=1` refreshes the pictures in docs/ that the README shows.
  if (process.env.NUANXIN_SCREENSHOTS === '1') {
    await rider.page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await rider.page.waitForFunction(() => window.scrollY > 0);
    await rider.page.screenshot({ path: '../docs/screenshots/rider-outbox.png' });
    await console_.page.screenshot({ path: '../docs/screenshots/console.png' });
  }
  await phone.close();
  await desk.close();
});
