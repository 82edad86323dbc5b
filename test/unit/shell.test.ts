import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { asRoot, join, quote, shArgv, Script } from '../../src/host/shell.js';

const NASTY = ["it's", 'say "hi"', '$(touch /tmp/pwned)', '`id`', 'a\nb', '$HOME', '; rm -rf /', '', ' lead', 'tab\there', '\\', "'", "''", '*', '~root', 'ünï'];

test('quote keeps safe words bare and wraps the rest', () => {
  assert.equal(quote('docker'), 'docker');
  assert.equal(quote('/usr/local/bin/docker-compose'), '/usr/local/bin/docker-compose');
  assert.equal(quote("it's"), `'it'\\''s'`);
  assert.equal(quote(''), "''");
  assert.equal(quote('$(x)'), "'$(x)'");
});

test('every hostile value reaches a real sh as exactly one argument, unexpanded', () => {
  for (const v of NASTY) {
    const line = join(['printf', '%s|', v, 'end']);
    const r = spawnSync('sh', ['-c', line], { encoding: 'utf8' });
    assert.equal(r.status, 0, line);
    assert.equal(r.stdout, `${v}|end|`, `value ${JSON.stringify(v)}`);
  }
});

test('quoted values survive a second shell level (sh -c SCRIPT as one argv)', () => {
  for (const v of NASTY) {
    const outer = join(shArgv(new Script(join(['printf', '%s', v]))));
    const r = spawnSync('sh', ['-c', outer], { encoding: 'utf8' });
    assert.equal(r.stdout, v, `value ${JSON.stringify(v)}`);
  }
});

test('NUL cannot be passed and is refused', () => {
  assert.throws(() => quote('a\0b'), /NUL/);
});

test('asRoot prefixes sudo -n without re-quoting, only when not root', () => {
  assert.deepEqual(asRoot(['id'], { user: 'tester', uid: 1000 }), ['sudo', '-n', '--', 'id']);
  assert.deepEqual(asRoot(['id'], { user: 'root', uid: 0 }), ['id']);
});
