import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { settlePrivateWrites, writePrivateFile } from '../../src/private-file.js';

const withDir = async (fn: (dir: string) => Promise<void>) => {
  const dir = mkdtempSync(join(tmpdir(), 'clh-private-'));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

test('a private file is written whole, 0600 whatever the umask, over the old one, with no temp file left', () =>
  withDir(async (dir) => {
    const f = join(dir, 'acme__app.json');
    writeFileSync(f, 'old', { mode: 0o644 });
    const old = process.umask(0o000);
    try {
      await writePrivateFile(f, '{"new":true}\n');
    } finally {
      process.umask(old);
    }
    assert.equal(readFileSync(f, 'utf8'), '{"new":true}\n');
    assert.equal(statSync(f).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(dir), ['acme__app.json']);
  }));

test('a write that fails removes its temp file and leaves the old file', () =>
  withDir(async (dir) => {
    const target = join(dir, 'key');
    mkdirSync(target); // rename() of a file onto a folder fails after the temp file is written
    await assert.rejects(writePrivateFile(target, 'secret'), /EISDIR|ENOTDIR|EEXIST|directory/i);
    assert.deepEqual(readdirSync(dir), ['key']);
  }));

// Last: settlePrivateWrites is what Ctrl-C calls just before the process exits.
test('Ctrl-C waits for writes in flight to finish whole; a write asked for afterwards never starts', () =>
  withDir(async (dir) => {
    const f = join(dir, 'deploy-key');
    const big = Buffer.alloc(64 * 1024 * 1024, 'k');
    const writing = writePrivateFile(f, big);
    let done = false;
    void writing.then(() => (done = true));
    await settlePrivateWrites(30_000);
    // Settled means renamed into place: the exit that follows cuts nothing.
    assert.equal(done, true);
    assert.equal(statSync(f).size, big.length);
    assert.deepEqual(readdirSync(dir), ['deploy-key']);
    let started = false;
    void writePrivateFile(join(dir, 'later'), 'x').then(() => (started = true));
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(started, false);
    assert.deepEqual(readdirSync(dir), ['deploy-key']);
  }));
