import { test } from 'node:test';
import assert from 'node:assert/strict';
import { repairWorkflowText, diffLines } from '../../src/github/repair.js';
import { analyzeWorkflow } from '../../src/github/workflow.js';
import { mixes } from '../helpers/fixtures.js';

const lines = (t: string): string[] => t.split('\n');

/** Every line not listed as changed is byte-for-byte the same; the listed ones are what the diff says. */
function assertOnlyChanged(before: string, after: string, changed: number[]): void {
  const a = lines(before);
  const b = lines(after);
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!changed.includes(i + 1)) assert.equal(b[i], a[i], `line ${i + 1}`);
}

test('all nine mixes: retired runners and DEPLOY_PORT repaired, every other byte kept', () => {
  for (const m of mixes()) {
    const { text, changes } = repairWorkflowText(m.workflow);
    assertOnlyChanged(m.workflow, text, changes.map((c) => c.line));
    const info = analyzeWorkflow(text);
    assert.equal(info.retiredRunners.length, 0, m.name);
    if (m.family === 'blazor') assert.deepEqual(changes, [], m.name);
    else {
      const runners = changes.filter((c) => c.before.includes('runs-on'));
      assert.equal(runners.length, 2, m.name);
      for (const c of runners) assert.equal(c.after, c.before.replace('ubuntu-20.04', 'ubuntu-24.04'));
    }
    const ports = changes.filter((c) => /port:/.test(c.before));
    // Only the web mixes read DEPLOY_PORT; jamstack's literal 22 stays (they never read the secret).
    assert.equal(ports.length, m.family === 'web' ? 1 : 0, m.name);
    for (const c of ports) assert.equal(c.after, c.before.replace('22', '${{ secrets.DEPLOY_PORT }}'));
    // A repaired file needs nothing more.
    assert.deepEqual(repairWorkflowText(text).changes, [], m.name);
  }
});

test('CRLF line endings and a missing final newline are kept', () => {
  const web = mixes().find((m) => m.family === 'web')!;
  const crlf = web.workflow.replace(/\n/g, '\r\n').replace(/\r\n$/, '');
  const { text, changes } = repairWorkflowText(crlf);
  assert.equal(changes.length, 3);
  assert.equal(text.split('\r\n').length, crlf.split('\r\n').length);
  assert.ok(!/[^\r]\n/.test(text), 'every LF still has its CR');
  assert.ok(!text.endsWith('\n'));
  assert.equal(text, crlf.replace(/ubuntu-20\.04/g, 'ubuntu-24.04').replace(/port: 22\r/, 'port: ${{ secrets.DEPLOY_PORT }}\r'));
});

test('quoting, lists and comments: only the label changes', () => {
  const src = [
    'name: Build',
    'on: push',
    'jobs:',
    '  a:',
    "    runs-on: 'ubuntu-20.04' # was ubuntu-20.04",
    '  b:',
    '    runs-on: [self-hosted, macos-12]',
    '  c:',
    '    runs-on: windows-2019',
    '  d:',
    '    runs-on: ubuntu-22.04',
    '',
  ].join('\n');
  const { text, changes } = repairWorkflowText(src);
  assert.deepEqual(changes.map((c) => c.after.trim()), ["runs-on: 'ubuntu-24.04' # was ubuntu-20.04", 'runs-on: [self-hosted, macos-14]', 'runs-on: windows-2022']);
  assert.equal(analyzeWorkflow(text).retiredRunners.length, 0);
  // No DEPLOY_PORT read: a literal port 22 is someone's choice.
  assert.deepEqual(repairWorkflowText('steps:\n  - with:\n      port: 22\n').changes, []);
});

test('the diff names each file and shows each changed line before and after', () => {
  const web = mixes().find((m) => m.family === 'web')!;
  const r = repairWorkflowText(web.workflow);
  const d = diffLines([{ path: '.github/workflows/release.yml', before: web.workflow, after: r.text, changes: r.changes }]);
  assert.equal(d[0], '.github/workflows/release.yml:');
  assert.match(d[1]!, /^\s+24 - runs-on: ubuntu-20\.04$/);
  assert.match(d[2]!, /^\s+\+ runs-on: ubuntu-24\.04$/);
  assert.equal(d.length, 1 + 2 * 3);
});
