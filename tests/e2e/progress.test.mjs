// End-to-end: progress (steps done by running their blocks, percentages), achievements, the
// in-page benchmark (panel and console built-in), and progress.yaml export and import.

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

test('running every block of a step marks it done; achievements, benchmark and export follow', async (t) => {
  const session = await launch('chromium');
  t.diagnostic(`browser: ${session.version}`);
  try {
    await session.goto(`${ctx.site.url}#/step/strings-and-expiry`);
    await session.waitForText('.step-title', (s) => s.includes('expire'));
    const before = await session.waitForText('.overall-progress .label', (s) => s.includes('%'));
    assert.equal(before, 'Course progress: 0%');

    // Run every runnable block of the step: it is then done, and the map shows it.
    const blocks = await session.run('return document.querySelectorAll(".step .code.redis button.run").length;');
    assert.ok(blocks >= 2, `blocks: ${blocks}`);
    for (let i = 0; i < blocks; i++) {
      await session.run('document.querySelectorAll(".step .code.redis button.run")[arguments[0]].click();', i);
    }
    await session.waitFor('.step-done.done input:checked');
    const overall = await session.waitForText('.overall-progress .detail', (s) => s.includes('(1 of'));
    const module = await session.run(
      'return [...document.querySelectorAll(".course-map .module-title")].find(m => m.textContent.includes("·")).querySelector(".module-progress").textContent;',
    );
    assert.match(module, /[1-9]\d*%/);
    t.diagnostic(`after the step: ${await session.run('return document.querySelector(".overall-progress .label").textContent;')}${overall}, first module ${module.trim()}`);

    // First Cache: the key has a TTL of 120 s (set by the block) and is read back alive.
    await typeInPaneA(session, 'GET session:42');
    const toast = await session.waitForText('.toast-region', (s) => s.includes('Achievement unlocked'));
    t.diagnostic(`toast: ${toast}`);

    // The benchmark panel, in headless Chromium.
    await session.run('document.querySelector(".open-benchmark").click();');
    const flags = await session.waitFor('.benchmark-flags');
    await session.run('const f = arguments[0]; f.value = ""; f.dispatchEvent(new InputEvent("input", {bubbles: true}));', { 'element-6066-11e4-a52e-4f735466cecf': flags });
    await session.type(flags, '-t set,get,incr,lpush,rpop,sadd,hset,zadd -n 100000 -P 16 -r 10000');
    await session.run('document.querySelector(".run-benchmark").click();');
    await session.waitForText('.benchmark-status', (s) => s === 'Done.', 300000);
    const bars = await session.run(
      'return [...document.querySelectorAll(".bar-row")].map(r => ({ test: r.dataset.test, rps: Number(r.dataset.rps), p50: Number(r.dataset.p50) }));',
    );
    assert.equal(bars.length, 8);
    for (const bar of bars) {
      t.diagnostic(`benchmark ${bar.test}: ${bar.rps.toFixed(2)} requests per second, p50=${bar.p50.toFixed(3)} msec (-n 100000 -P 16 -r 10000 -c 50)`);
      assert.ok(bar.rps > 0);
    }
    const report = await session.run('return document.querySelector(".benchmark-report").textContent;');
    assert.match(report, /^\(benchmark: running in database 15/);
    assert.match(report, /====== SET ======\n {2}100000 requests completed in [\d.]+ seconds\n {2}50 parallel clients\n {2}3 bytes payload\n/);
    assert.match(report, /Summary:\n {2}throughput summary: [\d.]+ requests per second\n {2}latency summary \(msec\):\n/);
    assert.equal(report.match(/====== /g).length, 8);
    await writeFile(join(ctx.shots, 'benchmark-panel.png'), await session.screenshot());

    // The learner's keys and database are untouched: session:42 is still in db 0, db 15 is empty.
    await typeInPaneA(session, 'SELECT 15');
    await typeInPaneA(session, 'DBSIZE');
    await typeInPaneA(session, 'SELECT 0');
    const transcript = await session.waitForText('.console[data-pane="A"] .transcript', (s) => s.includes('DBSIZE'));
    assert.match(transcript, /DBSIZE\s*\(integer\) 0/);

    // The console built-in.
    await typeInPaneA(session, 'benchmark -t get,incr -n 20000 -P 16 -q');
    const quiet = await session.waitForText('.console[data-pane="A"] .transcript', (s) => /INCR: [\d.]+ requests per second, p50=[\d.]+ msec/.test(s), 60000);
    for (const line of quiet.match(/(GET|INCR): [\d.]+ requests per second, p50=[\d.]+ msec/g)) {
      t.diagnostic(`console built-in: ${line}`);
    }

    // Achievements panel and export.
    await session.run('document.querySelector(".open-progress").click();');
    const firstCache = await session.waitForText('.achievement[data-id="first-cache"]', (s) => s.includes('unlocked'));
    assert.match(firstCache, /GET session:42 read the value back/);
    const speed = await session.waitForText('.achievement[data-id="speed-demon"]', (s) => s.length > 0);
    t.diagnostic(`speed demon: ${speed}`);
    const cluster = await session.waitForText('.achievement[data-id="cluster-king"]', (s) => s.length > 0);
    assert.match(cluster, /locked/);
    await session.run('document.querySelector(".export-progress").click();');
    const yaml = await session.waitForText('.progress-yaml', () => true);
    const exported = await session.run('return document.querySelector(".progress-yaml").value;');
    t.diagnostic(`exported progress.yaml:\n${exported}`);
    assert.match(exported, /^# Redis Playground progress/);
    assert.match(exported, /version: 1\ncompleted_steps:\n {2}redis-track:\n {4}- strings-and-expiry\n/);
    assert.match(exported, /achievements:\n {2}first-cache:\n {4}date: "\d{4}-\d\d-\d\dT/);
    assert.match(exported, /benchmark_best:\n {2}ops_per_sec: [\d.]+\n/);
    void yaml;
    await writeFile(join(ctx.shots, 'progress-panel.png'), await session.screenshot());

    // A bad file is refused with the line at fault; the progress stays.
    const area = await session.find('.progress-yaml');
    await session.run('const a = arguments[0]; a.value = "version: 1\\nlevel: 9\\n"; a.dispatchEvent(new InputEvent("input", {bubbles: true}));', { 'element-6066-11e4-a52e-4f735466cecf': area });
    await session.run('document.querySelector(".import-progress").click();');
    const refused = await session.waitForText('.progress-message', (s) => s.startsWith('Not imported'));
    assert.match(refused, /line 2: progress.yaml: unknown field 'level'/);

    // A good file replaces it (and survives a reload).
    await session.run('const a = arguments[0]; a.value = arguments[1]; a.dispatchEvent(new InputEvent("input", {bubbles: true}));', { 'element-6066-11e4-a52e-4f735466cecf': area }, 'version: 1\ncompleted_steps:\n  redis-track:\n    - run-redis\n    - atomic-counters\n');
    await session.run('document.querySelector(".import-progress").click();');
    await session.waitForText('.progress-message', (s) => s.startsWith('Imported'));
    await session.goto(`${ctx.site.url}#/step/run-redis`);
    await session.run('location.reload();');
    await session.waitForText('.overall-progress .detail', (s) => s.includes('(2 of'));
    await session.waitFor('.step-done.done input:checked');
  } finally {
    await session.close();
  }
});
