import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, statSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileStore } from '../../src/config/store.js';
import { Sensitive } from '../../src/sensitive.js';

test('digests: stable across concurrent calls and store instances, distinct per name, never the value', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'clh-store-'));
  const a = fileStore(dir);
  const v = new Sensitive('hunter2');
  const [d1, d2] = await Promise.all([a.digest('SFTP_PASSWORD', v), a.digest('SFTP_PASSWORD', v)]);
  assert.equal(d1, d2);
  assert.notEqual(await a.digest('OTHER', v), d1);
  assert.deepEqual(readdirSync(dir), [], 'nothing written before a save (dry runs write nothing)');
  await a.save('acme/app', { defaults: { host: 'h' }, record: { secrets: { SFTP_PASSWORD: { hmac: d1, at: 'now' } } } });
  const b = fileStore(dir);
  assert.equal(await b.digest('SFTP_PASSWORD', v), d1, 'the salt persisted with the first save');
  const files = [join(dir, 'digest-salt'), join(dir, 'repos', 'acme__app.json')];
  for (const f of files) assert.equal(statSync(f).mode & 0o777, 0o600);
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  const text = readFileSync(files[1]!, 'utf8');
  assert.ok(!text.includes('hunter2'));
  assert.deepEqual((await b.load('ACME/App')).defaults, { host: 'h' });
  assert.ok(!existsSync(join(dir, 'repos', 'acme__app.json.tmp')));
});
