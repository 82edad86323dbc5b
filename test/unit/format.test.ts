import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wrapLines, planLines, secretLine } from '../../src/ui/format.js';

test('wrapLines keeps short lines and hangs long ones at the detail column', () => {
  const lines = ['  will change Deploy key    create: a new ed25519 key, authorized for deploy, proven to log in, stored as DEPLOY_KEY'];
  const w = wrapLines(lines, 60);
  assert.ok(w.length > 1);
  assert.ok(w.every((l) => l.length <= 60), w.join('\n'));
  const col = lines[0]!.indexOf('create:');
  for (const l of w.slice(1)) assert.equal(l.search(/\S/), col);
  assert.equal(w.join(' ').replace(/\s+/g, ' ').trim(), lines[0]!.replace(/\s+/g, ' ').trim());
  assert.deepEqual(wrapLines(['short'], 60), ['short']);
  const long = wrapLines(['x'.repeat(130)], 60);
  assert.ok(long.every((l) => l.length <= 60));
});

test('secret lines say when a secret was last set', () => {
  assert.equal(secretLine({ name: 'AWS_S3_BUCKET', action: 'keep', updatedAt: '2026-11-20T10:00:00Z' }), 'keep     AWS_S3_BUCKET (last set 2026-11-20 10:00 UTC)');
  assert.equal(secretLine({ name: 'DEPLOY_KEY', action: 'update', note: 'rotated' }), 'update   DEPLOY_KEY: rotated');
});

test('plan lines: fixes for blocked items, commands for changes', () => {
  const lines = planLines({
    items: [
      { id: 'docker', title: 'Docker', status: 'blocked', detail: 'not installed', fix: 'line one\nline two' },
      { id: 'shim', title: 'docker-compose shim', status: 'change', detail: 'install', commands: ['write x'] },
    ],
    secrets: [],
    warnings: [],
  });
  assert.match(lines.join('\n'), /BLOCKED +Docker +not installed\n +fix: line one\n +line two/);
  assert.match(lines.join('\n'), /will change docker-compose shim  install\n +\$ write x/);
});

test('sanitize strips escape sequences and control characters from host output', async () => {
  const { sanitize } = await import('../../src/ui/format.js');
  assert.equal(sanitize('\u001b[31mred\u001b[0m \u001b]8;;http://evil\u0007link\u001b]8;;\u0007 \u0007bell\rback'), 'red link bellback');
  assert.equal(sanitize('tab\there'), 'tab\there');
  assert.equal(sanitize('\u001b[2J\u001b[Hclear'), 'clear');
});
