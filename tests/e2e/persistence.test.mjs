// End-to-end: data that survives a reload through IndexedDB the way it survives a Redis
// restart, the crash button losing exactly what was not persisted, and the persistence panel.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { launch, useBuiltSite, KEYS } from './webdriver.mjs';

const ctx = useBuiltSite({ before, after });

async function typeInPaneA(session, line) {
  const input = await session.waitFor('.console[data-pane="A"] input.command');
  await session.type(input, line + KEYS.ENTER);
}

/** Types a command and waits for the transcript to grow past what it held. */
async function reply(session, line) {
  const before = await session.run('return document.querySelector(\'.console[data-pane="A"] .transcript\').textContent.length;');
  await typeInPaneA(session, line);
  const text = await session.waitForText('.console[data-pane="A"] .transcript', (s) => s.length > before && !s.endsWith(line));
  return text.slice(before);
}

async function openPage(session, instance) {
  await session.goto(`${ctx.site.url}?instance=${instance}#/step/run-redis`);
  await session.waitFor('.console[data-pane="A"] input.command');
}

test('with Redis defaults, keys survive a reload: the shutdown saves a snapshot', async (t) => {
  const session = await launch('chromium');
  t.diagnostic(`browser: ${session.version}`);
  try {
    const instance = `reload-${Date.now()}`;
    await openPage(session, instance);
    assert.match(await reply(session, 'SET greeting hello'), /OK/);
    assert.match(await reply(session, 'RPUSH jobs a b c'), /\(integer\) 3/);
    assert.match(await reply(session, 'SET session:1 alice EX 600'), /OK/);
    await session.run('location.reload();');
    await session.waitFor('.console[data-pane="A"] input.command');
    assert.match(await reply(session, 'GET greeting'), /"hello"/);
    assert.match(await reply(session, 'LRANGE jobs 0 -1'), /1\) "a"\s+2\) "b"\s+3\) "c"/);
    assert.match(await reply(session, 'TTL session:1'), /\(integer\) (5\d\d|600)/);

    // With snapshots and the AOF off, a reload keeps only the last explicit SAVE.
    assert.match(await reply(session, 'CONFIG SET save ""'), /OK/);
    assert.match(await reply(session, 'SAVE'), /OK/);
    assert.match(await reply(session, 'SET unsaved 1'), /OK/);
    await session.run('location.reload();');
    await session.waitFor('.console[data-pane="A"] input.command');
    assert.match(await reply(session, 'CONFIG GET save'), /2\) ""/);
    assert.match(await reply(session, 'EXISTS unsaved greeting'), /\(integer\) 1/);
  } finally {
    await session.close();
  }
});

test('the crash button loses exactly what was not persisted, and the panel says why', async (t) => {
  const session = await launch('chromium');
  try {
    const instance = `crash-${Date.now()}`;
    await openPage(session, instance);
    await session.run('document.querySelector(".open-persistence").click();');
    const restart = await session.waitForText('.survives-restart', (s) => s.length > 0);
    assert.match(restart, /shutting down saves a snapshot/);

    // Snapshots only: everything since the last save is lost.
    assert.match(await reply(session, 'SET before-save 1'), /OK/);
    await session.run('document.querySelector(".save-now").click();');
    await session.waitForText('.server-log', (s) => s.includes('SAVE: OK'));
    assert.match(await reply(session, 'SET after-save 1'), /OK/);
    await session.run('document.querySelector(".crash-server").click();');
    const log = await session.waitForText('.server-log', (s) => s.includes('Ready to accept connections'));
    t.diagnostic(`crash log:\n${log}`);
    assert.match(log, /Done loading RDB, keys loaded: 1/);
    await session.waitForText('.console[data-pane="A"] .transcript', (s) => s.includes('server restarted'));
    assert.match(await reply(session, 'EXISTS before-save after-save'), /\(integer\) 1/);
    assert.match(await reply(session, 'GET before-save'), /"1"/);

    // AOF with appendfsync always: a crash loses nothing acknowledged.
    assert.match(await reply(session, 'CONFIG SET appendonly yes appendfsync always'), /OK/);
    assert.match(await reply(session, 'SET durable 1'), /OK/);
    assert.match(await reply(session, 'INCR durable'), /\(integer\) 2/);
    await session.waitForText('.survives-crash', (s) => s.startsWith('Nothing acknowledged'));
    await session.run('document.querySelector(".crash-server").click();');
    await session.waitForText('.server-log', (s) => s.includes('DB loaded from'));
    await session.waitForText('.console[data-pane="A"] .transcript', (s) => (s.match(/server restarted/g) || []).length >= 2);
    assert.match(await reply(session, 'GET durable'), /"2"/);

    // The AOF directory and snapshot are on the disk, and survive a reload with the config.
    const files = await session.waitForText('.disk-files', (s) => s.includes('appendonlydir/'));
    t.diagnostic(`disk: ${files}`);
    await writeFile(join(ctx.shots, 'persistence-panel.png'), await session.screenshot());
    await session.run('location.reload();');
    await session.waitFor('.console[data-pane="A"] input.command');
    assert.match(await reply(session, 'CONFIG GET appendonly'), /2\) "yes"/);
    assert.match(await reply(session, 'GET durable'), /"2"/);
    assert.match(await reply(session, 'GET before-save'), /"1"/);

    // An invalid RDB file is refused and changes nothing.
    await session.run('document.querySelector(".open-persistence").click();');
    const input = await session.waitFor('.import-rdb');
    const bogus = join(ctx.shots, 'not-an.rdb');
    await writeFile(bogus, 'REDIS0010 this is not an RDB file');
    await session.type(input, bogus);
    const refused = await session.waitForText('.server-log', (s) => s.includes('was not loaded'));
    t.diagnostic(`import refused: ${refused}`);
    assert.match(await reply(session, 'GET durable'), /"2"/);
  } finally {
    await session.close();
  }
});
