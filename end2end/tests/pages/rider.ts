import { expect, type Browser, type BrowserContext, type Locator, type Page } from '@playwright/test';

export type Manual = { lat: string; lon: string; place: string };
export type NewReport = { category: string; note: string; manual?: Manual };

/** Where the demo county's riders work (酉阳, 桃花源). */
export const youyang = { latitude: 28.8396, longitude: 108.7712, accuracy: 18 };

/** The rider's app: login, the 随手拍 form and the outbox. */
export class RiderApp {
  constructor(
    readonly page: Page,
    readonly context: BrowserContext,
  ) {}

  /** A new phone (375×812) with geolocation allowed, at `where`. */
  static async onPhone(browser: Browser, where = youyang): Promise<RiderApp> {
    const context = await browser.newContext({ permissions: ['geolocation'], geolocation: where });
    return new RiderApp(await context.newPage(), context);
  }

  get badge(): Locator {
    return this.page.getByTestId('sync-badge');
  }

  outboxItems(): Locator {
    return this.page.getByTestId('outbox-item');
  }

  item(note: string): Locator {
    return this.outboxItems().filter({ hasText: note });
  }

  /** Logs in online, waits for the service worker to control the page and the rider document
   * to arrive, so the app can then start and file offline. */
  async login(login: string, password = 'nuanxin-demo') {
    await this.page.goto('/login');
    await this.page.getByLabel('账号').fill(login);
    await this.page.getByLabel('密码').fill(password);
    await this.page.getByRole('button', { name: '登录' }).click();
    await expect(this.page.getByRole('button', { name: '提交' })).toBeVisible();
    await this.page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, {
      timeout: 30_000,
    });
    await expect(this.badge).toContainText('已同步');
  }

  /** Fills in the registration form and submits it (the page is left as the server answered). */
  async submitRegistration(r: { phone: string; name: string; password: string; invite: string }) {
    const p = this.page;
    await p.goto('/register');
    await p.getByLabel('手机号').fill(r.phone);
    await p.getByLabel('姓名').fill(r.name);
    await p.getByLabel('密码').fill(r.password);
    await p.getByLabel('邀请码').fill(r.invite);
    await p.getByRole('button', { name: '注册' }).click();
  }

  /** Registers a new rider online and waits, as `login` does, until the app works offline. */
  async register(r: { phone: string; name: string; password: string; invite: string }) {
    await this.submitRegistration(r);
    await expect(this.page.getByRole('button', { name: '提交' })).toBeVisible();
    await this.page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, {
      timeout: 30_000,
    });
    await expect(this.badge).toContainText('已同步');
  }

  /** Opens the 我的 tab. */
  async openMine() {
    await this.page.getByRole('link', { name: '我的' }).click();
    await expect(this.page.getByTestId('me-login')).toBeVisible();
  }

  /** Cuts the network and restarts the app from the service worker, so no socket is open. */
  async goOfflineAndReload() {
    await this.context.setOffline(true);
    await this.page.reload();
    await expect(this.page.getByRole('button', { name: '提交' })).toBeVisible();
    await expect(this.badge).toContainText('离线');
  }

  async file(r: NewReport) {
    const p = this.page;
    await p.getByRole('radio', { name: r.category }).check();
    await p.getByLabel('补充说明（选填）').fill(r.note);
    if (r.manual) {
      await p.getByRole('button', { name: '获取位置' }).click();
      await expect(p.getByTestId('location-error')).toBeVisible();
      const lat = p.getByLabel('纬度');
      if (!(await lat.isVisible())) {
        await p.getByRole('button', { name: '手动填写位置' }).click();
      }
      await lat.fill(r.manual.lat);
      await p.getByLabel('经度').fill(r.manual.lon);
      await p.getByLabel('地点描述').fill(r.manual.place);
    } else {
      await p.getByRole('button', { name: '获取位置' }).click();
      await expect(p.getByTestId('location-fix')).toBeVisible();
    }
    await p.getByRole('button', { name: '提交' }).click();
    await expect(p.getByText('已保存到手机')).toBeVisible();
    await expect(this.item(r.note)).toHaveCount(1);
  }

  /** Polls until every listed note shows the given outbox state. */
  async expectStates(notes: string[], state: 'local' | 'sending' | 'received') {
    for (const note of notes) {
      await expect
        .poll(async () => this.item(note).getAttribute('data-state'), { timeout: 60_000 })
        .toBe(state);
    }
  }
}
