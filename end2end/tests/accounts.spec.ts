import { expect, test, type Browser } from '@playwright/test';
import { Console } from './pages/console';
import { RiderApp } from './pages/rider';
import { randomPhone, ServerCli } from './pages/server';

const cli = new ServerCli();
const password = 'baofeng-2026';
const where = { latitude: 28.8396, longitude: 108.7712, accuracy: 18 };

/** A phone (375×812, geolocation allowed) with the app open. */
async function newPhone(browser: Browser): Promise<RiderApp> {
  const context = await browser.newContext({
    viewport: { width: 375, height: 812 },
    permissions: ['geolocation'],
    geolocation: where,
  });
  return new RiderApp(await context.newPage(), context);
}

test('an expired session asks to log in again, and the queued report is sent once', async ({
  browser,
  request,
}) => {
  const run = Date.now().toString(36);
  const note = `过期后补发 ${run}`;
  const phone = randomPhone();
  const invite = cli.createInvite('youyang', 5);

  const rider = await newPhone(browser);
  await rider.register({ phone, name: '新骑手', password, invite });
  await rider.goOfflineAndReload();
  await rider.file({ category: '消防通道堵塞', note });
  await rider.expectStates([note], 'local');

  // An administrator ends the rider's sessions while the phone is offline.
  cli.logoutUser(phone);
  await rider.context.setOffline(false);
  const prompt = rider.page.getByTestId('relogin');
  await expect.poll(async () => prompt.isVisible(), { timeout: 60_000 }).toBe(true);
  await expect(rider.item(note)).toHaveAttribute('data-state', 'local');

  await prompt.getByRole('button', { name: '重新登录' }).click();
  await expect(rider.page.getByLabel('账号')).toHaveValue(phone);
  await rider.page.getByLabel('密码').fill(password);
  await rider.page.getByRole('button', { name: '登录' }).click();
  await expect(prompt).toBeHidden();
  await rider.expectStates([note], 'received');
  await expect(rider.badge).toContainText('已同步');
  await expect(rider.item(note)).toHaveCount(1);

  const desk = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const console_ = new Console(await desk.newPage());
  await console_.open();
  await console_.expectNotes([note]);

  // The index holds the report once, however often it was offered.
  const login = await request.post('/api/login', {
    data: { login: 'grid-youyang', password: 'nuanxin-demo' },
  });
  expect(login.ok()).toBe(true);
  const list = await request.get('/api/reports?limit=500');
  expect(list.ok()).toBe(true);
  const { reports } = (await list.json()) as { reports: { note: string }[] };
  expect(reports.filter((r) => r.note === note)).toHaveLength(1);

  await rider.context.close();
  await desk.close();
});

test('logging out with an unsent report warns first and keeps it for the next login', async ({
  browser,
}) => {
  const run = Date.now().toString(36);
  const note = `退出前未发送 ${run}`;
  const phone = randomPhone();
  const invite = cli.createInvite('youyang', 1);

  const rider = await newPhone(browser);
  await rider.register({ phone, name: '测试骑手', password, invite });
  await rider.goOfflineAndReload();
  await rider.file({ category: '路灯损坏', note });

  await rider.openMine();
  await rider.page.getByRole('button', { name: '退出登录' }).click();
  const dialog = rider.page.getByRole('alertdialog');
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('有 1 条上报尚未发送');
  await expect(dialog).toContainText('仍保存在这部手机上');

  await dialog.getByRole('button', { name: '取消' }).click();
  await expect(dialog).toBeHidden();
  await expect(rider.page.getByTestId('me-login')).toHaveText(phone);

  // Logging out anyway keeps the report on the phone; the same rider's next login sends it.
  await rider.page.getByRole('button', { name: '退出登录' }).click();
  await rider.page.getByRole('alertdialog').getByRole('button', { name: '仍然退出' }).click();
  await expect(rider.page).toHaveURL(/\/login$/);
  await rider.context.setOffline(false);

  // Another rider on the same phone neither sees nor sends it, nor is told it is waiting.
  await rider.login('13800000001');
  await expect(rider.item(note)).toHaveCount(0);
  await rider.openMine();
  await rider.page.getByRole('button', { name: '退出登录' }).click();
  await expect(rider.page).toHaveURL(/\/login$/);
  await expect(rider.page.getByRole('alertdialog')).toHaveCount(0);

  await rider.login(phone, password);
  await rider.expectStates([note], 'received');
  await expect(rider.item(note)).toHaveCount(1);
  await rider.context.close();
});

test('registration shows why the server refused it, and asks for a network', async ({
  browser,
}) => {
  const rider = await newPhone(browser);
  await rider.page.goto('/login');
  await rider.page.getByRole('link', { name: '没有账号？用邀请码注册' }).click();
  await expect(rider.page).toHaveURL(/\/register$/);
  await expect(rider.page.getByRole('button', { name: '注册' })).toBeVisible();

  const form = { phone: randomPhone(), name: '错码骑手', password, invite: 'WRONG234' };
  await rider.submitRegistration(form);
  await expect(rider.page.getByRole('alert')).toHaveText('邀请码无效、已用完或已过期');
  await expect(rider.page).toHaveURL(/\/register$/);

  await rider.context.setOffline(true);
  await rider.page.getByRole('button', { name: '注册' }).click();
  await expect(rider.page.getByRole('alert')).toHaveText('网络不可用，请联网后注册');

  await rider.context.setOffline(false);
  await rider.page.getByRole('link', { name: '已有账号？去登录' }).click();
  await expect(rider.page).toHaveURL(/\/login$/);
  await rider.context.close();
});
