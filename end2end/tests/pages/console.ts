import { expect, type Browser, type Locator, type Page } from '@playwright/test';

/** The supervisors' triage console. */
export class Console {
  constructor(readonly page: Page) {}

  /** The console open on a new 1280×800 desktop, logged in. */
  static async onDesk(browser: Browser): Promise<Console> {
    const desk = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const console_ = new Console(await desk.newPage());
    await console_.open();
    return console_;
  }

  rows(): Locator {
    return this.page.getByTestId('console-row');
  }

  async open(login = 'grid-youyang', password = 'nuanxin-demo') {
    await this.page.goto('/login');
    await this.page.getByLabel('账号').fill(login);
    await this.page.getByLabel('密码').fill(password);
    await this.page.getByRole('button', { name: '登录' }).click();
    await expect(this.page).toHaveURL(/\/console/);
    await expect(this.page.getByRole('table')).toBeVisible();
  }

  /** Polls until each note appears exactly once, without reloading the page. */
  async expectNotes(notes: string[]) {
    for (const note of notes) {
      await expect
        .poll(async () => this.rows().filter({ hasText: note }).count(), { timeout: 60_000 })
        .toBe(1);
    }
  }
}
