import { expect, test } from '@playwright/test';
import { Console } from './pages/console';
import { RiderApp, youyang } from './pages/rider';

// The sync engine runs in a worker with its own wasm, loaded after the app's first paint. The
// form files into the inbox in IndexedDB, so a report is kept even when the engine has not
// loaded (or cannot), and the engine sends it once it runs.
test('a report filed before the sync engine runs is kept on the phone and sent once it does', async ({
  browser,
}) => {
  const note = `桥下积水 ${Date.now().toString(36)}`;
  // No service worker, so that requests for the engine reach the network, where they can be
  // refused.
  const phone = await browser.newContext({
    serviceWorkers: 'block',
    permissions: ['geolocation'],
    geolocation: youyang,
  });
  const rider = new RiderApp(await phone.newPage(), phone);
  const p = rider.page;
  await p.goto('/login');
  await p.getByLabel('账号').fill('13800000002');
  await p.getByLabel('密码').fill('nuanxin-demo');
  await p.getByRole('button', { name: '登录' }).click();
  await expect(rider.badge).toContainText('已同步');

  let engineRefused = 0;
  await phone.route(/\/engine-loader-[0-9a-f]+\.js$/, (route) => {
    engineRefused += 1;
    return route.abort();
  });
  await p.reload();
  await rider.file({ category: '道路破损', note });
  await rider.expectStates([note], 'local');
  await expect(rider.badge).toContainText('1 条待发送');
  expect(engineRefused).toBeGreaterThan(0);

  // Still without an engine, a restart shows it from the inbox.
  await p.reload();
  await expect(rider.item(note)).toHaveCount(1);
  await rider.expectStates([note], 'local');

  // With the engine back, it is taken into the rider document and reaches the relay, once.
  await phone.unroute(/\/engine-loader-[0-9a-f]+\.js$/);
  await p.reload();
  await rider.expectStates([note], 'received');
  await expect(rider.item(note)).toHaveCount(1);
  await p.reload();
  await rider.expectStates([note], 'received');
  await expect(rider.item(note)).toHaveCount(1);

  const desk = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const console_ = new Console(await desk.newPage());
  await console_.open();
  await console_.expectNotes([note]);
  await expect(console_.rows().filter({ hasText: note })).toHaveCount(1);
  await phone.close();
  await desk.close();
});

test('after a login online, the engine’s files are in the service worker’s cache', async ({ browser }) => {
  const rider = await RiderApp.onPhone(browser);
  await rider.login('13800000001');
  const p = rider.page;
  const named = await p.evaluate(() =>
    ['nx-engine', 'nx-engine-js', 'nx-engine-wasm'].map(
      (n) => document.querySelector(`meta[name=${n}]`)?.getAttribute('content') ?? '',
    ),
  );
  expect(named.every((u) => /^\/engine-/.test(u))).toBe(true);
  await expect
    .poll(async () =>
      p.evaluate(async (urls) => {
        const cache = await caches.open('nuanxin-shell-v1');
        const hits = await Promise.all(urls.map((u) => cache.match(u)));
        return hits.every((h) => h !== undefined);
      }, named),
    )
    .toBe(true);
  await rider.context.close();
});
