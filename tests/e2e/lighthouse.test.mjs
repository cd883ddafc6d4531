// Lighthouse's accessibility audit of the main page (lighthouse 12.2.3 from npm, the last
// release that runs on this Node; Chromium as in the other tests): the score must be at least
// 95, and the audits that fail are named.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import lighthouse from 'lighthouse';
import * as chromeLauncher from 'chrome-launcher';
import { useBuiltSite } from './webdriver.mjs';

const ctx = useBuiltSite({ before, after });

test('lighthouse: the main page scores at least 95 for accessibility', async (t) => {
  const chrome = await chromeLauncher.launch({
    chromePath: process.env.CHROMIUM_BINARY ?? '/usr/bin/chromium',
    chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  try {
    const result = await lighthouse(ctx.site.url, {
      port: chrome.port,
      onlyCategories: ['accessibility'],
      output: 'json',
      logLevel: 'error',
    });
    const { lhr } = result;
    const score = Math.round(lhr.categories.accessibility.score * 100);
    const failing = Object.values(lhr.audits)
      .filter((a) => a.scoreDisplayMode === 'binary' && a.score === 0)
      .map((a) => `${a.id}: ${a.title}`);
    t.diagnostic(`Lighthouse ${lhr.lighthouseVersion} accessibility score ${score}; failing: ${failing.join('; ') || 'none'}`);
    assert.ok(score >= 95, `score ${score}: ${failing.join('; ')}`);
  } finally {
    await chrome.kill();
  }
});
