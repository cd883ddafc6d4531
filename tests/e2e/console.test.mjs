// End-to-end: the built site (dist/, from `trunk build --release`) served on 127.0.0.1, driven
// in real headless Chromium and Firefox through WebDriver. Screenshots go to target/e2e/.

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

for (const browser of ['chromium', 'firefox']) {
  test(`${browser}: the console answers PING, SET, GET and ECHO like redis-cli`, async (t) => {
    const session = await launch(browser);
    t.diagnostic(`browser: ${session.version}`);
    try {
      await session.goto(site.url);
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
      await writeFile(join(shots, `${browser}-console.png`), await session.screenshot());
    } finally {
      await session.close();
    }
  });
}
