// End-to-end: the key browser beside the console shows the focused pane's keys live, draws a
// sorted set as a ranked table, counts TTLs down on the engine clock and stays invisible to
// CLIENT LIST.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { launch, useBuiltSite, KEYS } from './webdriver.mjs';

const ctx = useBuiltSite({ before, after });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The countdown shown for `key` in the list, in milliseconds (null if none). */
async function countdown(session, key) {
  const text = await session.run(
    `const li = [...document.querySelectorAll(".kb-key")].find(e => e.querySelector(".kb-name").textContent === arguments[0]);
     const ttl = li && li.querySelector(".kb-ttl");
     return ttl ? ttl.textContent : null;`,
    key,
  );
  const m = text && text.match(/(\d+)\.(\d) s/);
  return m ? Number(m[1]) * 1000 + Number(m[2]) * 100 : null;
}

/** Polls the countdown of `key` until `predicate` holds (15 s at most); resolves to it. */
async function countdownUntil(session, key, predicate, what) {
  const deadline = Date.now() + 15000;
  for (;;) {
    const ms = await countdown(session, key);
    if (ms !== null && predicate(ms)) return ms;
    if (Date.now() > deadline) throw new Error(`the countdown of ${key} never went ${what} (reads ${ms})`);
    await sleep(100);
  }
}

test('the key browser shows a sorted set as a ranked table and counts a TTL down', async (t) => {
  const session = await launch('chromium');
  t.diagnostic(`browser: ${session.version}`);
  try {
    await session.goto(ctx.site.url);
    const input = await session.waitFor('.console[data-pane="A"] input.command');
    const lines = [
      'ZADD board 10 alice 5 bob', 'ZADD board 7.5 carol', 'SET session:1 token EX 50',
      'HSET user:1 name Ada lang Rust', 'SADD tags redis rust', 'SET visits 42',
    ];
    for (const line of lines) {
      await session.type(input, line + KEYS.ENTER);
    }
    await session.waitForText('.console[data-pane="A"] .transcript', (s) => s.split('OK').length > 2);
    await session.click(await session.find('.toggle-keys'));
    await session.waitForText('.kb-keys', (s) => s.includes('board') && s.includes('session:1'));
    // Commands run while it is open show up without any action.
    await session.type(input, 'RPUSH queue a b c' + KEYS.ENTER);
    await session.waitForText('.kb-keys', (s) => s.includes('queue'));

    await session.run('[...document.querySelectorAll(".kb-key")].find(e => e.textContent.includes("board")).click();');
    await session.waitForText('.kb-value', (s) => s.includes('alice'));
    const rows = await session.run(
      'return [...document.querySelectorAll(".kb-ranked tbody tr")].map(tr => [...tr.cells].map(td => td.textContent));',
    );
    assert.deepEqual(rows, [['0', 'bob', '5'], ['1', 'carol', '7.5'], ['2', 'alice', '10']]);
    const selected = await session.run('return document.querySelector(".kb-key[aria-selected=true] .kb-name").textContent;');
    assert.equal(selected, 'board');

    // A change to the selected set is drawn again.
    await session.type(input, 'ZINCRBY board 100 bob' + KEYS.ENTER);
    await session.waitForText('.kb-ranked tbody', (s) => s.startsWith('0carol'));

    // The TTL counts down on its own.
    const first = await countdown(session, 'session:1');
    assert.ok(first !== null && first <= 50000 && first > 40000, String(first));
    await countdownUntil(session, 'session:1', (ms) => ms < first, `below ${first}`);

    // It runs on the engine clock: paused, it stands still; moved forward, it jumps.
    await session.run('[...document.querySelectorAll(".clock-button")].find(b => b.textContent === "Pause").click();');
    // The last repaint before the pause may land late on a busy machine: wait until the value
    // holds, then check that it keeps holding.
    let paused = await countdown(session, 'session:1');
    for (let settled = 0; settled < 3; ) {
      await sleep(250);
      const now = await countdown(session, 'session:1');
      settled = now === paused ? settled + 1 : 0;
      paused = now;
    }
    await sleep(700);
    assert.equal(await countdown(session, 'session:1'), paused);
    await session.run('[...document.querySelectorAll(".clock-button")].find(b => b.textContent === "+10 s").click();');
    const jumped = await countdownUntil(session, 'session:1', (ms) => ms <= paused - 9800, `10 s below ${paused}`);
    assert.ok(Math.abs(paused - 10000 - jumped) <= 200, `${jumped} after ${paused}`);
    await session.run('[...document.querySelectorAll(".clock-button")].find(b => b.textContent === "Resume").click();');

    await writeFile(join(ctx.shots, 'key-browser.png'), await session.screenshot());

    // Arrow keys move the selection through the list.
    const list = await session.find('.kb-keys');
    await session.type(list, KEYS.DOWN);
    await session.waitForText('.kb-key[aria-selected=true] .kb-name', (s) => s === 'queue');
    await session.waitForText('.kb-value', (s) => s.includes('head') && s.includes('tail'));

    // The browser's own client is not one of the learner's.
    await session.type(input, 'CLIENT LIST' + KEYS.ENTER);
    const transcript = await session.waitForText('.console[data-pane="A"] .transcript', (s) => s.includes('cmd=client|list'));
    assert.equal(transcript.match(/id=\d+/g).length, 1, transcript);

    // It stays open after a reload, and closes with the same button.
    await session.run('location.reload();');
    await session.waitFor('.key-browser');
    await session.click(await session.waitFor('.toggle-keys'));
    const open = await session.run('return document.querySelector(".key-browser") !== null;');
    assert.equal(open, false);
  } finally {
    await session.close();
  }
});

test('on a phone the key browser stacks below the console', async () => {
  const session = await launch('chromium');
  try {
    await session.cmd('POST', '/window/rect', { width: 390, height: 844 });
    await session.goto(ctx.site.url);
    await session.click(await session.waitFor('.toggle-keys'));
    await session.waitFor('.key-browser');
    const [consoles, browser] = await session.run(
      'return [".consoles", ".key-browser"].map(s => document.querySelector(s).getBoundingClientRect().top);',
    );
    assert.ok(consoles < browser, `consoles top ${consoles}, key browser top ${browser}`);
  } finally {
    await session.close();
  }
});

test('a stream shows its entries and where each consumer group has read up to', async () => {
  const session = await launch('chromium');
  try {
    await session.goto(ctx.site.url);
    const input = await session.waitFor('.console[data-pane="A"] input.command');
    const lines = [
      'XADD events 1-1 kind login', 'XADD events 2-0 kind logout',
      'XGROUP CREATE events mailer 1-1', 'XGROUP CREATE events audit 0',
    ];
    for (const line of lines) await session.type(input, line + KEYS.ENTER);
    await session.waitForText('.console[data-pane="A"] .transcript', (s) => s.split('OK').length > 2);
    await session.click(await session.find('.toggle-keys'));
    await session.waitForText('.kb-keys', (s) => s.includes('events'));
    await session.run('[...document.querySelectorAll(".kb-key")].find(e => e.textContent.includes("events")).click();');
    const text = await session.waitForText('.kb-stream', (s) => s.includes('2-0'));
    const items = await session.run('return [...document.querySelectorAll(".kb-entries > li")].map(li => li.textContent);');
    assert.deepEqual(items, [
      '▲ group audit: nothing delivered yet', '1-1kind login', '▲ group mailer has read up to 1-1', '2-0kind logout',
    ]);
    assert.match(text, /2 entries, last id 2-0/);
    await writeFile(join(ctx.shots, 'key-browser-stream.png'), await session.screenshot());
  } finally {
    await session.close();
  }
});
