// End-to-end tests of a learner's first minutes: the chosen step's title is in view however
// it was chosen, the theme follows a remembered choice, Tab leaves an empty console, Copy says
// what happened, and a huge reply leaves the console fast (the transcript keeps a bounded
// scrollback). Screenshots go to target/e2e/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { launch, useBuiltSite, KEYS } from './webdriver.mjs';

const ctx = useBuiltSite({ before, after });

const pane = (name) => `.console[data-pane="${name}"]`;
const inputOf = (name) => `${pane(name)} input.command`;

/** Where the step title is: its distance from the top of the lesson pane, and the page's own scroll. */
function titlePosition(session) {
  return session.run(`
    const pane = document.querySelector('.pane.curriculum').getBoundingClientRect();
    const title = document.querySelector('.step-title').getBoundingClientRect();
    return { fromPaneTop: Math.round(title.top - pane.top), pageScroll: window.scrollY, paneTop: Math.round(pane.top) };`);
}

async function assertTitleInView(session, what) {
  const at = await titlePosition(session);
  assert.equal(at.pageScroll, 0, `${what}: the page itself is not scrolled`);
  assert.ok(at.fromPaneTop >= 0 && at.fromPaneTop < 220, `${what}: title ${at.fromPaneTop}px below the pane's top`);
}

for (const [name, size] of [['desktop', { width: 1280, height: 900 }], ['phone', { width: 390, height: 844 }]]) {
  test(`chromium ${name}: the chosen step's title is in view, however it was chosen`, async (t) => {
    const session = await launch('chromium');
    t.diagnostic(`browser: ${session.version}`);
    try {
      await session.cmd('POST', '/window/rect', size);
      await session.goto(`${ctx.site.url}#/step/run-redis`);
      await session.waitForText('.step-title', (s) => s.length > 0);
      await assertTitleInView(session, 'a deep link');
      // The next-step link at the bottom of a long lesson.
      const next = await session.find('.step-nav .next');
      const before = await session.run('return document.querySelector(".step-title").textContent;');
      await session.run('arguments[0].scrollIntoView();', { 'element-6066-11e4-a52e-4f735466cecf': next });
      await session.click(next);
      await session.waitForText('.step-title', (s) => s !== before);
      await assertTitleInView(session, 'the next-step link');
      // A step picked in the course map.
      await session.click(await session.find('.course-map-panel > summary'));
      const link = await session.waitFor('.course-map li a[href="#/step/transactions"]');
      await session.click(link);
      await session.waitForText('.step-title', (s) => s.includes('MULTI/EXEC'));
      await assertTitleInView(session, 'the course map');
      await writeFile(join(ctx.shots, `chromium-${name}-lesson-in-view.png`), await session.screenshot());
    } finally {
      await session.close();
    }
  });
}

test('chromium: the header fits one row at 1280 px; at every size no control breaks inside', async (t) => {
  const session = await launch('chromium');
  t.diagnostic(`browser: ${session.version}`);
  try {
    for (const [width, height] of [[360, 740], [390, 844], [768, 1024], [1280, 900]]) {
      await session.cmd('POST', '/window/rect', { width, height });
      await session.goto(ctx.site.url);
      await session.waitFor(inputOf('A'));
      const header = await session.run(`
        const items = [...document.querySelectorAll('.topbar > *, .topbar .clock > *')]
          .filter(e => e.offsetParent !== null && getComputedStyle(e).position !== 'fixed');
        // Rows: vertical centres more than 16 px apart.
        const centres = [...document.querySelectorAll('.topbar > *')]
          .filter(e => e.offsetParent !== null && getComputedStyle(e).position !== 'fixed')
          .map(e => { const r = e.getBoundingClientRect(); return r.top + r.height / 2; })
          .sort((a, b) => a - b);
        const rows = { size: centres.filter((c, i) => i === 0 || c - centres[i - 1] > 16).length };
        const broken = items.filter(e => e.tagName === 'BUTTON' && e.getClientRects().length === 1 &&
          e.getBoundingClientRect().height > 2.4 * parseFloat(getComputedStyle(e).fontSize));
        return { rows: rows.size, broken: broken.map(e => e.textContent),
          overflow: document.documentElement.scrollWidth - window.innerWidth };`);
      t.diagnostic(`${width}×${height}: header in ${header.rows} row(s)`);
      assert.deepEqual(header.broken, [], `${width}×${height}: buttons broken over lines`);
      assert.ok(header.overflow <= 0, `${width}×${height}: the page is ${header.overflow}px wider than the window`);
      if (width >= 1280) assert.equal(header.rows, 1, `${width}×${height}: one header row`);
      if (width === 390) {
        // A phone has keys for what its keyboard lacks; Ctrl-L clears the console.
        const input = await session.find(inputOf('A'));
        await session.type(input, 'PING' + KEYS.ENTER);
        await session.waitForText(`${pane('A')} .transcript`, (s) => s.includes('PONG'));
        const labels = await session.run(`return [...document.querySelectorAll('${pane('A')} .soft-key')].map(k => k.textContent);`);
        assert.deepEqual(labels, ['Tab', '↑', '↓', 'Ctrl-C', 'Ctrl-L']);
        await session.click(await session.find(`${pane('A')} .soft-key[aria-label^="Ctrl-L"]`));
        await session.waitForText(`${pane('A')} .transcript`, (s) => !s.includes('PONG'));
      }
      await writeFile(join(ctx.shots, `chromium-${width}x${height}.png`), await session.screenshot());
    }
  } finally {
    await session.close();
  }
});

test('chromium: prompt cards reflow their text to the card', async (t) => {
  const session = await launch('chromium');
  t.diagnostic(`browser: ${session.version}`);
  try {
    await session.goto(`${ctx.site.url}#/step/lab-cache-invalidation`);
    await session.waitFor('.prompt-card .prompt-text p');
    const paragraphs = await session.run('return [...document.querySelectorAll(".prompt-card .prompt-text p")].map(p => p.textContent);');
    assert.ok(
      paragraphs.includes('Context: A Python service caches products as JSON under "cache:product:<id>" (redis-py, ' +
        'decode_responses=True) and reads them from PostgreSQL through ProductRepository.get(id).'),
      JSON.stringify(paragraphs.slice(0, 4)),
    );
    assert.ok(paragraphs.includes('Requirements:'), JSON.stringify(paragraphs));
  } finally {
    await session.close();
  }
});

for (const browser of ['chromium', 'firefox']) {
  test(`${browser}: the theme toggle switches light and dark and is remembered`, async (t) => {
    const session = await launch(browser);
    t.diagnostic(`browser: ${session.version}`);
    try {
      await session.goto(ctx.site.url);
      const toggle = await session.waitFor('.theme-toggle');
      const background = () => session.run('return getComputedStyle(document.body).backgroundColor;');
      const label = () => session.run('return document.querySelector(".theme-toggle").getAttribute("aria-label");');
      assert.equal(await label(), 'Theme: system');
      await session.click(toggle);
      assert.equal(await label(), 'Theme: light');
      assert.equal(await background(), 'rgb(247, 245, 242)');
      await session.click(toggle);
      assert.equal(await label(), 'Theme: dark');
      assert.equal(await background(), 'rgb(18, 19, 22)');
      await writeFile(join(ctx.shots, `${browser}-theme-dark.png`), await session.screenshot());
      // Remembered across a reload, applied before the app starts.
      await session.goto(ctx.site.url);
      await session.waitFor('.theme-toggle');
      assert.equal(await session.run('return document.documentElement.dataset.theme;'), 'dark');
      assert.equal(await background(), 'rgb(18, 19, 22)');
      await session.click(await session.find('.theme-toggle'));
      assert.equal(await label(), 'Theme: system');
      assert.equal(await session.run('return document.documentElement.dataset.theme ?? null;'), null);
    } finally {
      await session.close();
    }
  });

  test(`${browser}: Tab in an empty console moves on; Copy says Copied`, async (t) => {
    const session = await launch(browser);
    t.diagnostic(`browser: ${session.version}`);
    try {
      await session.goto(ctx.site.url);
      const input = await session.waitFor(inputOf('A'));
      await session.waitForText(`${pane('A')} .input-line .prompt`, (s) => s.length > 0);
      await session.click(input);
      const focusedIsInput = () =>
        session.run('return document.activeElement === document.querySelector(arguments[0]);', inputOf('A'));
      assert.ok(await focusedIsInput());
      await session.type(input, KEYS.TAB);
      assert.equal(await session.run('return document.querySelector(arguments[0]).value;', inputOf('A')), '');
      assert.ok(!(await focusedIsInput()), 'Tab on an empty line leaves the console');
      // With something typed, Tab still completes.
      await session.click(input);
      await session.type(input, 'getr' + KEYS.TAB);
      assert.equal(await session.run('return document.querySelector(arguments[0]).value;', inputOf('A')), 'GETRANGE');
      await session.type(input, KEYS.CONTROL + 'c' + KEYS.NULL);
      await session.type(input, 'PING' + KEYS.ENTER);
      await session.waitForText(`${pane('A')} .transcript`, (s) => s.includes('PONG'));
      // The first Tab stop is a link to the console; Escape closes a panel and gives the
      // keyboard back to its button.
      const skip = await session.find('.skip-link');
      await session.run('document.activeElement.blur(); window.scrollTo(0, 0);');
      await session.type(skip, KEYS.ENTER);
      for (let i = 0; i < 20 && !(await focusedIsInput()); i++) await new Promise((r) => setTimeout(r, 100));
      assert.ok(await focusedIsInput(), 'the skip link gives the console the keyboard');
      await session.click(await session.find('.open-progress'));
      await session.waitFor('.drawer');
      assert.equal(await session.run('return document.activeElement.className;'), 'drawer-close');
      await session.type(await session.find('.drawer-close'), KEYS.ESCAPE);
      assert.equal(await session.run('return document.querySelector(".drawer");'), null);
      assert.ok(await session.run('return document.activeElement.classList.contains("open-progress");'));
      const copy = await session.find(`${pane('A')} .pane-bar .pane-action`);
      await session.click(copy);
      const said = await session.waitForText(`${pane('A')} .pane-bar`, (s) => s.includes('Copied') || s.includes('Copy failed'));
      assert.ok(said.includes('Copied'), said);
    } finally {
      await session.close();
    }
  });

  test(`${browser}: a huge reply keeps the last lines and the console fast`, async (t) => {
    const session = await launch(browser);
    t.diagnostic(`browser: ${session.version}`);
    try {
      await session.goto(ctx.site.url);
      const input = await session.waitFor(inputOf('A'));
      await session.type(input, 'DEBUG POPULATE 30000' + KEYS.ENTER);
      await session.waitForText(`${pane('A')} .transcript`, (s) => s.includes('OK'));
      const started = Date.now();
      await session.type(input, 'KEYS *' + KEYS.ENTER);
      const bar = await session.waitForText(`${pane('A')} .scrollback-bar`, (s) => s.includes('earlier lines hidden'), 60000);
      t.diagnostic(`KEYS * over 30000 keys shown in ${Date.now() - started} ms`);
      const hidden = Number(bar.match(/(\d+) earlier lines hidden/)[1]);
      assert.ok(hidden > 20000, bar);
      const shownLines = await session.run(
        'return [...document.querySelectorAll(arguments[0])].map(e => e.textContent.split("\\n").length).reduce((a, b) => a + b, 0);',
        `${pane('A')} .transcript .line`,
      );
      assert.ok(shownLines <= 10001, `${shownLines} lines rendered`);
      const pingStart = Date.now();
      await session.type(input, 'PING' + KEYS.ENTER);
      await session.waitForText(`${pane('A')} .transcript`, (s) => s.endsWith('PONG') || s.includes('PONG'));
      t.diagnostic(`the next PING answered in ${Date.now() - pingStart} ms`);
      await writeFile(join(ctx.shots, `${browser}-scrollback.png`), await session.screenshot());
    } finally {
      await session.close();
    }
  });
}
