// End-to-end: filling the page with data stops at the browser's memory cap (maxmemory 128mb)
// with Redis's own OOM error, the tab stays alive and keeps answering reads, the console says
// how to go on, and switching to an eviction policy lets writes through again.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { launch, useBuiltSite, KEYS } from './webdriver.mjs';

const ctx = useBuiltSite({ before, after });
const PANE = '.console[data-pane="A"]';
const OOM = "(error) OOM command not allowed when used memory > 'maxmemory'.";

/** Types `line` and resolves to the text printed for it (the newest output block). */
async function reply(session, line, timeoutMs = 15000) {
  const count = await session.run('return document.querySelectorAll(arguments[0]).length;', `${PANE} .transcript .output`);
  await session.type(await session.find(`${PANE} input.command`), line + KEYS.ENTER);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const texts = await session.run(
      'return [...document.querySelectorAll(arguments[0])].map(e => e.textContent);',
      `${PANE} .transcript .output`,
    );
    if (texts.length > count) return texts[count].replace(/\n\(\d+\.\d\ds\)$/, '');
    if (Date.now() > deadline) throw new Error(`no reply to ${line} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

for (const browser of ['chromium', 'firefox']) {
  test(`${browser}: filling the page hits maxmemory with Redis's OOM error, and the learner is told how to go on`, async (t) => {
    const session = await launch(browser);
    t.diagnostic(`browser: ${session.version}`);
    try {
      await session.goto(`${ctx.site.url}?instance=memory-cap-${browser}-${Date.now()}`);
      await session.waitFor(`${PANE} input.command`);
      assert.equal(await reply(session, 'CONFIG GET maxmemory'), '1) "maxmemory"\n2) "134217728"');
      // A million 100-byte values need more than 128 MB; DEBUG POPULATE itself is not refused
      // (as in Redis), the first write after it is.
      assert.equal(await reply(session, 'DEBUG POPULATE 1000000 key 100', 120000), 'OK');
      assert.equal(await reply(session, 'SET one more'), OOM);
      const note = await session.run(
        'const notes = document.querySelectorAll(arguments[0]); return notes.length ? notes[notes.length - 1].textContent : null;',
        `${PANE} .transcript .note`,
      );
      assert.ok(note && note.includes('maxmemory 128mb') && note.includes('CONFIG SET maxmemory-policy allkeys-lru'), note);
      // The tab is alive: reads work, and nothing was lost.
      // DEBUG POPULATE pads each value with NUL bytes to its size, as Redis does.
      assert.equal(await reply(session, 'GET key:7'), `"value:7${'\\x00'.repeat(93)}"`);
      assert.equal(await reply(session, 'DBSIZE'), '(integer) 1000000');
      // Eviction lets writes through again, and makes room by removing keys.
      assert.equal(await reply(session, 'CONFIG SET maxmemory-policy allkeys-lru'), 'OK');
      assert.equal(await reply(session, 'SET one more'), 'OK');
      const size = Number((await reply(session, 'DBSIZE')).replace('(integer) ', ''));
      assert.ok(size < 1000001 && size > 0, `DBSIZE ${size}`);
      await writeFile(join(ctx.shots, `${browser}-memory-cap.png`), await session.screenshot());
    } finally {
      await session.close();
    }
  });
}
