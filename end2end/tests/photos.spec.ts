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
  await phone.close();
  await desk.close();
});
