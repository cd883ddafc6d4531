// End-to-end: curriculum steps open by deep link, and their Run buttons type into the consoles.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { launch, useBuiltSite, KEYS } from './webdriver.mjs';

const ctx = useBuiltSite({ before, after });

/** Clicks the Run button of the n-th runnable block of the open step. */
async function runBlock(session, n) {
  await session.run('document.querySelectorAll(".step .code.redis button.run")[arguments[0]].click();', n);
}

test('a deep link opens the leaderboard step and Run fills the console', async (t) => {
  const session = await launch('chromium');
  t.diagnostic(`browser: ${session.version}`);
  try {
    await session.goto(`${ctx.site.url}#/step/leaderboard`);
    await session.waitForText('.step-title', (s) => s.includes('leaderboard'));
    await runBlock(session, 0);
    const text = await session.waitForText('.console[data-pane="A"] .transcript', (s) => s.includes('1) "carol"'));
    assert.match(text, /ZREVRANK game "alice"\s*\(integer\) 2/);
    await writeFile(join(ctx.shots, 'leaderboard-step.png'), await session.screenshot());
  } finally {
    await session.close();
  }
});

test('the pub/sub step runs across two console panes', async (t) => {
  const session = await launch('chromium');
  t.diagnostic(`browser: ${session.version}`);
  try {
    await session.goto(`${ctx.site.url}#/step/pub-sub`);
    await session.waitFor('.console[data-pane="B"]');
    await runBlock(session, 0); // SUBSCRIBE in pane A
    await session.waitForText('.console[data-pane="A"] .transcript', (s) => s.includes('Reading messages'));
    await runBlock(session, 1); // PUBLISH in pane B
    await session.waitForText('.console[data-pane="B"] .transcript', (s) => s.includes('(integer) 1'));
    const a = await session.waitForText('.console[data-pane="A"] .transcript', (s) => s.includes('"alice joined"'));
    assert.match(a, /1\) "message"\s*2\) "room:42"\s*3\) "alice joined"/);
    await writeFile(join(ctx.shots, 'split-panes-pubsub.png'), await session.screenshot());
  } finally {
    await session.close();
  }
});

test('the course map filters steps by the chosen level', async () => {
  const session = await launch('chromium');
  try {
    await session.goto(ctx.site.url);
    await session.waitFor('.course-map');
    await session.run('[...document.querySelectorAll(".level-choice")].find(b => b.textContent === "Beginner").click();');
    const titles = await session.run('return [...document.querySelectorAll(".course-map li a")].map(a => a.textContent);');
    assert.ok(titles.length >= 3, JSON.stringify(titles));
    assert.ok(!titles.some((t) => t.includes('leaderboard')), JSON.stringify(titles));
    await writeFile(join(ctx.shots, 'course-map.png'), await session.screenshot());
  } finally {
    await session.close();
  }
});

test('a blocked BRPOP waits visibly until another pane pushes a job', async (t) => {
  const session = await launch('chromium');
  t.diagnostic(`browser: ${session.version}`);
  try {
    await session.goto(`${ctx.site.url}#/step/job-queue`);
    await session.waitFor('.console[data-pane="B"]');
    await runBlock(session, 1); // BRPOP jobs 0 in pane A: the queue is empty
    const waiting = await session.waitForText('.console[data-pane="A"] .stop-reading', (s) => s.includes('Waiting'));
    assert.match(waiting, /Ctrl-C/);
    await runBlock(session, 2); // LPUSH in pane B
    const a = await session.waitForText('.console[data-pane="A"] .transcript', (s) => s.includes('email'));
    assert.match(a, /1\) "jobs"\s*2\) "\{\\"task\\":\\"email\\",\\"id\\":3\}"/);
    await writeFile(join(ctx.shots, 'blocking-across-panes.png'), await session.screenshot());
  } finally {
    await session.close();
  }
});

test('on a phone the lesson stacks above the console', async () => {
  const session = await launch('chromium');
  try {
    await session.cmd('POST', '/window/rect', { width: 390, height: 844 });
    await session.goto(`${ctx.site.url}#/step/strings-and-expiry`);
    await session.waitForText('.step-title', (s) => s.includes('expire'));
    const [lesson, consoles] = await session.run(
      'return [".curriculum", ".consoles"].map(s => document.querySelector(s).getBoundingClientRect().top);',
    );
    assert.ok(lesson < consoles, `lesson top ${lesson}, console top ${consoles}`);
    await writeFile(join(ctx.shots, 'phone-layout.png'), await session.screenshot());
  } finally {
    await session.close();
  }
});

test('search finds steps by command, and Reset data reruns a step setup', async () => {
  const session = await launch('chromium');
  try {
    await session.goto(`${ctx.site.url}#/step/transactions`);
    // The map is folded so that the lesson starts at the top: open it first.
    await session.click(await session.waitFor('.course-map-panel > summary'));
    const search = await session.waitFor('.course-map .search');
    await session.type(search, 'ZREVRANGE');
    const titles = await session.run('return [...document.querySelectorAll(".course-map li a")].map(a => a.textContent);');
    assert.ok(titles.some((t) => t.includes('leaderboard')), JSON.stringify(titles));
    assert.ok(!titles.some((t) => t.includes('MULTI')), JSON.stringify(titles));
    await session.run('document.querySelector(".step-meta .reset").click();');
    await session.waitForText('.console[data-pane="A"] .transcript', (s) => s.includes('SET inventory:sku1 10'));
  } finally {
    await session.close();
  }
});

test('the self-assessment checklist remembers ticks, and the cheatsheet lists the command table', async () => {
  const session = await launch('chromium');
  try {
    await session.goto(`${ctx.site.url}#/step/lab-self-assessment`);
    await session.waitFor('.step input.task');
    await session.run('document.querySelector(".step input.task").click();');
    await session.run('location.reload();');
    await session.waitFor('.step input.task');
    const ticked = await session.run('return document.querySelector(".step input.task").checked;');
    assert.equal(ticked, true);
    await session.goto(`${ctx.site.url}#/step/lab-cheatsheet`);
    const table = await session.waitForText('.command-table', (s) => s.includes('ZADD'));
    assert.match(table, /ZADD key \[NX\|XX\] \[GT\|LT\] \[CH\] \[INCR\] score member \[score member \.\.\.\]/);
  } finally {
    await session.close();
  }
});

test('a lab step checks the learner\'s work: not yet on an empty database, passed after its blocks', async () => {
  const session = await launch('chromium');
  try {
    await session.goto(`${ctx.site.url}#/step/lab-wednesday-leaderboard`);
    await session.waitForText('.step-title', (s) => s.includes('eaderboard'));
    await session.run('document.querySelector(".step .check .check-solution").click();');
    const failed = await session.waitForText('.step .check-results.failed', (s) => s.includes('Not yet'));
    assert.match(failed, /✗/);
    await runBlock(session, 0); // ZADD board:week:23 ... GT
    await session.waitForText('.console[data-pane="A"] .transcript', (s) => s.includes('"4600"'));
    await runBlock(session, 3); // the monthly boards (ZUNIONSTORE)
    await session.waitForText('.console[data-pane="A"] .transcript', (s) => s.includes('AGGREGATE MAX'));
    await session.waitForText('.console[data-pane="A"] .transcript', (s) => (s.match(/\(integer\) 6/g) || []).length >= 2);
    await session.run('document.querySelector(".step .check .check-solution").click();');
    const passed = await session.waitForText('.step .check-results.passed', (s) => s.includes('Passed'));
    assert.doesNotMatch(passed, /✗/);
  } finally {
    await session.close();
  }
});
