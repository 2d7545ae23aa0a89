import { expect, test } from '@playwright/test';
import { RiderApp } from '../tests/pages/rider';

// Time from the tap on 提交 to the committed IndexedDB transaction, as the app itself records
// it (window.__nxSaveMs), over 40 offline reports.
test('local save latency', async ({ browser }) => {
  const ctx = await browser.newContext({
    permissions: ['geolocation'],
    geolocation: { latitude: 28.84, longitude: 108.77, accuracy: 10 },
  });
  const rider = new RiderApp(await ctx.newPage(), ctx);
  await rider.login('13800000001');
  await rider.goOfflineAndReload();
  const n = 40;
  for (let i = 0; i < n; i++) {
    await rider.file({ category: '其他隐患', note: `bench ${i} ${Date.now()}` });
  }
  const times: number[] = await rider.page.evaluate(() => (window as any).__nxSaveMs ?? []);
  expect(times.length).toBe(n);
  if (process.env.NUANXIN_BENCH_RAW === '1') console.log(times.map((t) => t.toFixed(1)).join(' '));
  const sorted = [...times].sort((a, b) => a - b);
  const p = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  console.log(
    `local save (tap → IndexedDB commit), ${n} reports: p50 ${p(0.5).toFixed(1)} ms, ` +
      `p95 ${p(0.95).toFixed(1)} ms, max ${sorted[sorted.length - 1].toFixed(1)} ms`,
  );
  await ctx.close();
});
