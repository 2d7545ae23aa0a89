import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { Console } from './pages/console';
import { RiderApp, youyang } from './pages/rider';

/** Chinese, Japanese and Korean characters, and the full-width punctuation that goes with them. */
const CJK = /[\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]/g;

/** The CJK characters the page shows outside user content (what riders and the county wrote,
 * which the app marks `translate="no"`) and outside text marked as Chinese (the language
 * picker names 中文 in Chinese, with `lang="zh-CN"`), with the title. */
async function cjkOutsideUserContent(page: Page): Promise<string[]> {
  const text = await page.evaluate(() => {
    const body = document.body.cloneNode(true) as HTMLElement;
    const skip = '[translate="no"], [lang^="zh"]';
    body.querySelectorAll(`${skip}, script, noscript`).forEach((e) => e.remove());
    const labels = Array.from(
      document.querySelectorAll('[aria-label], [placeholder], [title], img[alt]'),
    ).filter((e) => !e.closest(skip));
    const attrs = labels.flatMap((e) =>
      ['aria-label', 'placeholder', 'title', 'alt'].map((a) => e.getAttribute(a) ?? ''),
    );
    // Rendered text only: a hidden template or a closed dialog does not count.
    document.body.appendChild(body);
    body.style.position = 'absolute';
    const shown = body.innerText;
    body.remove();
    return [document.title, shown, ...attrs].join('\n');
  });
  return text.match(CJK) ?? [];
}

async function expectEnglish(page: Page) {
  await expect.poll(() => cjkOutsideUserContent(page)).toEqual([]);
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
}

/** Keeps a screenshot with the test's results; `NUANXIN_SCREENSHOTS=1` also refreshes docs/. */
async function shoot(page: Page, info: TestInfo, name: string) {
  await page.screenshot({ path: info.outputPath(`${name}.png`) });
  if (process.env.NUANXIN_SCREENSHOTS === '1') {
    await page.screenshot({ path: `../docs/screenshots/${name}.png` });
  }
}

test('in English, a rider files offline and reads the outbox, stations and Me; 中文 comes back offline', async ({
  browser,
}, info) => {
  const note = `门口堆满纸箱 ${Date.now().toString(36)}`;
  const phone = await browser.newContext({
    locale: 'en-US',
    permissions: ['geolocation'],
    geolocation: youyang,
  });
  const rider = new RiderApp(await phone.newPage(), phone);
  const p = rider.page;

  // The language follows the browser; a refusal is worded by the app from the server's code.
  await p.goto('/login');
  await p.getByLabel('Account').fill('13800000001');
  await p.getByLabel('Password').fill('not-the-password');
  await p.getByRole('button', { name: 'Log in' }).click();
  await expect(p.getByRole('alert')).toHaveText('Wrong phone number or password');
  await expectEnglish(p);
  await shoot(p, info, 'en-login');

  await p.getByLabel('Password').fill('nuanxin-demo');
  await p.getByRole('button', { name: 'Log in' }).click();
  await expect(p.getByRole('button', { name: 'Submit' })).toBeVisible();
  await p.waitForFunction(() => navigator.serviceWorker?.controller != null, null, {
    timeout: 30_000,
  });
  await expect(rider.badge).toContainText('Synced');

  await phone.setOffline(true);
  await p.reload();
  await expect(rider.badge).toContainText('Offline');
  await p.getByRole('radio', { name: 'Blocked fire lane' }).check();
  await p.getByLabel('Note (optional)').fill(note);
  await p.getByRole('button', { name: 'Get location' }).click();
  await expect(p.getByTestId('location-fix')).toContainText('Located');
  await p.getByRole('button', { name: 'Submit' }).click();
  await expect(p.getByText('Saved on this phone')).toBeVisible();
  await expect(rider.item(note)).toContainText('Blocked fire lane');
  await expect(rider.item(note)).toContainText('Saved on phone');
  await expect(rider.badge).toContainText('Offline · 1 unsent');
  await expectEnglish(p);
  await p.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  await p.waitForFunction(() => window.scrollY > 0);
  await shoot(p, info, 'en-rider-outbox-offline');

  await p.getByRole('link', { name: 'Stations' }).click();
  await expect(p.getByTestId('station')).toHaveCount(30);
  await expect(p.getByTestId('station').first()).toContainText('Water');
  await expectEnglish(p);
  await shoot(p, info, 'en-stations');

  await p.getByRole('link', { name: 'Points' }).click();
  await expect(p.getByTestId('points-pending')).toContainText(/Awaiting review: \+[0-9,]+/);
  await expectEnglish(p);

  await p.getByRole('link', { name: 'Me' }).click();
  await expect(p.getByText('Youyang County')).toBeVisible();
  await expect(p.getByText('Rider', { exact: true })).toBeVisible();
  await expectEnglish(p);
  await shoot(p, info, 'en-mine');

  // Back to Chinese with no network: the choice is kept on the phone, across a restart.
  await p.getByTestId('lang-zh-CN').click();
  await expect(p.getByRole('link', { name: '我的' })).toBeVisible();
  await expect(p.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(p.getByText('酉阳县')).toBeVisible();
  await p.reload();
  await expect(rider.badge).toContainText('离线 · 1 条待发送');
  await expect(p.getByTestId('lang-zh-CN')).toHaveAttribute('aria-checked', 'true');
  await p.getByTestId('lang-en').click();
  await expect(p.getByRole('link', { name: 'Me' })).toBeVisible();
  await expect(rider.badge).toContainText('Offline');

  await p.getByRole('link', { name: 'Report' }).click();
  await expect(rider.item(note)).toContainText('Saved on phone');
  await phone.setOffline(false);
  await rider.expectStates([note], 'received');
  await expect(rider.item(note)).toContainText('Received');
  await expect(rider.badge).toContainText('Synced');
  await phone.close();
});

test('in English, the console lists reports and records a decision', async ({ browser }, info) => {
  const note = `路灯不亮 ${Date.now().toString(36)}`;
  const rider = await RiderApp.onPhone(browser);
  await rider.login('13800000002');
  await rider.file({ category: '路灯损坏', note });
  await rider.expectStates([note], 'received');

  const desk = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 800 } });
  const page = await desk.newPage();
  await page.goto('/login');
  await page.getByLabel('Account').fill('grid-youyang');
  await page.getByLabel('Password').fill('nuanxin-demo');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page).toHaveURL(/\/console/);
  const console_ = new Console(page);
  await console_.expectNotes([note]);
  const row = console_.rows().filter({ hasText: note });
  await expect(row).toContainText('Broken street light');
  await expect(row.getByTestId('console-status')).toHaveText('Open');
  await expect(page.getByRole('columnheader', { name: 'Status' })).toBeVisible();
  await expectEnglish(page);
  await shoot(page, info, 'en-console');

  await row.getByRole('button', { name: 'Valid', exact: true }).click();
  await expect(row.getByTestId('console-status')).toHaveText('Valid');
  await expectEnglish(page);
  await rider.context.close();
  await desk.close();
});
