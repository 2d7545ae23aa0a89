import base from './playwright.config';
import { defineConfig } from '@playwright/test';

// Benchmarks reuse the test server set-up; they print figures rather than assert targets.
export default defineConfig({ ...base, testDir: './bench', testMatch: '*.bench.ts' });
