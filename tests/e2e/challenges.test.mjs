// End-to-end: a challenge page checks the learner's data. Its check fails on an empty database,
// hints open one at a time, and after the learner types a solution into the console the check
// passes and the pass is recorded for the progress tracker.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { launch, useBuiltSite, KEYS } from './webdriver.mjs';

const ctx = useBuiltSite({ before, after });

const click = (session, css) => session.run('document.querySelector(arguments[0]).click();', css);

test('solve the session-store challenge in the console and pass its check', async (t) => {
  const session = await launch('chromium');
  t.diagnostic(`browser: ${session.version}`);
  try {
    await session.goto(`${ctx.site.url}#/challenge/session-store`);
    await session.waitForText('.challenge .step-title', (s) => s.includes('session store'));
    await session.run(`window.__passed = [];
      window.addEventListener('redis-playground:challenge-passed', (e) => window.__passed.push(e.detail));`);

    // Nothing done yet: every line says what is missing.
    await click(session, '.check-solution');
    const failed = await session.waitForText('.check-results.failed', (s) => s.includes('Not yet'));
    assert.match(failed, /✗ session:ab12 is a hash: session:ab12 does not exist/);

    // Hints come one at a time.
    await click(session, '.show-hint');
    await session.waitForText('.show-hint', (s) => s.includes('2 of 3'));
    assert.equal(await session.run('return document.querySelectorAll(".hints li.hint").length;'), 1);

    // Load the scenario, then solve it by typing.
    await click(session, '.challenge .scenario');
    await session.waitForText('.console[data-pane="A"] .transcript', (s) => s.includes('EXPIRE session:zz99 1800'));
    const input = await session.waitFor('.console input.command');
    for (const line of [
      'HINCRBY session:ab12 cart_items 1',
      'EXPIRE session:ab12 1800',
      'HSET session:cd34 user_id 7 name bob cart_items 0',
      'EXPIRE session:cd34 1800',
      'DEL session:zz99',
    ]) {
      await session.type(input, line + KEYS.ENTER);
    }
    await session.waitForText('.console[data-pane="A"] .transcript', (s) => s.includes('DEL session:zz99'));

    await click(session, '.check-solution');
    const passed = await session.waitForText('.check-results.passed', (s) => s.includes('Passed'));
    const [ok, total] = await session.run(
      'return [document.querySelectorAll(".check-results li.ok").length, document.querySelectorAll(".check-results li").length];',
    );
    assert.equal(ok, total, passed);
    assert.ok(total >= 10, passed);
    await writeFile(join(ctx.shots, 'challenge-passed.png'), await session.screenshot());

    // The pass is recorded as the progress tracker expects.
    const stored = await session.run('return localStorage.getItem("redis-playground:challenges-passed");');
    assert.deepEqual(JSON.parse(stored), ['session-store']);
    assert.deepEqual(await session.run('return window.__passed;'), ['session-store']);
    // Checking again does not store it twice.
    await click(session, '.check-solution');
    await session.waitForText('.check-results.passed', (s) => s.includes('Passed'));
    const again = await session.run('return localStorage.getItem("redis-playground:challenges-passed");');
    assert.deepEqual(JSON.parse(again), ['session-store']);

    // After a reload, the course map ticks it.
    await session.run('location.reload();');
    const map = await session.waitForText('.course-map .challenges', (s) => s.includes('session store'));
    const ticked = await session.run(
      'return [...document.querySelectorAll(".course-map .challenges li")].filter(li => li.querySelector(".passed-mark")).map(li => li.querySelector("a").getAttribute("href"));',
    );
    assert.deepEqual(ticked, ['#/challenge/session-store'], map);
  } finally {
    await session.close();
  }
});

test("the daily-challenge lab links to today's challenge", async () => {
  const session = await launch('chromium');
  try {
    await session.goto(`${ctx.site.url}#/step/lab-cache-stampede`);
    await session.waitFor('.step a[href="#/challenge/today"]');
    await click(session, '.step a[href="#/challenge/today"]');
    const meta = await session.waitForText('.challenge .step-meta', (s) => s.includes("Today's challenge"));
    assert.match(meta, /min/);
    const today = await session.run(
      'return document.querySelector(".course-map .challenges li .daily-badge").closest("li").querySelector("a").textContent;',
    );
    const title = await session.run('return document.querySelector(".challenge .step-title").textContent;');
    assert.equal(today, title);
    // The solution opens on request, with Run buttons like a step's.
    await click(session, '.show-solution');
    await session.waitFor('.challenge .solution .code.redis button.run');
  } finally {
    await session.close();
  }
});
