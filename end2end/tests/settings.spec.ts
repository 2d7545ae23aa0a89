import { expect, test } from '@playwright/test';
import { Console } from './pages/console';
import { RiderApp } from './pages/rider';
import { randomPhone, ServerCli } from './pages/server';

test("a county's own reasons and awards: the triage keys offer them, riders' pending points follow, and a notice reaches riders", async ({
  browser,
}) => {
  const note = `县级设置 ${Date.now().toString(36)}`;
  const console_ = await Console.onDesk(browser);
  const desk = console_.page;
  // What the county has now, to put back at the end.
  const before = await (await desk.request.get('/api/settings')).json();

  try {
    // A sixth reason, and 35 points for a blocked fire lane.
    await desk.getByTestId('settings-toggle').click();
    const form = desk.getByTestId('settings');
    const reasons = form.getByTestId('settings-reasons');
    await expect(reasons).toHaveValue(/照片不清/);
    await reasons.fill(`${before.reasons.join('\n')}\n占道经营`);
    await form.getByTestId('settings-award-fire_lane').fill('35');
    // No department at all is refused with the rule.
    const departments = form.getByTestId('settings-departments');
    await departments.fill('');
    await form.getByTestId('settings-save').click();
    await expect(form.getByTestId('settings-result')).toHaveText(
      '转办部门应为 1 到 9 个，每个 1 到 20 个字',
    );
    await departments.fill(before.departments.join('\n'));
    await form.getByTestId('settings-save').click();
    await expect(form.getByTestId('settings-result')).toContainText('已保存');
    if (process.env.NUANXIN_SCREENSHOTS === '1') {
      await form.scrollIntoViewIfNeeded();
      await desk.screenshot({ path: '../docs/screenshots/console-settings.png' });
    }

    // A new rider files a fire lane: pending at the county's 35.
    const rider = await RiderApp.onPhone(browser);
    const invite = new ServerCli().createInvite('youyang', 1);
    await rider.register({ phone: randomPhone(), name: '设置骑手', password: 'shezhi-2026', invite });
    await rider.file({ category: '消防通道堵塞', note });
    await rider.expectStates([note], 'received');
    await rider.page.getByRole('link', { name: '积分' }).click();
    await expect(rider.page.getByTestId('points-pending')).toContainText('+35');

    // i offers the county's reasons, the new one sixth; 6 picks it.
    await console_.expectNotes([note]);
    const row = console_.rows().filter({ hasText: note });
    await row.focus();
    await desk.keyboard.press('i');
    await expect(row.getByTestId('pick-choice')).toHaveCount(before.reasons.length + 1);
    await expect(row.getByTestId('pick-choice').last()).toHaveText('占道经营');
    await desk.keyboard.press(String(before.reasons.length + 1));
    await expect(row.getByTestId('console-status')).toHaveText('无效');

    // A notice to every rider of the county: sent on the second click, read on the phone.
    const text = `午后高温，请到驿站休息 ${note}`;
    await desk.getByTestId('notice-text').fill(text);
    await desk.getByTestId('notice-send').click();
    await expect(desk.getByTestId('notice-send')).toHaveText('确认发送给全县骑手');
    await desk.getByTestId('notice-send').click();
    await expect(desk.getByTestId('notice-result')).toContainText('已发送给');
    const notice = rider.page.getByTestId('notice').filter({ hasText: text });
    await expect(notice).toContainText('通知', { timeout: 30_000 });
    await rider.context.close();
  } finally {
    const put = await desk.request.put('/api/settings', { data: before });
    expect(put.status()).toBe(200);
    await desk.context().close();
  }
});
