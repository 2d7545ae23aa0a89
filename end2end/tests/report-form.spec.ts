import { expect, test, type Locator, type Page } from '@playwright/test';
import { Console } from './pages/console';
import { cameraJpeg } from './pages/photos';
import { RiderApp } from './pages/rider';
import { randomPhone, ServerCli } from './pages/server';

const home = { latitude: 28.8396, longitude: 108.7712, accuracy: 18 };
// 0.027° of latitude north: about 3 km.
const moved = { latitude: 28.8666, longitude: 108.7712, accuracy: 25 };

/** A new rider of 酉阳县 on a phone with geolocation allowed, logged in online. */
async function newRider(
  browser: import('@playwright/test').Browser,
  viewport = { width: 375, height: 812 },
  clock = false,
) {
  const phone = await browser.newContext({ permissions: ['geolocation'], geolocation: home, viewport });
  const page = await phone.newPage();
  if (clock) await page.clock.install();
  const rider = new RiderApp(page, phone);
  await rider.register({
    phone: randomPhone(),
    name: '表单测试',
    password: 'riders-pass-1',
    invite: new ServerCli().createInvite('youyang', 1),
  });
  return rider;
}

function intersects(a: { x: number; y: number; width: number; height: number }, b: typeof a) {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

async function box(l: Locator) {
  const b = await l.boundingBox();
  if (!b) throw new Error('not visible');
  return b;
}

async function pick(page: Page, category: string, note: string) {
  await page.getByRole('radio', { name: category }).check();
  await page.getByLabel('补充说明（选填）').fill(note);
}

test('each report carries its own location: a fresh fix after each save, the place emptied, (0, 0) refused', async ({
  browser,
}) => {
  const run = Date.now().toString(36);
  const [first, second] = [`A 点路灯不亮 ${run}`, `3 公里外垃圾堆积 ${run}`];
  const desk = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const console_ = new Console(await desk.newPage());
  await console_.open();

  const rider = await newRider(browser);
  const p = rider.page;
  await rider.goOfflineAndReload();

  // The form locates by itself when it opens.
  await expect(p.getByTestId('location-fix')).toContainText('±18 米');
  await pick(p, '路灯损坏', first);
  await p.getByLabel('地点描述').fill('A 点');
  await p.getByRole('button', { name: '提交' }).click();
  await expect(p.getByText('已保存到手机')).toBeVisible();
  await expect(rider.item(first)).toHaveCount(1);
  // Nothing of that report's location is left for the next one.
  await expect(p.getByLabel('地点描述')).toHaveValue('');

  // The rider rides 3 km and files again without tapping 获取位置.
  await rider.context.setGeolocation(moved);
  await rider.page.getByRole('button', { name: '获取位置' }).waitFor();
  await pick(p, '垃圾堆积', second);
  await expect(p.getByTestId('location-fix')).toContainText('±25 米');
  await p.getByRole('button', { name: '提交' }).click();
  await expect(rider.item(second)).toHaveCount(1);

  // (0, 0) typed by hand is refused, in one place, and nothing is saved.
  await rider.context.clearPermissions();
  await p.getByRole('button', { name: '获取位置' }).click();
  await expect(p.getByTestId('location-error')).toBeVisible();
  await pick(p, '其他', `零点 ${run}`);
  await p.getByLabel('纬度').fill('0');
  await p.getByLabel('经度').fill('0');
  await p.getByRole('button', { name: '提交' }).click();
  await expect(p.getByTestId('form-status')).toContainText('经纬度不能都是 0');
  await expect(p.getByText('经纬度不能都是 0')).toHaveCount(1);
  await expect(rider.item(`零点 ${run}`)).toHaveCount(0);

  await rider.context.setOffline(false);
  await rider.expectStates([first, second], 'received');
  await console_.expectNotes([first, second]);
  const row1 = console_.rows().filter({ hasText: first });
  const row2 = console_.rows().filter({ hasText: second });
  await expect(row1).toContainText('28.83960, 108.77120');
  await expect(row1).toContainText('A 点');
  await expect(row2).toContainText('28.86660, 108.77120');
  await expect(row2).toContainText('±25 米');
  await expect(row2).not.toContainText('A 点');
  await expect(row2).not.toContainText('28.83960');
  await desk.close();
  await rider.context.close();
});

test('a fix older than two minutes is refreshed or confirmed before it is used', async ({ browser }) => {
  const run = Date.now().toString(36);
  const rider = await newRider(browser, undefined, true);
  const p = rider.page;
  const fix = p.getByTestId('location-fix');
  await expect(fix).toHaveAttribute('data-stale', 'false');
  await expect(p.getByTestId('location-age')).toContainText(/刚刚|秒前/);

  // The phone sits in a pocket for two and a half minutes.
  await p.clock.fastForward('02:30');
  await expect(fix).toHaveAttribute('data-stale', 'true');
  await expect(p.getByTestId('location-age')).toContainText('2 分钟前');
  await pick(p, '路灯损坏', `旧位置 ${run}`);
  await p.getByRole('button', { name: '提交' }).click();
  await expect(p.getByTestId('form-status')).toContainText('请重新获取');
  await expect(rider.item(`旧位置 ${run}`)).toHaveCount(0);

  // The rider says they are still there: the fix may be used.
  await p.getByRole('button', { name: '仍在此处' }).click();
  await expect(fix).toHaveAttribute('data-stale', 'false');
  await p.getByRole('button', { name: '提交' }).click();
  await expect(rider.item(`旧位置 ${run}`)).toHaveCount(1);

  // Stale again; this time a fresh fix is taken.
  await p.clock.fastForward('03:00');
  await expect(fix).toHaveAttribute('data-stale', 'true');
  await p.getByRole('button', { name: '获取位置' }).click();
  await expect(fix).toHaveAttribute('data-stale', 'false');
  await pick(p, '路灯损坏', `新位置 ${run}`);
  await p.getByRole('button', { name: '提交' }).click();
  await expect(rider.item(`新位置 ${run}`)).toHaveCount(1);
  await rider.context.close();
});

test('the badge never runs under the title, the saved message never covers 提交, and controls are big enough', async ({
  browser,
}) => {
  const run = Date.now().toString(36);
  const rider = await newRider(browser, { width: 375, height: 667 });
  const p = rider.page;
  const submit = p.getByRole('button', { name: '提交' });
  // On a 375×667 phone 提交 is on screen without scrolling.
  await expect(submit).toBeInViewport({ ratio: 1 });
  for (const name of ['获取位置', '手动填写位置', '提交']) {
    const b = await box(p.getByRole('button', { name }));
    expect(b.height, name).toBeGreaterThanOrEqual(44);
  }
  for (const name of ['消防通道堵塞', '其他']) {
    const chip = p.locator('label.chip').filter({ hasText: name });
    expect((await box(chip)).height, name).toBeGreaterThanOrEqual(44);
  }

  // The longest badge: offline, reports waiting, a photo waiting.
  await rider.goOfflineAndReload();
  const png = await p.screenshot();
  for (const [i, note] of [`徽标一 ${run}`, `徽标二 ${run}`].entries()) {
    await pick(p, '道路破损', note);
    if (i === 0) {
      await p.getByTestId('photo-gallery').setInputFiles([{ name: 'a.png', mimeType: 'image/png', buffer: png }]);
      await expect(p.getByTestId('picked-photo')).toHaveCount(1);
    }
    await expect(p.getByTestId('location-fix')).toBeVisible();
    await submit.click();
    const saved = p.getByText('已保存到手机');
    await expect(saved).toBeVisible();
    expect(intersects(await box(saved), await box(submit))).toBe(false);
    await expect(submit).toBeInViewport({ ratio: 1 });
    await expect(rider.item(note)).toHaveCount(1);
  }
  await expect(rider.badge).toHaveText('离线 · 2 条待发送 · 1 张照片待上传');

  const title = p.getByRole('heading', { level: 1 });
  for (const width of [320, 375, 414]) {
    await p.setViewportSize({ width, height: 667 });
    await p.evaluate(() => window.scrollTo(0, 0));
    const [t, b] = [await box(title), await box(rider.badge)];
    expect(intersects(t, b), `at ${width} px: title ${JSON.stringify(t)}, badge ${JSON.stringify(b)}`).toBe(false);
    expect(b.x + b.width, `badge inside the screen at ${width} px`).toBeLessThanOrEqual(width);
    await expect(submit).toBeInViewport({ ratio: 1 });
    if (process.env.NUANXIN_SCREENSHOTS === '1' && width === 320) {
      await p.screenshot({ path: '../docs/screenshots/rider-form-320.png' });
    }
  }
  await rider.context.close();
});

test('a file that is not a photo, and a fourth photo, are explained in Chinese', async ({ browser }) => {
  const rider = await newRider(browser);
  const p = rider.page;
  await p.getByTestId('photo-gallery').setInputFiles([
    { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a photo at all') },
  ]);
  const problem = p.getByTestId('photo-problem');
  await expect(problem).toBeVisible();
  const text = (await problem.textContent()) ?? '';
  expect(text).toMatch(/照片/);
  expect(text, 'no English in a Chinese message').not.toMatch(/[A-Za-z]/);
  await expect(p.getByTestId('picked-photo')).toHaveCount(0);

  // Four different pictures, so none is dropped as the same photo.
  const four = [];
  for (const i of [1, 2, 3, 4]) {
    const exif = { takenAt: '2026:11:26 08:00:00', lat: 28.84, lon: 108.77 };
    four.push({ name: `p${i}.jpg`, mimeType: 'image/jpeg', buffer: await cameraJpeg(p, 400, 300, exif, i) });
  }
  await p.getByTestId('photo-gallery').setInputFiles(four);
  await expect(problem).toContainText('最多 3 张');
  await expect(problem).toContainText('1 张没有添加');
  await expect(p.getByTestId('picked-photo')).toHaveCount(3);
  await rider.context.close();
});
