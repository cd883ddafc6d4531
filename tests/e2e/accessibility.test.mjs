// Automated accessibility audits: axe-core (WCAG 2.1 A and AA rules) on the main views of
// the playground, in the light and the dark theme, in Chromium and Firefox. Each view must
// have no violation; the report names the rule, the element and axe's explanation.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, useBuiltSite, KEYS } from './webdriver.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ctx = useBuiltSite({ before, after });
let axeSource;

before(async () => {
  axeSource = await readFile(join(root, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
});

const inputOf = (name) => `.console[data-pane="${name}"] input.command`;

/** Runs axe on the page and returns its WCAG 2.1 A/AA violations, one line each. */
async function audit(session) {
  await session.run(axeSource);
  const violations = await session.run(`
    return axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
      .then(r => r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.help + ' | ' +
        v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' — ' + (n.failureSummary || '').replace(/\\s+/g, ' ')).join(' || ')));`);
  return violations;
}

/** The views audited, each reached from a fresh page. */
const views = [
  ['a lesson with the course map open', async (session) => {
    await session.goto(`${ctx.site.url}#/step/strings-and-expiry`);
    await session.click(await session.waitFor('.course-map-panel > summary'));
    await session.waitFor('.course-map li a');
  }],
  ['the console with output, and the key browser', async (session) => {
    await session.goto(ctx.site.url);
    const input = await session.waitFor(inputOf('A'));
    await session.type(input, 'SET greeting hello' + KEYS.ENTER);
    await session.type(input, 'HGETALL nothing' + KEYS.ENTER);
    await session.type(input, 'NOSUCH' + KEYS.ENTER);
    await session.waitForText('.console[data-pane="A"] .transcript', (s) => s.includes('unknown command'));
    await session.click(await session.find('.toggle-keys'));
    await session.waitForText('.key-browser', (s) => s.includes('greeting'));
  }],
  ['the persistence panel', async (session) => {
    await session.goto(ctx.site.url);
    await session.click(await session.waitFor('.open-persistence'));
    await session.waitFor('.drawer');
  }],
  ['the benchmark panel', async (session) => {
    await session.goto(ctx.site.url);
    await session.click(await session.waitFor('.open-benchmark'));
    await session.waitFor('.drawer');
  }],
  ['a challenge', async (session) => {
    await session.goto(`${ctx.site.url}#/challenge/today`);
    await session.waitFor('.challenge');
  }],
];

for (const browser of ['chromium', 'firefox']) {
  for (const theme of ['light', 'dark']) {
    test(`${browser}, ${theme} theme: no WCAG 2.1 A/AA violation`, async (t) => {
      const session = await launch(browser);
      t.diagnostic(`browser: ${session.version}`);
      try {
        await session.goto(ctx.site.url);
        await session.run('localStorage.setItem("redis-playground.theme", arguments[0]);', theme);
        const found = [];
        for (const [name, reach] of views) {
          await reach(session);
          for (const v of await audit(session)) found.push(`${name}: ${v}`);
        }
        assert.deepEqual(found, []);
      } finally {
        await session.close();
      }
    });
  }
}
