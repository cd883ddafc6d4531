// End-to-end tests of the console beyond one command: hints and Tab as typed, the history,
// split panes with SUBSCRIBE/PUBLISH and MONITOR typed by hand, and a busy script killed from
// its pane. Screenshots go to target/e2e/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile, access } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, serveStatic, KEYS } from './webdriver.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = process.env.DIST_DIR ?? join(root, 'dist');
const shots = join(root, 'target', 'e2e');
let site;

before(async () => {
  await access(join(dist, 'index.html'));
  await mkdir(shots, { recursive: true });
  site = await serveStatic(dist);
});

after(async () => site?.close());

const pane = (name) => `.console[data-pane="${name}"]`;
const inputOf = (name) => `${pane(name)} input.command`;

/** The text of `css`, or null. */
function textOf(session, css) {
  return session.run('const e = document.querySelector(arguments[0]); return e ? e.textContent : null;', css);
}

/** The input's current value. */
function valueOf(session, css) {
  return session.run('return document.querySelector(arguments[0]).value;', css);
}

async function waitFor(predicate, what, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

for (const browser of ['chromium', 'firefox']) {
  test(`${browser}: hints follow the argument specs, Tab completes, ↑ recalls`, async (t) => {
    const session = await launch(browser);
    t.diagnostic(`browser: ${session.version}`);
    try {
      await session.goto(site.url);
      const input = await session.waitFor(inputOf('A'));
      await session.waitForText(`${pane('A')} .input-line .prompt`, (s) => s.length > 0);
      const hint = () => textOf(session, `${pane('A')} .hint`);

      await session.type(input, 'SET k v ');
      assert.equal(
        await waitFor(hint, 'the SET hint'),
        '[NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]',
      );
      await session.type(input, 'EX ');
      assert.equal(await waitFor(hint, 'the EX hint'), 'seconds [NX|XX] [GET] ');
      await session.type(input, '100 NX ');
      assert.equal(await waitFor(hint, 'the hint after NX'), '[GET] ');
      // The typed words are coloured by role: command, key, arguments.
      const roles = await session.run(
        `return [...document.querySelectorAll(arguments[0] + ' .mirror span')].map(s => s.className + ':' + s.textContent);`,
        pane('A'),
      );
      assert.deepEqual(roles.slice(0, 3), ['t-command:SET', 't-plain: ', 't-key:k']);
      await writeFile(join(shots, `${browser}-console-hints.png`), await session.screenshot());
      await session.type(input, KEYS.ENTER);
      await session.waitForText(`${pane('A')} .transcript`, (s) => s.includes('OK'));

      await session.type(input, 'getr' + KEYS.TAB);
      assert.equal(await valueOf(session, inputOf('A')), 'GETRANGE');
      await session.type(input, KEYS.TAB);
      assert.equal(await valueOf(session, inputOf('A')), 'getr');
      await session.type(input, KEYS.CONTROL + 'c' + KEYS.NULL);
      await session.type(input, 'GET ');
      await session.type(input, KEYS.TAB);
      assert.equal(await valueOf(session, inputOf('A')), 'GET k');
      await session.type(input, KEYS.ENTER);
      await session.waitForText(`${pane('A')} .transcript`, (s) => s.includes('"v"'));

      await session.type(input, KEYS.UP);
      assert.equal(await valueOf(session, inputOf('A')), 'GET k');
      await session.type(input, KEYS.UP);
      assert.equal(await valueOf(session, inputOf('A')), 'SET k v EX 100 NX ');
      await session.type(input, KEYS.CONTROL + 'c' + KEYS.NULL);

      // Ctrl-R searches the history backwards; Escape takes the line found.
      await session.type(input, KEYS.CONTROL + 'r' + KEYS.NULL);
      await session.type(input, 'EX 1');
      await session.waitForText(`${pane('A')} .search-line .found`, (s) => s === 'SET k v EX 100 NX ');
      await session.type(input, KEYS.ESCAPE);
      assert.equal(await valueOf(session, inputOf('A')), 'SET k v EX 100 NX ');
      await session.type(input, KEYS.CONTROL + 'c' + KEYS.NULL);

      // help is printed locally, styled, as redis-cli prints it.
      await session.type(input, 'help set' + KEYS.ENTER);
      const help = await session.waitForText(`${pane('A')} .transcript`, (s) => s.includes('summary:'));
      assert.ok(help.includes('SET key value [NX|XX] [GET]'), help);

      // A multi-line paste runs each line in order; a last line without newline stays typed.
      // (Firefox hides the data of a scripted paste event from the page, so only Chromium can
      // simulate one.)
      if (browser === 'chromium') {
        await session.run(
          `const input = document.querySelector(arguments[0]);
           const data = new DataTransfer();
           data.setData('text/plain', 'SET p 1\\nINCR p\\nGET p\\nECHO left');
           input.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));`,
          inputOf('A'),
        );
        await session.waitForText(`${pane('A')} .transcript`, (s) => s.includes('"2"'));
        const outputs = await session.run(
          `return [...document.querySelectorAll(arguments[0] + ' .transcript .output')].map(e => e.textContent).slice(-3);`,
          pane('A'),
        );
        assert.deepEqual(outputs, ['OK', '(integer) 2', '"2"']);
        assert.equal(await valueOf(session, inputOf('A')), 'ECHO left');
        await session.type(input, KEYS.CONTROL + 'c' + KEYS.NULL);
      }

      // The engine clock moves forward on request: a 5 s TTL is gone after "+10 s".
      await session.type(input, 'SET short-lived v EX 5' + KEYS.ENTER);
      await session.click(await session.find('button[aria-label="Move the engine clock forward 10 s"]'));
      await session.type(input, 'TTL short-lived' + KEYS.ENTER);
      await session.waitForText(`${pane('A')} .transcript`, (s) => s.endsWith('(integer) -2'));
    } finally {
      await session.close();
    }
  });

  test(`${browser}: split panes: SUBSCRIBE, PUBLISH and MONITOR typed by hand`, async (t) => {
    const session = await launch(browser);
    t.diagnostic(`browser: ${session.version}`);
    try {
      await session.goto(site.url);
      const a = await session.waitFor(inputOf('A'));
      const add = await session.waitFor('.add-pane');
      await session.click(add);
      const b = await session.waitFor(inputOf('B'));
      await session.click(add);
      const c = await session.waitFor(inputOf('C'));
      const ids = await session.run(
        'return [...document.querySelectorAll(".console .client-id")].map(e => e.textContent);',
      );
      assert.equal(new Set(ids).size, 3, ids.join(', '));

      await session.type(c, 'MONITOR' + KEYS.ENTER);
      await session.waitForText(`${pane('C')} .transcript`, (s) => s.includes('OK'));
      await session.type(b, 'CLIENT SETNAME listener' + KEYS.ENTER);
      await session.waitForText(`${pane('B')} .client-name`, (s) => s.includes('listener'));
      await session.type(b, 'SUBSCRIBE news' + KEYS.ENTER);
      await session.waitForText(`${pane('B')} .transcript`, (s) => s.includes('Reading messages... (press Ctrl-C to quit)'));
      await session.type(a, 'PUBLISH news "hello there"' + KEYS.ENTER);
      await session.waitForText(`${pane('A')} .transcript`, (s) => s.includes('(integer) 1'));
      const received = await session.waitForText(`${pane('B')} .transcript`, (s) => s.includes('hello there'));
      assert.ok(received.includes('1) "message"\n2) "news"\n3) "hello there"'), received);
      const monitored = await session.waitForText(`${pane('C')} .transcript`, (s) => s.includes('"PUBLISH"'));
      assert.match(monitored, /\d+\.\d{6} \[0 127\.0\.0\.1:\d+\] "PUBLISH" "news" "hello there"/);
      assert.match(monitored, /"CLIENT" "SETNAME" "listener"/);
      await writeFile(join(shots, `${browser}-console-panes.png`), await session.screenshot());

      // Ctrl-C leaves reading mode with a new client: the message no longer arrives.
      await session.type(b, KEYS.CONTROL + 'c' + KEYS.NULL);
      await session.waitForText(`${pane('B')} .input-line .prompt`, (s) => s.includes('127.0.0.1:6379>'));
      await session.type(a, 'PUBLISH news again' + KEYS.ENTER);
      await session.waitForText(`${pane('A')} .transcript`, (s) => s.includes('(integer) 0'));
    } finally {
      await session.close();
    }
  });

  test(`${browser}: a busy script keeps the page responsive and is killed from its pane`, async (t) => {
    const session = await launch(browser);
    t.diagnostic(`browser: ${session.version}`);
    try {
      await session.goto(site.url);
      const a = await session.waitFor(inputOf('A'));
      const add = await session.waitFor('.add-pane');
      await session.click(add);
      const b = await session.waitFor(inputOf('B'));
      await session.type(a, 'CONFIG SET busy-reply-threshold 100' + KEYS.ENTER);
      await session.waitForText(`${pane('A')} .transcript`, (s) => s.includes('OK'));
      await session.type(a, 'EVAL "while true do end" 0' + KEYS.ENTER);
      const kill = await session.waitFor(`${pane('A')} .kill-script`);
      // Meanwhile another pane is served, as Redis serves other clients.
      await session.type(b, 'PING' + KEYS.ENTER);
      await session.waitForText(`${pane('B')} .transcript`, (s) =>
        s.includes('(error) BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.'));
      await writeFile(join(shots, `${browser}-console-busy-script.png`), await session.screenshot());
      await session.click(kill);
      const done = await session.waitForText(`${pane('A')} .transcript`, (s) => s.includes('Script killed by user'));
      assert.ok(done.includes('(SCRIPT KILL sent by the page: OK)'), done);
      assert.match(done, /\(error\) ERR Script killed by user with SCRIPT KILL\.\.\. script: [0-9a-f]{40}, on @user_script:1\./);
      await session.type(b, 'PING' + KEYS.ENTER);
      await session.waitForText(`${pane('B')} .transcript`, (s) => s.includes('PONG'));
    } finally {
      await session.close();
    }
  });
}
