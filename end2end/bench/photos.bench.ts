import { expect, test } from '@playwright/test';
import { cameraJpeg } from '../tests/pages/photos';
import { countingProxy } from '../tests/pages/proxy';
import { RiderApp } from '../tests/pages/rider';

const pct = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
};

// 20 reports, each with one 12-megapixel camera photo: the time to prepare and store each photo
// on the phone, the bytes stored, and every byte on the wire (sync, uploads, headers, both ways)
// against the photos' own size.
test('photos: compress-and-store time, stored size, wire bytes', async ({ browser }) => {
  test.setTimeout(600_000);
  const target = Number(new URL(test.info().project.use.baseURL!).port);
  const proxy = await countingProxy(target);
  const ctx = await browser.newContext({
    baseURL: `http://127.0.0.1:${proxy.port}`,
    permissions: ['geolocation'],
    geolocation: { latitude: 28.84, longitude: 108.77, accuracy: 10 },
  });
  const rider = new RiderApp(await ctx.newPage(), ctx);
  await rider.login('13800000002');
  const p = rider.page;
  const n = 20;
  const photos: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    photos.push(
      await cameraJpeg(p, 4000, 3000, { takenAt: '2026:11:22 10:00:00', lat: 28.84, lon: 108.77 }, 100 + i),
    );
  }
  await p.evaluate(() => ((window as any).__nxSaveMs = []));
  const before = { ...proxy.bytes };
  const notes: string[] = [];
  for (let i = 0; i < n; i++) {
    const note = `bench photo ${i} ${Date.now()}`;
    notes.push(note);
    await p.getByRole('radio', { name: '其他隐患' }).check();
    await p.getByLabel('补充说明（选填）').fill(note);
    await p.getByTestId('photo-gallery').setInputFiles({ name: `IMG_${i}.jpg`, mimeType: 'image/jpeg', buffer: photos[i] });
    await expect(p.getByTestId('picked-photo')).toHaveCount(1);
    await p.getByRole('button', { name: '获取位置' }).click();
    await expect(p.getByTestId('location-fix')).toBeVisible();
    await p.getByRole('button', { name: '提交' }).click();
    await expect(p.getByTestId('picked-photo')).toHaveCount(0);
  }
  for (const note of notes) {
    await expect
      .poll(() => rider.item(note).getByTestId('outbox-photos').getAttribute('data-photos'), { timeout: 120_000 })
      .toBe('done');
  }
  const wire = proxy.bytes.up - before.up + (proxy.bytes.down - before.down);
  const prepMs: number[] = await p.evaluate(() => (window as any).__nxPhotoMs ?? []);
  const saveMs: number[] = await p.evaluate(() => (window as any).__nxSaveMs ?? []);
  expect(prepMs.length).toBe(n);
  expect(saveMs.length).toBe(n);
  const total = prepMs.map((t, i) => t + saveMs[i]);
  const stored: number[] = await p.evaluate(async () => {
    const open = indexedDB.open('nuanxin');
    const db: IDBDatabase = await new Promise((ok, fail) => {
      open.onsuccess = () => ok(open.result);
      open.onerror = () => fail(open.error);
    });
    const all = db.transaction('photos').objectStore('photos').getAll();
    return new Promise((ok) => (all.onsuccess = () => ok(all.result.map((x: any) => x.bytes))));
  });
  const payload = stored.reduce((a, b) => a + b, 0);
  const originals = photos.reduce((a, b) => a + b.length, 0);
  console.log(
    `photo compress-and-store, 12 MP in Chromium, ${n} photos: prepare p50 ${pct(prepMs, 0.5).toFixed(0)} ms ` +
      `p95 ${pct(prepMs, 0.95).toFixed(0)} ms; prepare + IndexedDB commit p50 ${pct(total, 0.5).toFixed(0)} ms ` +
      `p95 ${pct(total, 0.95).toFixed(0)} ms (target ≤ 800 ms)`,
  );
  console.log(
    `photo bytes stored: mean ${(payload / stored.length / 1024).toFixed(0)} KB, max ` +
      `${(Math.max(...stored) / 1024).toFixed(0)} KB (target ≤ 300 KB); originals mean ` +
      `${(originals / n / 1024).toFixed(0)} KB`,
  );
  console.log(
    `photo wire bytes, ${n} reports with ${n} photos: ${wire} bytes on the wire for ${payload} bytes of ` +
      `photos = ${(wire / payload).toFixed(3)}× (target ≤ 1.1×)`,
  );
  await ctx.close();
  await proxy.close();
});
