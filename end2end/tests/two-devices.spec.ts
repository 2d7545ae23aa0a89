import { test } from '@playwright/test';
import { Console } from './pages/console';
import { RiderApp } from './pages/rider';

test('two devices of one rider file offline at once; all four reports end up everywhere', async ({
  browser,
}) => {
  const run = Date.now().toString(36);
  const phoneNotes = [`手机一 ${run}`, `手机二 ${run}`];
  const desktopNotes = [`电脑一 ${run}`, `电脑二 ${run}`];
  const all = [...phoneNotes, ...desktopNotes];
  const where = { latitude: 28.84, longitude: 108.77, accuracy: 20 };

  const desk = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const console_ = new Console(await desk.newPage());
  await console_.open();

  const phoneCtx = await browser.newContext({ permissions: ['geolocation'], geolocation: where });
  const desktopCtx = await browser.newContext({
    permissions: ['geolocation'],
    geolocation: where,
    viewport: { width: 1280, height: 800 },
  });
  const phone = new RiderApp(await phoneCtx.newPage(), phoneCtx);
  const desktop = new RiderApp(await desktopCtx.newPage(), desktopCtx);
  await phone.login('13800000002');
  await desktop.login('13800000002');
  await phone.goOfflineAndReload();
  await desktop.goOfflineAndReload();

  for (const note of phoneNotes) await phone.file({ category: '垃圾堆积', note });
  for (const note of desktopNotes) await desktop.file({ category: '食品安全问题', note });

  await phoneCtx.setOffline(false);
  await desktopCtx.setOffline(false);

  await phone.expectStates(all, 'received');
  await desktop.expectStates(all, 'received');
  await console_.expectNotes(all);
  await phoneCtx.close();
  await desktopCtx.close();
  await desk.close();
});
