import { expect, test } from '@playwright/test';
import { Console } from './pages/console';
import { cameraJpeg, jpegSize, sha256 } from './pages/photos';
import { RiderApp } from './pages/rider';

test('offline, a rider attaches a 12 MP camera photo and a screenshot; both reach the console', async ({
  browser,
}) => {
  const note = `消防通道堆满杂物（带照片） ${Date.now().toString(36)}`;
  const phone = await browser.newContext({
    permissions: ['geolocation'],
    geolocation: { latitude: 28.8396, longitude: 108.7712, accuracy: 18 },
  });
  const rider = new RiderApp(await phone.newPage(), phone);
  await rider.login('13800000001');
  const camera = await cameraJpeg(rider.page, 4000, 3000, {
    takenAt: '2026:11:20 08:30:00',
    lat: 28.8412,
    lon: 108.7721,
  });
  expect(camera.length).toBeGreaterThan(300_000);
  const screenshot = await rider.page.screenshot();
  await rider.goOfflineAndReload();

  const p = rider.page;
  await p.getByRole('radio', { name: '消防通道堵塞' }).check();
  await p.getByLabel('补充说明（选填）').fill(note);
  await p.getByTestId('photo-gallery').setInputFiles([
    { name: 'IMG_20261120_083000.jpg', mimeType: 'image/jpeg', buffer: camera },
    { name: 'Screenshot.png', mimeType: 'image/png', buffer: screenshot },
  ]);
  await expect(p.getByTestId('picked-photo')).toHaveCount(2);
  await p.getByRole('button', { name: '获取位置' }).click();
  await expect(p.getByTestId('location-fix')).toBeVisible();
  await p.getByRole('button', { name: '提交' }).click();
  await expect(p.getByText('已保存到手机')).toBeVisible();
  await expect(p.getByTestId('picked-photo')).toHaveCount(0);

  const item = rider.item(note);
  await expect(item.getByTestId('outbox-photo')).toHaveCount(2);
  await expect(item.getByTestId('outbox-photos')).toHaveAttribute('data-photos', 'pending');
  await expect(item).toContainText('2 张照片待上传');

  // Reloaded offline, the thumbnails are still there.
  await p.reload();
  await expect(item.getByTestId('outbox-photo')).toHaveCount(2);
  for (const img of await item.locator('img').all()) {
    await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.naturalWidth)).toBeGreaterThan(0);
  }
  await rider.expectStates([note], 'local');

  await phone.setOffline(false);
  await rider.expectStates([note], 'received');
  await expect
    .poll(() => item.getByTestId('outbox-photos').getAttribute('data-photos'), { timeout: 60_000 })
    .toBe('done');
  await expect(item.locator('[data-testid="outbox-photo"][data-state="stored"]')).toHaveCount(2);

  // The supervisor sees both photos, loaded lazily from the server.
  const desk = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const console_ = new Console(await desk.newPage());
  await console_.open();
  await console_.expectNotes([note]);
  const row = console_.rows().filter({ hasText: note });
  const imgs = row.getByTestId('console-photo');
  await expect(imgs).toHaveCount(2);
  // The camera's EXIF says the photo is days older than the report: the supervisor is told.
  await expect(row.getByTestId('photo-age')).toContainText('照片拍摄于上报前');
  // A click opens the viewer: full size, one photo after the other, zoomable; Escape closes it
  // and the keyboard carries on from the report's row.
  const page = console_.page;
  await imgs.first().click();
  const viewer = page.getByTestId('photo-viewer');
  await expect(viewer).toBeVisible();
  await expect(viewer.getByTestId('viewer-count')).toHaveText('1 / 2');
  await expect
    .poll(() => viewer.getByTestId('viewer-photo').evaluate((i: HTMLImageElement) => i.naturalWidth))
    .toBeGreaterThan(0);
  await page.keyboard.press('ArrowRight');
  await expect(viewer.getByTestId('viewer-count')).toHaveText('2 / 2');
  const fitted = await viewer.getByTestId('viewer-photo').evaluate((i) => i.getBoundingClientRect().width);
  expect(fitted).toBeLessThanOrEqual(1280);
  await page.keyboard.press('+');
  await expect(viewer.getByTestId('viewer-zoom')).toHaveText('150%');
  await page.keyboard.press('+');
  await expect(viewer.getByTestId('viewer-zoom')).toHaveText('200%');
  const zoomed = await viewer.getByTestId('viewer-photo').evaluate((i) => i.getBoundingClientRect().width);
  expect(zoomed).toBeGreaterThan(fitted);
  await page.keyboard.press('Escape');
  await expect(viewer).toHaveCount(0);
  await expect(row).toBeFocused();
  // p opens it from the keyboard.
  await page.keyboard.press('p');
  await expect(viewer.getByTestId('viewer-count')).toHaveText('1 / 2');
  await viewer.getByTestId('viewer-close').click();
  await expect(viewer).toHaveCount(0);
  for (const img of await imgs.all()) {
    await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.naturalWidth)).toBeGreaterThan(0);
  }

  // What the server holds: named by its hash, at most 1600 px and 400 KB, no EXIF.
  const names = await imgs.evaluateAll((list) =>
    list.map((i) => (i as HTMLImageElement).getAttribute('src')!.split('/').pop()!),
  );
  const sizes: { width: number; height: number; bytes: number }[] = [];
  for (const name of names) {
    const res = await desk.request.get(`/api/photos/${name}`);
    expect(res.status()).toBe(200);
    const bytes = await res.body();
    expect(sha256(bytes)).toBe(name);
    expect(bytes.length).toBeLessThanOrEqual(400 * 1024);
    expect(bytes.includes(Buffer.from('Exif\0\0', 'latin1'))).toBe(false);
    const size = jpegSize(bytes);
    expect(Math.max(size.width, size.height)).toBeLessThanOrEqual(1600);
    sizes.push({ ...size, bytes: bytes.length });
  }
  // The camera photo, downscaled with its aspect kept.
  expect(sizes).toContainEqual(expect.objectContaining({ width: 1600, height: 1200 }));
  console.log(`stored photos: ${JSON.stringify(sizes)}`);
  if (process.env.NUANXIN_SCREENSHOTS === '1') {
    await item.scrollIntoViewIfNeeded();
    await rider.page.screenshot({ path: '../docs/screenshots/rider-photos.png' });
    await console_.page.screenshot({ path: '../docs/screenshots/console-photos.png' });
  }
  await phone.close();
  await desk.close();
});

/** A TCP proxy to the server under test that cuts the first photo upload halfway, as a server
 * closing the connection would. */
async function cuttingProxy(target: number) {
  const { createServer, connect } = await import('node:net');
  const stats = { uploads: 0, cut: 0 };
  const server = createServer((client) => {
    const upstream = connect(target, '127.0.0.1');
    let cutting = false;
    client.on('data', (chunk: Buffer) => {
      if (cutting) return;
      const at = chunk.indexOf('PUT /api/photos/');
      if (at >= 0) {
        stats.uploads += 1;
        if (stats.cut === 0) {
          cutting = true;
          stats.cut += 1;
          // Let the request line, the headers and some of the photo through, then close.
          upstream.write(chunk.subarray(0, Math.min(chunk.length, at + 4000)));
          setTimeout(() => {
            client.destroy();
            upstream.destroy();
          }, 200);
          return;
        }
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as { port: number }).port;
  return { port, stats, close: () => new Promise((ok) => server.close(ok)) };
}

test('an upload cut off by the server is sent again by itself and arrives once', async ({
  browser,
}) => {
  const note = `路灯倒伏（上传中断） ${Date.now().toString(36)}`;
  const target = Number(new URL(test.info().project.use.baseURL!).port);
  const proxy = await cuttingProxy(target);
  const phone = await browser.newContext({
    baseURL: `http://127.0.0.1:${proxy.port}`,
    permissions: ['geolocation'],
    geolocation: { latitude: 28.8396, longitude: 108.7712, accuracy: 18 },
  });
  const rider = new RiderApp(await phone.newPage(), phone);
  await rider.login('13800000002');
  const camera = await cameraJpeg(rider.page, 3000, 2000, {
    takenAt: '2026:11:21 19:05:00',
    lat: 28.84,
    lon: 108.77,
  });

  const p = rider.page;
  await p.getByRole('radio', { name: '路灯损坏' }).check();
  await p.getByLabel('补充说明（选填）').fill(note);
  await p.getByTestId('photo-camera').setInputFiles({
    name: 'IMG_1.jpg',
    mimeType: 'image/jpeg',
    buffer: camera,
  });
  await expect(p.getByTestId('picked-photo')).toHaveCount(1);
  await p.getByRole('button', { name: '获取位置' }).click();
  await expect(p.getByTestId('location-fix')).toBeVisible();
  await p.getByRole('button', { name: '提交' }).click();
  await expect(p.getByText('已保存到手机')).toBeVisible();

  const item = rider.item(note);
  await rider.expectStates([note], 'received');
  await expect
    .poll(() => item.getByTestId('outbox-photos').getAttribute('data-photos'), { timeout: 60_000 })
    .toBe('done');
  await expect(item.locator('[data-testid="outbox-photo"][data-state="stored"]')).toHaveCount(1);
  // The first upload was cut, and the queue sent it again.
  expect(proxy.stats.cut).toBe(1);
  expect(proxy.stats.uploads).toBeGreaterThanOrEqual(2);

  const desk = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const console_ = new Console(await desk.newPage());
  await console_.open();
  await console_.expectNotes([note]);
  const row = console_.rows().filter({ hasText: note });
  await expect(row.getByTestId('console-photo')).toHaveCount(1);
  const name = (await row.getByTestId('console-photo').getAttribute('src'))!.split('/').pop()!;
  const res = await desk.request.get(`/api/photos/${name}`);
  expect(res.status()).toBe(200);
  expect(sha256(await res.body())).toBe(name);
  // One report in the index, not two.
  const list = await (await desk.request.get('/api/reports')).json();
  expect(list.reports.filter((r: { note: string }) => r.note === note)).toHaveLength(1);
  await phone.close();
  await desk.close();
  await proxy.close();
});

test('a tab closed mid-upload loses nothing: the next start sends the photo', async ({ browser }) => {
  const note = `井盖缺失（关闭页面） ${Date.now().toString(36)}`;
  const phone = await browser.newContext({
    permissions: ['geolocation'],
    geolocation: { latitude: 28.8396, longitude: 108.7712, accuracy: 18 },
  });
  const rider = new RiderApp(await phone.newPage(), phone);
  await rider.login('13800000001');
  const camera = await cameraJpeg(rider.page, 2000, 1500, {
    takenAt: '2026:11:23 07:00:00',
    lat: 28.84,
    lon: 108.77,
  }, 42);
  // Uploads hang: the tab is closed while its photo is on the way.
  let started = 0;
  await phone.route('**/api/photos/*', async (route) => {
    started += 1;
    await new Promise(() => {});
    await route.continue();
  });
  const p = rider.page;
  await p.getByRole('radio', { name: '道路破损' }).check();
  await p.getByLabel('补充说明（选填）').fill(note);
  await p.getByTestId('photo-camera').setInputFiles({ name: 'IMG_2.jpg', mimeType: 'image/jpeg', buffer: camera });
  await expect(p.getByTestId('picked-photo')).toHaveCount(1);
  await p.getByRole('button', { name: '获取位置' }).click();
  await expect(p.getByTestId('location-fix')).toBeVisible();
  await p.getByRole('button', { name: '提交' }).click();
  await expect(p.getByText('已保存到手机')).toBeVisible();
  await expect.poll(() => started, { timeout: 30_000 }).toBeGreaterThan(0);
  await expect(rider.item(note).getByTestId('outbox-photo')).toHaveAttribute('data-state', 'uploading');
  // The report is on the relay, but with its photo on the way nothing says "synced".
  await expect(rider.badge).toContainText('1 张照片待上传');
  await expect(rider.badge).not.toContainText('已同步');
  await p.close();

  await phone.unrouteAll({ behavior: 'ignoreErrors' });
  const again = new RiderApp(await phone.newPage(), phone);
  await again.page.goto('/report');
  const item = again.item(note);
  await expect
    .poll(() => item.getByTestId('outbox-photos').getAttribute('data-photos'), { timeout: 60_000 })
    .toBe('done');
  await expect(item.locator('[data-testid="outbox-photo"][data-state="stored"]')).toHaveCount(1);
  await expect(again.badge).toContainText('已同步');
  await phone.close();
});

test('with the console open, a report filed online shows its photo there without a reload', async ({
  browser,
}) => {
  const note = `路灯杆倾斜（在线带照片） ${Date.now().toString(36)}`;
  const console_ = await Console.onDesk(browser);
  const rider = await RiderApp.onPhone(browser);
  await rider.login('13800000002');
  const photo = await cameraJpeg(rider.page, 1200, 900, {
    takenAt: '2026:11:26 08:00:00',
    lat: 28.8401,
    lon: 108.7715,
  }, 11);
  const p = rider.page;
  await p.getByRole('radio', { name: '路灯损坏' }).check();
  await p.getByLabel('补充说明（选填）').fill(note);
  await p.getByTestId('photo-gallery').setInputFiles([{ name: 'IMG_1.jpg', mimeType: 'image/jpeg', buffer: photo }]);
  await expect(p.getByTestId('picked-photo')).toHaveCount(1);
  await expect(p.getByTestId('location-fix')).toBeVisible();
  await p.getByRole('button', { name: '提交' }).click();
  await expect(p.getByText('已保存到手机')).toBeVisible();

  await console_.expectNotes([note]);
  const row = console_.rows().filter({ hasText: note });
  const img = row.getByTestId('console-photo');
  await expect(img).toHaveCount(1, { timeout: 60_000 });
  await expect
    .poll(() => img.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth), { timeout: 30_000 })
    .toBeGreaterThan(0);
  await expect(row.getByTestId('console-photo-waiting')).toHaveCount(0);
  await console_.page.context().close();
  await rider.context.close();
});

test('a thumbnail URL lives only while a thumbnail is shown', async ({ browser }) => {
  const note = `井盖缺失（缩略图） ${Date.now().toString(36)}`;
  const rider = await RiderApp.onPhone(browser);
  await rider.login('13800000001');
  const p = rider.page;
  const live = () => p.evaluate(() => (window as { __nxLiveObjectUrls?: number }).__nxLiveObjectUrls ?? 0);
  const exif = { takenAt: '2026:11:26 09:30:00', lat: 28.84, lon: 108.77 };
  const photo = async (name: string, seed: number) => ({
    name,
    mimeType: 'image/jpeg',
    buffer: await cameraJpeg(p, 1200, 900, exif, seed),
  });
  await rider.goOfflineAndReload();
  await p.getByRole('radio', { name: '道路破损' }).check();
  await p.getByLabel('补充说明（选填）').fill(note);

  // Picked: one URL per thumbnail; a removed photo gives its URL back.
  await p.getByTestId('photo-gallery').setInputFiles([await photo('a.jpg', 3), await photo('b.jpg', 4)]);
  await expect(p.getByTestId('picked-photo')).toHaveCount(2);
  await expect.poll(live).toBe(2);
  await p.getByTestId('picked-photo').first().getByRole('button').click();
  await expect(p.getByTestId('picked-photo')).toHaveCount(1);
  await expect.poll(live).toBe(1);

  // Saved: the form's URL goes, the outbox makes its own for the photo waiting to upload.
  await p.getByRole('button', { name: '获取位置' }).click();
  await expect(p.getByTestId('location-fix')).toBeVisible();
  await p.getByRole('button', { name: '提交' }).click();
  await expect(p.getByText('已保存到手机')).toBeVisible();
  const item = rider.item(note);
  await expect(item.getByTestId('outbox-photo')).toHaveCount(1);
  await expect.poll(live).toBe(1);

  // The page that showed it goes away: nothing is left alive; it comes back with the page.
  await p.getByRole('link', { name: '我的' }).click();
  await expect(p.getByTestId('me-login')).toBeVisible();
  await expect.poll(live).toBe(0);
  await p.getByRole('link', { name: '随手拍' }).click();
  await expect(item.locator('img')).toHaveCount(1);
  await expect.poll(live).toBe(1);

  // Uploaded: the server holds the photo, the phone lets its picture go.
  await rider.context.setOffline(false);
  await expect
    .poll(() => item.getByTestId('outbox-photos').getAttribute('data-photos'), { timeout: 60_000 })
    .toBe('done');
  await expect(item.locator('[data-testid="outbox-photo"][data-state="stored"]')).toHaveCount(1);
  await expect(item.locator('img')).toHaveCount(0);
  await expect.poll(live).toBe(0);
  await rider.context.close();
});
