import { defineConfig } from '@playwright/test';

// The server under test: the debug build, on a fresh data folder, serving the release build of
// the app from ../dist. Tests share it, so each test asserts on its own unique notes.
const port = Number(process.env.NUANXIN_E2E_PORT ?? 18080);
const data = '../target/e2e-data';

export default defineConfig({
  testDir: './tests',
  testMatch: '*.spec.ts',
  workers: 1,
  timeout: 120_000,
  expect: { timeout: 20_000 },
  reporter: [['list']],
  outputDir: './test-results',
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    viewport: { width: 375, height: 812 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    serviceWorkers: 'allow',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-dev-shm-usage',
      ],
    },
  },
  webServer: {
    command:
      `rm -rf ${data} && NUANXIN_DATA=${data} NUANXIN_ADDR=127.0.0.1:${port} ` +
      `NUANXIN_DIST=../dist ${process.env.NUANXIN_BIN ?? '../target/debug/nuanxin'} serve`,
    url: `http://127.0.0.1:${port}/`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe',
  },
});
