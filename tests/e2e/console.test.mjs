// End-to-end: the built site (dist/, from `trunk build --release`) served on 127.0.0.1, driven
// in real headless Chromium and Firefox through WebDriver. Screenshots go to target/e2e/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { launch, useBuiltSite, KEYS } from './webdriver.mjs';

const ctx = useBuiltSite({ before, after });

for (const browser of ['chromium', 'firefox']) {
  test(`${browser}: the console answers PING, SET, GET and ECHO like redis-cli`, async (t) => {
    const session = await launch(browser);
    t.diagnostic(`browser: ${session.version}`);
    try {
      await session.goto(ctx.site.url);
      const input = await session.waitFor('.console input.command');
      const prompt = await session.waitForText('.console .input-line .prompt', (s) => s.length > 0);
      assert.equal(prompt.trim(), '127.0.0.1:6379>');
      for (const line of ['PING', 'SET k v', 'GET k', 'ECHO "a b"']) {
        await session.type(input, line + KEYS.ENTER);
      }
      const transcript = await session.waitForText('.console .transcript', (s) => s.includes('"a b"'));
      const outputs = await session.run(
        'return [...document.querySelectorAll(".console .transcript .output")].map(e => e.textContent);',
      );
      assert.deepEqual(outputs, ['PONG', 'OK', '"v"', '"a b"'], transcript);
      await writeFile(join(ctx.shots, `${browser}-console.png`), await session.screenshot());
    } finally {
      await session.close();
    }
  });
}
